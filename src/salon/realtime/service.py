"""The rules of a real-time session: who may follow which stream, whose token still holds, and
presence."""

from dataclasses import dataclass

from salon.auth import repository as tokens
from salon.auth import service as auth
from salon.auth.tokens import hash_token
from salon.chatrooms import repository as chatrooms
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid
from salon.realtime.events import Event, EventType, brand_stream, person_stream
from salon.records import Ambassador


@dataclass(frozen=True, slots=True)
class Opened:
    caller: Ambassador
    stream: str
    # The SHA-256 digest of the socket's token: revocations name the socket by it.
    token_hash: str


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a socket starts: its stream, and optionally the last frame its client has."""

    scope: str
    after: int | None
    epoch: str | None


def parse_cursor(scope: str | None, after: str | None, epoch: str | None) -> Cursor:
    scope = scope or "person"
    if scope not in ("person", "brand"):
        raise Invalid.field("scope", "The selected scope is invalid.")
    if after is None:
        return Cursor(scope, None, None)
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        raise Invalid.field("after", "The after field must be an integer.")
    return Cursor(scope, int(after), epoch)


async def open_stream(
    tx: Transaction,
    settings: Settings,
    token: str | None,
    brand_header: str | None,
    cursor: Cursor,
) -> Opened:
    """The caller behind the token (Unauthorized, Forbidden as on every route) and the stream
    their socket may follow."""
    caller = await auth.authenticate(tx, token, brand_header, settings)
    assert token is not None  # authenticate refuses a missing token
    return Opened(caller, stream_of(caller, cursor), hash_token(token))


def stream_of(caller: Ambassador, cursor: Cursor) -> str:
    if cursor.scope == "brand":
        if not caller.is_staff:
            raise Forbidden
        return brand_stream(caller.id_brand)
    return person_stream(caller.id_ambassador)


async def dead_tokens(tx: Transaction, token_hashes: list[str]) -> set[str]:
    """Of the digests of sockets' tokens, those that no longer authenticate: revoked, or their
    owner disabled (`active` < 0), as `auth.authenticate` would refuse them."""
    return set(token_hashes) - await tokens.live_token_hashes(tx, token_hashes)


async def presence_changed(tx: Transaction, caller: Ambassador, online: bool) -> Event:
    """For the people who share a chatroom with `caller` (and the brand's staff stream)."""
    recipients = await chatrooms.co_participants(tx, caller.id_ambassador)
    return Event(
        EventType.PRESENCE_CHANGED,
        caller.id_brand,
        None,
        tuple(recipients),
        {"id_ambassador": caller.id_ambassador, "online": online},
    )
