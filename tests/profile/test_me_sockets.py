"""A password change on `PATCH /{environment}/me` closes the person's other sockets at once,
and keeps the session that made it."""

from salon.config import Settings
from tests.realtime.conftest import broker_kind, realtime_settings, serve
from tests.realtime.test_revocation import NO_RECHECK, assert_revoked_and_other_alive
from tests.realtime.test_sockets import post
from tests.support import Person, World

__all__ = ["broker_kind"]  # the fixture: each broker


async def test_a_password_change_closes_the_other_sessions_sockets(
    settings: Settings,
    broker_kind: str,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    other_session = await world.token_for(ambassador.id)
    app_settings = realtime_settings(settings, broker_kind, ws_token_recheck_seconds=NO_RECHECK)
    async with (
        serve(app_settings) as live,
        live.socket(other_session) as revoked,
        live.socket(ambassador) as kept,
    ):
        await post(live.http, chatroom, visitor, "before")
        for socket in (revoked, kept):
            assert (await socket.frame())["data"]["content"] == "before"
        body = {"password": "a fresh passphrase", "password_confirmation": "a fresh passphrase"}
        changed = await live.http.patch("/widget/me", headers=ambassador.headers, json=body)
        assert changed.status_code == 200, changed.text
        await assert_revoked_and_other_alive(live.http, chatroom, visitor, [revoked], kept)
