"""`/chat/ws`: the WebSocket that delivers committed events (protocol: docs/realtime.md)."""

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from salon.config import Settings
from salon.db.database import Database
from salon.errors import AppError, Forbidden, Invalid, Unauthorized
from salon.realtime import service
from salon.realtime.broker import Broker
from salon.realtime.hub import Close, Connection, Hub, Recheck, control
from salon.records import Ambassador

router = APIRouter()

SUBPROTOCOL = "salon.v1"
TOKEN_SUBPROTOCOL = "bearer."  # noqa: S105 - a prefix, not a secret
PONG = control("pong")


def _credentials(websocket: WebSocket) -> tuple[str | None, str | None]:
    """The bearer token (header, or a `bearer.<token>` subprotocol for browsers, which cannot
    set headers on a WebSocket) and the subprotocol to answer with."""
    offered = websocket.scope.get("subprotocols", [])
    token = next(
        (p[len(TOKEN_SUBPROTOCOL) :] for p in offered if p.startswith(TOKEN_SUBPROTOCOL)), None
    )
    authorization = websocket.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        token = value.strip()
    return token, SUBPROTOCOL if SUBPROTOCOL in offered else None


@router.websocket("/chat/ws")
async def realtime(websocket: WebSocket) -> None:
    state = websocket.app.state
    settings: Settings = state.settings
    database: Database = state.database
    broker: Broker = state.broker
    hub: Hub = state.hub
    token, subprotocol = _credentials(websocket)
    params = websocket.query_params
    try:
        cursor = service.parse_cursor(params.get("scope"), params.get("after"), params.get("epoch"))
        async with database.transaction() as tx:
            opened = await service.open_stream(
                tx, settings, token, websocket.headers.get("x-popsell-brand"), cursor
            )
    except AppError as error:
        # Accept first: a close code is only seen by a client whose handshake succeeded.
        await websocket.accept(subprotocol)
        await websocket.close(_close_code(error), _reason(error))
        return

    await websocket.accept(subprotocol)
    caller, stream = opened.caller, opened.stream
    connection = Connection(stream, caller.id_ambassador, settings.ws_queue_size, opened.token_hash)
    hub.attach(connection)  # before the replay, so nothing falls between the two
    reader: asyncio.Task[None] | None = None
    try:
        replay = await broker.replay(stream, cursor.after, cursor.epoch)
        if connection.close_code is not None:  # its token was revoked meanwhile
            await _write(websocket, connection, settings.ws_max_lifetime_seconds)
            return
        connection.delivered = replay.last_seq
        connection.epoch = replay.epoch
        await websocket.send_text(
            control(
                "hello",
                stream=stream,
                epoch=replay.epoch,
                seq=replay.last_seq,
                heartbeat_seconds=settings.ws_heartbeat_seconds,
                max_lifetime_seconds=settings.ws_max_lifetime_seconds,
            )
        )
        if replay.frames is None:
            await websocket.send_text(control("resync", epoch=replay.epoch, seq=replay.last_seq))
        for _, text in replay.frames or ():
            if connection.close_code is not None:
                break
            await websocket.send_text(text)
        if await broker.connected(caller.id_ambassador, connection.id):
            await _announce(database, broker, caller, online=True)
        reader = asyncio.create_task(_read(websocket, connection))
        await _write(websocket, connection, settings.ws_max_lifetime_seconds)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the peer left while we were writing
    finally:
        hub.detach(connection)
        if reader is not None:
            reader.cancel()
        with contextlib.suppress(Exception):
            if await broker.disconnected(caller.id_ambassador, connection.id):
                await _announce(database, broker, caller, online=False)


def recheck(database: Database) -> Recheck:
    """The hub's periodic check of the tokens its sockets hold, in a transaction of its own."""

    async def dead_tokens(token_hashes: list[str]) -> set[str]:
        async with database.transaction() as tx:
            return await service.dead_tokens(tx, token_hashes)

    return dead_tokens


async def _announce(database: Database, broker: Broker, caller: Ambassador, online: bool) -> None:
    async with database.transaction() as tx:
        event = await service.presence_changed(tx, caller, online)
    await broker.publish([event])  # after the commit, as every event


async def _write(websocket: WebSocket, connection: Connection, lifetime: float) -> None:
    deadline = asyncio.get_running_loop().time() + lifetime
    try:
        async with asyncio.timeout_at(deadline):
            while (text := await connection.next_frame()) is not None:
                await websocket.send_text(text)
    except TimeoutError:
        connection.end(Close.LIFETIME)
    code = connection.close_code
    if code:  # 0: the peer already left
        await websocket.close(code, "Unauthorized." if code == Close.UNAUTHORIZED else None)


async def _read(websocket: WebSocket, connection: Connection) -> None:
    """Answer pings; notice when the peer leaves. Other client frames are ignored."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if _is_ping(message.get("text")):
                connection.offer(0, PONG)
    finally:
        connection.end(0)


def _is_ping(text: str | None) -> bool:
    if not text or len(text) > 64:
        return False
    try:
        return bool(orjson.loads(text) == {"type": "ping"})
    except orjson.JSONDecodeError:
        return False


def _close_code(error: AppError) -> int:
    if isinstance(error, Unauthorized):
        return Close.UNAUTHORIZED
    if isinstance(error, Forbidden):
        return Close.FORBIDDEN
    return Close.BAD_REQUEST


def _reason(error: AppError) -> str:
    if isinstance(error, Invalid):
        return str(error)[:120]  # a close reason is at most 123 bytes
    return "Unauthorized." if isinstance(error, Unauthorized) else "Forbidden."
