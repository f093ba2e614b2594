"""Events wait in the transaction until it commits; a rollback drops them (the request's
transaction dependency publishes `tx.outbox` after the commit)."""

from collections.abc import Iterable
from typing import Any

from salon.db.database import Transaction
from salon.realtime.events import Event, EventType
from salon.records import Chatroom


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


def take(tx: Transaction) -> list[Event]:
    events: list[Event] = tx.outbox[:]
    tx.outbox.clear()
    return events
