"""The WebSocket protocol of docs/realtime.md, through real sockets and the REST API.

"Nothing arrives" is always proven by order: after the write that must send nothing, a write
that must arrive is made, and it has to be the very next frame.
"""

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from salon.api.deps import Authenticated
from salon.api.routing import SalonRoute
from salon.config import Settings
from salon.errors import Invalid
from salon.messages import service as messages
from salon.messages.schemas import MessageCreate
from tests.ratings.helpers import ask_rating, submit
from tests.realtime.conftest import Live, Socket, realtime_settings, serve
from tests.support import Person, World, run_sql


async def post(http: httpx.AsyncClient, chatroom: int, author: Person, content: str) -> Any:
    response = await http.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=author.headers,
        json={"id_ambassador": author.id, "type_message": 0, "content": content},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_message_reaches_the_other_participant(
    live: Live, chatroom: int, visitor: Person, ambassador: Person, brand: int
) -> None:
    async with live.socket(visitor) as socket:
        assert socket.hello["stream"] == f"person:{visitor.id}"
        sent = await post(live.http, chatroom, ambassador, "Hello, how can I help?")
        frame = await socket.frame()
    assert frame == {
        "seq": socket.hello["seq"] + 1,
        "type": "message.created",
        "id_brand": brand,
        "id_chatroom": chatroom,
        "data": sent,
    }


async def test_a_non_participant_and_another_brand_get_nothing(
    live: Live, world: World, chatroom: int, visitor: Person, ambassador: Person, brand: int
) -> None:
    outsider = await world.person(brand, status=0)
    other_brand = await world.brand()
    foreign_staff = await world.person(other_brand, status=5)
    foreign_visitor = await world.person(other_brand, status=7)
    foreign_room = await world.chatroom(foreign_visitor, foreign_staff)
    outsider_room = await world.chatroom(outsider, ambassador)

    async with (
        live.socket(outsider) as outsider_socket,
        live.socket(foreign_staff, "?scope=brand") as foreign_socket,
    ):
        await post(live.http, chatroom, ambassador, "for the visitor only")
        await post(live.http, outsider_room, ambassador, "for the outsider")
        await post(live.http, foreign_room, foreign_visitor, "inside the other brand")
        assert (await outsider_socket.frame())["data"]["content"] == "for the outsider"
        # The brand stream also tells the staff member's own presence; then the message.
        presence = await foreign_socket.frame()
        assert presence["data"] == {"id_ambassador": foreign_staff.id, "online": True}
        assert (await foreign_socket.frame())["data"]["content"] == "inside the other brand"


async def test_brand_staff_follow_every_chatroom_of_their_brand(
    live: Live, world: World, chatroom: int, ambassador: Person, brand: int
) -> None:
    staff = await world.person(brand, status=5)
    async with live.socket(staff, "?scope=brand") as socket:
        assert socket.hello["stream"] == f"brand:{brand}"
        assert (await socket.frame())["type"] == "presence.changed"  # the staff member's own
        await post(live.http, chatroom, ambassador, "seen by staff")
        frame = await socket.frame()
    assert (frame["type"], frame["data"]["content"]) == ("message.created", "seen by staff")


async def test_the_rating_lifecycle_is_delivered_in_order(
    live: Live, chatroom: int, visitor: Person, ambassador: Person, manager: Person
) -> None:
    async with live.socket(visitor) as socket:
        asked = (await ask_rating(live.http, chatroom, ambassador, {})).json()
        id_rating = asked["rating"]["id_rating"]
        assert (await submit(live.http, id_rating, visitor, {"value": 3})).status_code == 200
        assert (await submit(live.http, id_rating, visitor, {"value": 4})).status_code == 200
        deleted = await live.http.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
        assert deleted.status_code == 200
        frames = await socket.frames(5)
    assert [f["type"] for f in frames] == [
        "message.created",
        "rating.requested",
        "rating.submitted",
        "rating.changed",
        "rating.deleted",
    ]
    assert [f["seq"] for f in frames] == list(range(frames[0]["seq"], frames[0]["seq"] + 5))
    # The rater's link goes to the brand's webhooks only: neither the answer nor a socket.
    assert "link" not in asked["rating"]
    assert frames[0]["data"] == frames[1]["data"] == asked
    assert "slr_" not in str(frames)
    assert frames[2]["data"]["value"] == 3
    assert frames[3]["data"]["value"] == 4
    assert frames[4]["data"]["date_delete"] is not None


async def test_refused_writes_send_nothing(
    live: Live, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    async with live.socket(visitor) as socket:
        await ask_rating(live.http, chatroom, ambassador, {})
        assert (await socket.frame())["type"] == "message.created"
        assert (await socket.frame())["type"] == "rating.requested"
        duplicate = await ask_rating(live.http, chatroom, ambassador, {})
        assert duplicate.status_code == 422
        await post(live.http, chatroom, ambassador, "after the refusal")
        assert (await socket.frame())["data"]["content"] == "after the refusal"


async def test_a_rolled_back_write_sends_nothing(
    settings: Settings,
    broker_kind: str,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    """A handler that posts a message (the event is queued) and then fails: the transaction
    rolls back, so neither the message nor its event exists."""
    app_settings = realtime_settings(settings, broker_kind)
    async with serve(app_settings) as live:

        async def post_then_fail(call: Authenticated) -> None:
            body = MessageCreate(id_ambassador=ambassador.id, type_message=0, content="lost")
            await messages.post_message(call.tx, call.settings, call.caller, chatroom, body)
            raise Invalid.field("content", "Refused after the write.")

        live.app.router.add_api_route(
            "/test/post-then-fail",
            post_then_fail,
            methods=["POST"],
            route_class_override=SalonRoute,
        )
        async with live.socket(visitor) as socket:
            failed = await live.http.post("/test/post-then-fail", headers=ambassador.headers)
            assert failed.status_code == 422
            await post(live.http, chatroom, ambassador, "committed")
            assert (await socket.frame())["data"]["content"] == "committed"
        count = "SELECT count(*) FROM message WHERE id_chatroom = :id"
        assert await run_sql(live.app, count, {"id": chatroom}) == [(1,)]


async def test_resume_delivers_exactly_the_missed_events_in_order_once(
    live: Live, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    async with live.socket(visitor) as socket:
        await post(live.http, chatroom, ambassador, "seen 1")
        await post(live.http, chatroom, ambassador, "seen 2")
        seen = await socket.frames(2)
        epoch = socket.hello["epoch"]
    cursor = seen[-1]["seq"]

    missed = [await post(live.http, chatroom, ambassador, f"missed {n}") for n in range(3)]
    await live.http.post(
        f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/read", headers=visitor.headers
    )

    async with live.socket(visitor, f"?after={cursor}&epoch={epoch}") as socket:
        assert socket.hello["seq"] == cursor + 4
        replayed = await socket.frames(4)
        await post(live.http, chatroom, ambassador, "live again")
        after = await socket.frame()
    assert [f["seq"] for f in replayed] == [cursor + 1, cursor + 2, cursor + 3, cursor + 4]
    assert [f["data"] for f in replayed[:3]] == missed
    assert replayed[3]["type"] == "read_marker.moved"
    assert (after["seq"], after["data"]["content"]) == (cursor + 5, "live again")


async def test_a_cursor_that_cannot_be_served_gets_resync(
    settings: Settings, broker_kind: str, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    kept = realtime_settings(settings, broker_kind, realtime_retention_events=2)
    async with serve(kept) as live:
        async with live.socket(visitor) as socket:
            epoch, start = socket.hello["epoch"], socket.hello["seq"]
        for n in range(3):
            await post(live.http, chatroom, ambassador, f"missed {n}")

        async with live.socket(visitor, f"?after={start}&epoch={epoch}") as socket:
            # Three missed, two kept: the client must refetch over REST.
            assert await socket.frame() == {"type": "resync", "epoch": epoch, "seq": start + 3}
            await post(live.http, chatroom, ambassador, "after the resync")
            assert (await socket.frame())["seq"] == start + 4

        async with live.socket(visitor, f"?after={start + 2}&epoch={epoch}") as socket:
            assert (await socket.frame())["data"]["content"] == "missed 2"  # still kept
        async with live.socket(visitor, f"?after={start}&epoch=another") as socket:
            assert (await socket.frame())["type"] == "resync"
        async with live.socket(visitor, f"?after={start + 99}&epoch={epoch}") as socket:
            assert (await socket.frame())["type"] == "resync"


async def test_a_quiet_stream_is_forgotten_and_its_numbering_starts_over(
    settings: Settings,
    broker_kind: str,
    world: World,
    brand: int,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    """Past the retention a quiet stream is forgotten (memory stays bounded by the streams in
    use). Its numbering starts over beyond every number it had, so a socket that stayed open
    through the quiet gets `resync` before the next event, and so does an old cursor."""
    others = [await world.person(brand, status=0) for _ in range(2)]
    elsewhere = await world.chatroom(*others)
    brief = realtime_settings(settings, broker_kind, realtime_retention_seconds=1)
    async with serve(brief) as live:
        async with live.socket(ambassador) as staying:
            epoch = staying.hello["epoch"]
            await post(live.http, chatroom, visitor, "before the quiet")
            old = (await staying.frame())["seq"]
            await asyncio.sleep(2.5)  # quiet past the retention
            # Someone else's event: the in-memory broker forgets quiet streams then (Redis lets
            # their keys expire).
            await post(live.http, elsewhere, others[0], "meanwhile, elsewhere")
            await post(live.http, chatroom, visitor, "after the quiet")
            await expect_a_new_numbering(staying, epoch, old, "after the quiet")
        async with live.socket(ambassador, f"?after={old}&epoch={epoch}") as socket:
            assert (await socket.frame())["type"] == "resync"


async def expect_a_new_numbering(socket: Socket, epoch: str, old: int, content: str) -> None:
    """A forgotten stream speaks again: `resync` with the number before its new first event,
    then the event, beyond every number it had."""
    resync = await socket.frame()
    assert (resync["type"], resync["epoch"]) == ("resync", epoch)
    after = await socket.frame()
    assert after["data"]["content"] == content
    assert after["seq"] == resync["seq"] + 1 > old + 1


async def test_the_memory_broker_keeps_at_most_its_number_of_streams(
    settings: Settings,
    world: World,
    brand: int,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    """Every new visitor a message reaches is a stream: past SALON_REALTIME_RETENTION_STREAMS
    the least recently used is forgotten, as a quiet one is (`resync`, then the event), so a
    burst of new people cannot grow the process's memory without bound."""
    others = [await world.person(brand, status=0) for _ in range(2)]
    elsewhere = await world.chatroom(*others)
    few = realtime_settings(settings, "memory", realtime_retention_streams=3)
    async with serve(few) as live:
        async with live.socket(ambassador) as socket:
            epoch = socket.hello["epoch"]
            await post(live.http, chatroom, visitor, "kept")
            kept = await socket.frame()
            # Two people and the brand: the ambassador's stream is now the fourth, the oldest.
            await post(live.http, elsewhere, others[0], "elsewhere")
            await post(live.http, chatroom, visitor, "after")
            await expect_a_new_numbering(socket, epoch, kept["seq"], "after")
        async with live.socket(ambassador, f"?after={kept['seq']}&epoch={epoch}") as again:
            assert (await again.frame())["type"] == "resync"


async def test_presence_goes_to_the_people_who_share_a_chatroom(
    live: Live, world: World, chatroom: int, visitor: Person, ambassador: Person, brand: int
) -> None:
    stranger = await world.person(brand, status=0)
    async with live.socket(visitor) as socket, live.socket(stranger) as stranger_socket:
        async with live.socket(ambassador), live.socket(ambassador):
            online = await socket.frame()
        offline = await socket.frame()  # once, when the second socket closed too
        await post(live.http, chatroom, ambassador, "after presence")
        assert (await socket.frame())["type"] == "message.created"
        stranger_room = await world.chatroom(stranger, visitor)
        await post(live.http, stranger_room, visitor, "stranger's first frame")
        assert (await stranger_socket.frame())["data"]["content"] == "stranger's first frame"
    assert online["type"] == offline["type"] == "presence.changed"
    assert online["id_chatroom"] is None
    assert online["data"] == {"id_ambassador": ambassador.id, "online": True}
    assert offline["data"] == {"id_ambassador": ambassador.id, "online": False}


@pytest.mark.parametrize(
    ("query", "token", "code"),
    [
        ("", None, 4401),
        ("", "sln_not-a-token", 4401),
        ("?scope=brand", "visitor", 4403),
        ("?scope=everything", "visitor", 4400),
        ("?after=-1", "visitor", 4400),
        ("?after=soon", "visitor", 4400),
    ],
)
async def test_a_refused_socket_is_closed_with_its_code(
    live: Live, visitor: Person, query: str, token: str | None, code: int
) -> None:
    secret = visitor.token if token == "visitor" else token
    async with live.socket(query=query, token=secret or "", hello=False) as socket:
        assert (await socket.closed())[0] == code


async def test_a_revoked_token_is_refused(live: Live, world: World, visitor: Person) -> None:
    await world.revoke(visitor)
    async with live.socket(visitor, hello=False) as socket:
        assert await socket.closed() == (4401, "Unauthorized.")


async def test_browsers_authenticate_with_a_subprotocol(
    live: Live, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    protocols = ["salon.v1", f"bearer.{visitor.token}"]
    async with live.socket(subprotocols=protocols) as socket:
        assert socket.connection.subprotocol == "salon.v1"
        assert socket.hello["stream"] == f"person:{visitor.id}"


async def test_heartbeats_pings_and_the_maximum_lifetime(
    settings: Settings, broker_kind: str, visitor: Person
) -> None:
    short = realtime_settings(
        settings, broker_kind, ws_heartbeat_seconds=0.2, ws_max_lifetime_seconds=1.5
    )
    async with serve(short) as live, live.socket(visitor) as socket:
        assert socket.hello["heartbeat_seconds"] == 0.2
        assert socket.hello["max_lifetime_seconds"] == 1.5
        await socket.connection.send('{"type": "ping"}')
        kinds = set()
        while "pong" not in kinds or "heartbeat" not in kinds:
            kinds.add(_type(await socket.connection.recv()))
        assert await _closed(socket) == 4000


def _type(raw: str | bytes) -> str:
    return str(orjson.loads(raw)["type"])


async def _closed(socket: Socket) -> int | None:
    return (await socket.closed())[0]
