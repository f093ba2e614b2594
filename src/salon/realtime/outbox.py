"""What waits in the transaction until it commits, and is dropped by a rollback: real-time
events, revocations (a revoked token's sockets close only once the revocation is committed),
and word that webhook deliveries were written. The request's route acts on them after the
commit."""

from collections.abc import Iterable
from typing import Any, NamedTuple

from salon.db.database import Transaction
from salon.realtime.events import Event, EventType
from salon.records import Chatroom


class Revocation(NamedTuple):
    """SHA-256 digests of revoked tokens, as stored: the tokens themselves never leave the
    request."""

    token_hashes: tuple[str, ...]


def enqueue(
    tx: Transaction,
    type_: EventType,
    *,
    id_brand: int,
    id_chatroom: int | None,
    recipients: Iterable[int],
    data: dict[str, Any],
    webhook_data: dict[str, Any] | None = None,
) -> None:
    tx.outbox.append(Event(type_, id_brand, id_chatroom, tuple(recipients), data, webhook_data))


def enqueue_for_chatroom(
    tx: Transaction, type_: EventType, chatroom: Chatroom, data: dict[str, Any]
) -> None:
    """An event for the participants of `chatroom`, read with it."""
    enqueue(
        tx,
        type_,
        id_brand=chatroom.id_brand,
        id_chatroom=chatroom.id_chatroom,
        recipients=[p.id_ambassador for p in chatroom.participants],
        data=data,
    )


def revoke(tx: Transaction, token_hashes: Iterable[str]) -> None:
    """Once committed, every process closes the sockets of these tokens."""
    tx.outbox.append(Revocation(tuple(token_hashes)))


class _DeliveriesDue:
    pass


_DUE = _DeliveriesDue()


def deliveries_due(tx: Transaction) -> None:
    """The transaction wrote webhook deliveries: once it commits, this process's worker looks
    for them at once rather than at its next poll."""
    tx.outbox.append(_DUE)


class Committed(NamedTuple):
    events: list[Event]
    revoked: list[str]
    """SHA-256 digests of the tokens it revoked."""
    deliveries_due: bool


def take(tx: Transaction) -> Committed:
    """What the committed transaction queued."""
    events: list[Event] = []
    revoked: list[str] = []
    due = False
    for item in tx.outbox:
        if isinstance(item, Revocation):
            revoked.extend(item.token_hashes)
        elif item is _DUE:
            due = True
        else:
            events.append(item)
    tx.outbox.clear()
    return Committed(events, revoked, due)
