"""What waits in the transaction until it commits, and is dropped by a rollback: real-time
events, and revocations (a revoked token's sockets close only once the revocation is
committed). The request's transaction dependency publishes both after the commit."""

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
    id_chatroom: int,
    recipients: Iterable[int],
    data: dict[str, Any],
) -> None:
    tx.outbox.append(Event(type_, id_brand, id_chatroom, tuple(recipients), data))


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


def take(tx: Transaction) -> tuple[list[Event], list[str]]:
    """The committed transaction's events, and the digests of the tokens it revoked."""
    events: list[Event] = []
    revoked: list[str] = []
    for item in tx.outbox:
        if isinstance(item, Revocation):
            revoked.extend(item.token_hashes)
        else:
            events.append(item)
    tx.outbox.clear()
    return events, revoked
