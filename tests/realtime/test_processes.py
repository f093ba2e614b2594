"""Two `salon serve` processes sharing one Redis (and one database): an event committed on one
reaches a socket held by the other, and a cursor from one resumes on the other."""

import secrets

import httpx
import pytest

from salon.config import Settings
from tests.conftest import REDIS_URL
from tests.realtime.conftest import open_socket
from tests.realtime.test_sockets import post
from tests.served import serving
from tests.support import Person

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (make test starts one)")


async def test_a_write_on_one_process_reaches_a_socket_on_another(
    settings: Settings, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    shared = {
        "SALON_REDIS_URL": REDIS_URL,
        "SALON_REDIS_PREFIX": f"test-{secrets.token_hex(6)}:",
        "SALON_WRITES_PER_MINUTE": "10000",
    }
    with (
        serving(settings.database_url, env=shared) as a,
        serving(settings.database_url, env=shared) as b,
    ):
        ws_a, ws_b = (s.base_url.replace("http://", "ws://") for s in (a, b))
        async with httpx.AsyncClient(base_url=a.base_url) as on_a:
            async with open_socket(ws_b, visitor) as socket:
                sent = await post(on_a, chatroom, ambassador, "from process A")
                delivered = await socket.frame()
                epoch = socket.hello["epoch"]
            assert delivered["data"] == sent
            assert delivered["seq"] == socket.hello["seq"] + 1

            # The visitor drops off process B, misses two messages, and resumes on A.
            missed = [await post(on_a, chatroom, ambassador, f"missed {n}") for n in range(2)]
            query = f"?after={delivered['seq']}&epoch={epoch}"
            async with open_socket(ws_a, visitor, query) as socket:
                replayed = await socket.frames(2)
            assert [f["data"] for f in replayed] == missed

            # Presence is counted across processes: online once, offline once.
            async with open_socket(ws_a, visitor) as watcher:
                async with open_socket(ws_b, ambassador), open_socket(ws_a, ambassador):
                    online = await watcher.frame()
                offline = await watcher.frame()
                await post(on_a, chatroom, ambassador, "then a message")
                assert (await watcher.frame())["type"] == "message.created"
    assert online["data"] == {"id_ambassador": ambassador.id, "online": True}
    assert offline["data"] == {"id_ambassador": ambassador.id, "online": False}
