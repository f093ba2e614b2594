"""A revoked token's sockets close with 4401 at once, on every process (issue #11, item 5).

Each test holds two tokens of one person: the revoked token's sockets must close without
receiving what was posted after the revocation, and the other token's socket must stay open and
keep receiving. Unless a test is about the periodic recheck, the recheck is pushed out of reach
(an hour), so the close can only come from the revocation's announcement.
"""

import asyncio
import os
import secrets
import sys
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from salon.api.deps import Authenticated
from salon.api.routing import SalonRoute
from salon.auth import service as auth
from salon.config import Settings
from salon.errors import Invalid
from tests.conftest import REDIS_URL
from tests.realtime.conftest import WAIT, Socket, open_socket, realtime_settings, serve
from tests.realtime.test_sockets import post
from tests.served import serving
from tests.support import Person, World

NO_RECHECK = 3600.0
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="needs a Redis server (make test starts one)"
)


async def until_closed(socket: Socket) -> tuple[list[dict[str, Any]], int | None, str | None]:
    """The frames a socket receives until the server closes it, then the close code and reason.
    Fails when the socket is still open after WAIT seconds."""
    frames = []
    try:
        while True:
            raw = await asyncio.wait_for(socket.connection.recv(), WAIT)
            frames.append(orjson.loads(raw))
    except ConnectionClosed:
        pass
    except TimeoutError:
        pytest.fail(f"the socket was still open {WAIT} s after its token was revoked")
    return frames, socket.connection.close_code, socket.connection.close_reason


def contents(frames: list[dict[str, Any]]) -> list[str]:
    return [f["data"]["content"] for f in frames if f["type"] == "message.created"]


async def revoke_over_http(http: httpx.AsyncClient, person: Person) -> None:
    response = await http.delete("/auth/token", headers=person.headers)
    assert response.status_code == 204, response.text


async def salon_cli(*args: str, env: dict[str, str]) -> Any:
    """`salon ARGS` in a process of its own, as an operator would run it; its output, as JSON
    when it prints JSON."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "salon",
        *args,
        env=os.environ | env,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    return orjson.loads(output) if output.lstrip().startswith((b"{", b"[")) else output.decode()


async def assert_revoked_and_other_alive(
    http: httpx.AsyncClient,
    chatroom: int,
    ambassador: Person,
    revoked: list[Socket],
    other: Socket,
) -> None:
    """After the revocation: a message is posted; the revoked sockets close with 4401 without
    it, and the other token's socket receives it."""
    await post(http, chatroom, ambassador, "after the revocation")
    for socket in revoked:
        frames, code, reason = await until_closed(socket)
        assert (code, reason) == (4401, "Unauthorized.")
        assert "after the revocation" not in contents(frames)
    assert (await other.frame())["data"]["content"] == "after the revocation"


async def test_delete_auth_token_closes_the_tokens_sockets_at_once(
    settings: Settings,
    broker_kind: str,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    other_token = await world.token_for(visitor.id)
    app_settings = realtime_settings(settings, broker_kind, ws_token_recheck_seconds=NO_RECHECK)
    async with (
        serve(app_settings) as live,
        live.socket(visitor) as first,
        live.socket(visitor) as second,  # a second tab with the same token
        live.socket(other_token) as other,
    ):
        await post(live.http, chatroom, ambassador, "before")
        for socket in (first, second, other):
            assert (await socket.frame())["data"]["content"] == "before"

        await revoke_over_http(live.http, visitor)
        await assert_revoked_and_other_alive(
            live.http, chatroom, ambassador, [first, second], other
        )
        async with live.socket(visitor, hello=False) as again:
            assert (await again.closed())[0] == 4401


@needs_redis
async def test_a_revocation_served_by_one_process_closes_the_socket_held_by_another(
    settings: Settings, world: World, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    other_token = await world.token_for(visitor.id)
    shared = {
        "SALON_REDIS_URL": REDIS_URL,
        "SALON_REDIS_PREFIX": f"test-{secrets.token_hex(6)}:",
        "SALON_WRITES_PER_MINUTE": "10000",
        "SALON_WS_TOKEN_RECHECK_SECONDS": str(NO_RECHECK),
    }
    with (
        serving(settings.database_url, env=shared) as a,
        serving(settings.database_url, env=shared) as b,
    ):
        ws_a, ws_b = (s.base_url.replace("http://", "ws://") for s in (a, b))
        async with (
            httpx.AsyncClient(base_url=a.base_url) as on_a,
            open_socket(ws_b, visitor) as revoked,
            open_socket(ws_a, other_token) as other,
        ):
            await post(on_a, chatroom, ambassador, "before")
            for socket in (revoked, other):
                assert (await socket.frame())["data"]["content"] == "before"

            await revoke_over_http(on_a, visitor)
            await assert_revoked_and_other_alive(on_a, chatroom, ambassador, [revoked], other)


@needs_redis
async def test_salon_token_revoke_announces_through_redis(
    settings: Settings, world: World, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    other_token = await world.token_for(visitor.id)
    app_settings = realtime_settings(settings, "redis", ws_token_recheck_seconds=NO_RECHECK)
    cli_env = {
        "SALON_DATABASE_URL": settings.database_url,
        "SALON_REDIS_URL": REDIS_URL,
        "SALON_REDIS_PREFIX": app_settings.redis_prefix,
    }
    async with (
        serve(app_settings) as live,
        live.socket(visitor) as revoked,
        live.socket(other_token) as other,
    ):
        await salon_cli("token", "revoke", visitor.token, env=cli_env)
        await assert_revoked_and_other_alive(live.http, chatroom, ambassador, [revoked], other)


@needs_redis
async def test_revoking_a_persons_tokens_in_bulk_closes_their_sockets(
    settings: Settings, world: World
) -> None:
    """`salon token revoke --ambassador N` revokes all of a person's tokens (`revoke_tokens`)."""
    app_settings = realtime_settings(settings, "redis", ws_token_recheck_seconds=NO_RECHECK)
    cli_env = {
        "SALON_DATABASE_URL": settings.database_url,
        "SALON_REDIS_URL": REDIS_URL,
        "SALON_REDIS_PREFIX": app_settings.redis_prefix,
    }
    demo = await salon_cli("demo", "--json", env=cli_env)
    vera, ada = demo["ambassadors"][0], demo["ambassadors"][1]
    second = await world.token_for(vera["id_ambassador"])
    async with (
        serve(app_settings) as live,
        live.socket(token=vera["token"]) as first_socket,
        live.socket(second) as second_socket,
        live.socket(token=ada["token"]) as other,
    ):
        revoke = ("token", "revoke", "--ambassador", str(vera["id_ambassador"]))
        assert await salon_cli(*revoke, env=cli_env) == "2 token(s) revoked\n"
        for socket in (first_socket, second_socket):
            _, code, reason = await until_closed(socket)
            assert (code, reason) == (4401, "Unauthorized.")
        author = await world.token_for(ada["id_ambassador"])
        await post(live.http, demo["chatrooms"][0]["id_chatroom"], author, "after the revocation")
        frame = await other.frame()
        while frame["type"] != "message.created":  # Vera's going offline comes first
            frame = await other.frame()
        assert frame["data"]["content"] == "after the revocation"


async def test_without_redis_each_process_rechecks_its_sockets_tokens(
    settings: Settings, world: World, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    """`salon token revoke` without Redis cannot reach a server's memory: the server's periodic
    recheck of its sockets' tokens closes the socket instead."""
    other_token = await world.token_for(visitor.id)
    app_settings = realtime_settings(settings, "memory", ws_token_recheck_seconds=0.2)
    cli_env = {"SALON_DATABASE_URL": settings.database_url}
    async with (
        serve(app_settings) as live,
        live.socket(visitor) as revoked,
        live.socket(other_token) as other,
    ):
        await salon_cli("token", "revoke", visitor.token, env=cli_env)
        _, code, reason = await until_closed(revoked)
        assert (code, reason) == (4401, "Unauthorized.")
        await post(live.http, chatroom, ambassador, "after the recheck")
        assert (await other.frame())["data"]["content"] == "after the recheck"


async def test_a_disabled_persons_sockets_close(
    settings: Settings,
    broker_kind: str,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    """No route disables a person (`active` < 0): it happens outside the API, so the recheck
    finds it. All of the person's sockets close; the other participant's stays open."""
    other_token = await world.token_for(visitor.id)
    app_settings = realtime_settings(settings, broker_kind, ws_token_recheck_seconds=0.2)
    async with (
        serve(app_settings) as live,
        live.socket(visitor) as first,
        live.socket(other_token) as second,
        live.socket(ambassador) as bystander,
    ):
        await world.set_active(visitor, -1)
        for socket in (first, second):
            _, code, _ = await until_closed(socket)
            assert code == 4401
        await post(live.http, chatroom, ambassador, "still here")
        frame = await bystander.frame()
        while frame["type"] == "presence.changed":  # the visitor went offline
            frame = await bystander.frame()
        assert frame["data"]["content"] == "still here"


async def test_a_rolled_back_revocation_announces_nothing(
    settings: Settings,
    broker_kind: str,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    app_settings = realtime_settings(settings, broker_kind, ws_token_recheck_seconds=NO_RECHECK)
    async with serve(app_settings) as live:

        async def revoke_then_fail(call: Authenticated) -> None:
            assert await auth.revoke_token(call.tx, visitor.token)
            raise Invalid.field("token", "Refused after the revocation.")

        live.app.router.add_api_route(
            "/test/revoke-then-fail",
            revoke_then_fail,
            methods=["POST"],
            route_class_override=SalonRoute,
        )
        async with live.socket(visitor) as socket:
            failed = await live.http.post("/test/revoke-then-fail", headers=visitor.headers)
            assert failed.status_code == 422
            await post(live.http, chatroom, ambassador, "still live")
            assert (await socket.frame())["data"]["content"] == "still live"
        still = await live.http.get(f"/chat/chatrooms/{chatroom}", headers=visitor.headers)
        assert still.status_code == 200
