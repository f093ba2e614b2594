"""Events wait in the session until the transaction commits; a rollback drops them. So do
revocations: a revoked token's sockets are closed only once the revocation is committed."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import Chatroom
from salon.realtime.events import Event, EventType

_KEY = "salon.outbox"
_REVOKED = "salon.outbox.revoked"


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


def enqueue_for_chatroom(
    session: AsyncSession, type_: EventType, chatroom: Chatroom, data: dict[str, Any]
) -> None:
    """An event for the participants of `chatroom`, loaded with it."""
    enqueue(
        session,
        type_,
        id_brand=chatroom.id_brand,
        id_chatroom=chatroom.id_chatroom,
        recipients=[p.id_ambassador for p in chatroom.participants],
        data=data,
    )


def take(session: AsyncSession) -> list[Event]:
    events: list[Event] = session.info.pop(_KEY, [])
    return events


def revoke(session: AsyncSession, token_hashes: Iterable[str]) -> None:
    """Once committed, every process closes the sockets of these tokens (SHA-256 digests, as
    stored: the tokens themselves never leave the request)."""
    session.info.setdefault(_REVOKED, []).extend(token_hashes)


def take_revoked(session: AsyncSession) -> list[str]:
    token_hashes: list[str] = session.info.pop(_REVOKED, [])
    return token_hashes
