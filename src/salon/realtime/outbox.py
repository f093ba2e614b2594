"""Events wait in the session until the transaction commits; a rollback drops them."""

from sqlalchemy.ext.asyncio import AsyncSession

from salon.realtime.events import Event

_KEY = "salon.outbox"


def enqueue(session: AsyncSession, event: Event) -> None:
    session.info.setdefault(_KEY, []).append(event)


def take(session: AsyncSession) -> list[Event]:
    events: list[Event] = session.info.pop(_KEY, [])
    return events


def discard(session: AsyncSession) -> None:
    session.info.pop(_KEY, None)
