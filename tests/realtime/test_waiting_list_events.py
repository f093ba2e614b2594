"""The waiting list's events (docs/realtime.md) through real sockets: a visitor joining reaches
the brand's members, and a member taking the entry reaches the visitor and the others."""

from tests.realtime.conftest import Live
from tests.support import Person, World


async def test_joining_reaches_the_members_and_taking_reaches_the_visitor(
    live: Live, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    colleague = await world.person(brand, status=6)
    foreign = await world.person(await world.brand(), status=0)
    async with (
        live.socket(visitor) as visitor_socket,
        live.socket(colleague) as colleague_socket,
        live.socket(foreign) as foreign_socket,
    ):
        joined = await live.http.post(
            "/chat/waiting-list", headers=visitor.headers, json={"content": "Help me"}
        )
        assert joined.status_code == 201, joined.text
        entry = joined.json()
        frame = await colleague_socket.frame()
        assert frame == {
            "seq": colleague_socket.hello["seq"] + 1,
            "type": "waiting_list.joined",
            "id_brand": brand,
            "id_chatroom": None,
            "data": entry,
        }

        taken = await live.http.post(
            f"/chat/waiting-list/{entry['id_waiting_list']}/take", headers=ambassador.headers
        )
        assert taken.status_code == 200, taken.text
        room = taken.json()["id_chatroom"]
        # The visitor: the new chatroom, then the entry taken (joining sent the visitor
        # nothing: the visitor is no member).
        created, took = await visitor_socket.frames(2)
        assert (created["type"], created["id_chatroom"]) == ("chatroom.created", room)
        assert took["type"] == "waiting_list.taken"
        assert took["id_chatroom"] == room
        assert took["data"] == taken.json()
        assert took["seq"] == visitor_socket.hello["seq"] + 2
        # Another member learns it is taken: the next frame after the join.
        other = await colleague_socket.frame()
        assert (other["type"], other["data"]) == ("waiting_list.taken", taken.json())

        # Another brand heard nothing: its member's next frame is its own brand's join.
        foreign_visitor = await world.person(foreign.id_brand, status=7)
        own = await live.http.post(
            "/chat/waiting-list", headers=foreign_visitor.headers, json={"content": "Hi"}
        )
        frame = await foreign_socket.frame()
        assert (frame["type"], frame["data"]) == ("waiting_list.joined", own.json())
        assert frame["seq"] == foreign_socket.hello["seq"] + 1


async def test_leaving_reaches_the_members(
    live: Live, brand: int, visitor: Person, ambassador: Person
) -> None:
    async with live.socket(ambassador) as socket:
        joined = await live.http.post(
            "/chat/waiting-list", headers=visitor.headers, json={"content": "Help me"}
        )
        entry = joined.json()
        assert (await socket.frame())["type"] == "waiting_list.joined"
        left = await live.http.delete(
            f"/chat/waiting-list/{entry['id_waiting_list']}", headers=visitor.headers
        )
        assert left.status_code == 204
        frame = await socket.frame()
    assert frame["type"] == "waiting_list.left"
    assert frame["data"]["id_waiting_list"] == entry["id_waiting_list"]
    assert frame["data"]["date_delete"] is not None
