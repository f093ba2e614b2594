"""Events wait in the session until the transaction commits; a rollback drops them."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salon.realtime.events import Event, EventType

_KEY = "salon.outbox"


def enqueue(
    session: AsyncSession,
    type_: EventType,
    *,
    id_brand: int,
    id_chatroom: int,
    recipients: Iterable[int],
    data: dict[str, Any],
) -> None:
    event = Event(type_, id_brand, id_chatroom, tuple(recipients), data)
    session.info.setdefault(_KEY, []).append(event)


def take(session: AsyncSession) -> list[Event]:
    events: list[Event] = session.info.pop(_KEY, [])
    return events
