import httpx

from salon.db.query import query
from tests.support import Scene, World


async def build_scene(client: httpx.AsyncClient, world: World) -> Scene:
    brand = await world.brand()
    visitor = await world.person(brand, status=7)
    ambassador = await world.person(brand, status=0)
    member = await world.person(brand, status=6)
    manager = await world.person(brand, status=5)
    outsider = await world.person(brand, status=0)
    foreign = await world.person(await world.brand(), status=5)
    chatroom = await world.chatroom(visitor, ambassador, member)
    question = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=visitor.headers,
        json={"id_ambassador": visitor.id, "content": "Hi, a question?", "type_message": 0},
    )
    assert question.status_code == 201, question.text
    posted = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        json={"id_ambassador": ambassador.id, "content": "Hello!", "type_message": 0},
    )
    assert posted.status_code == 201, posted.text
    asked = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        headers=ambassador.headers,
        json={"id_user_rater": visitor.id},
    )
    assert asked.status_code == 201, asked.text
    hook = await client.post(
        "/manager/webhooks",
        headers=manager.headers,
        json={"url": "https://hooks.example.com/in", "enabled": False},
    )
    assert hook.status_code == 201, hook.text
    webhook = hook.json()["id_webhook"]
    tested = await client.post(f"/manager/webhooks/{webhook}/test", headers=manager.headers)
    assert tested.status_code == 202, tested.text
    # As if it had failed (its endpoint is disabled: nothing is sent), so it can be redelivered.
    async with world.database.transaction() as tx:
        await tx.execute(
            query("UPDATE webhook_delivery SET status = 2 WHERE id_delivery = :id"),
            {"id": tested.json()["id_delivery"]},
        )
    entries = []
    for content in ("Someone to help?", "Still there?"):
        joined = await client.post(
            "/chat/waiting-list", headers=visitor.headers, json={"content": content}
        )
        assert joined.status_code == 201, joined.text
        entries.append(joined.json()["id_waiting_list"])
        if len(entries) == 1:
            took = await client.post(
                f"/chat/waiting-list/{entries[0]}/take", headers=member.headers
            )
            assert took.status_code == 200, took.text
    tag = await client.post(
        "/manager/brand-tags",
        headers=manager.headers,
        json={"names": [{"lang": "en_GB", "content": "Experts"}]},
    )
    assert tag.status_code == 201, tag.text
    topic = await client.post(
        "/manager/chat-topics",
        headers=manager.headers,
        json={
            "active": True,
            "position": 1,
            "color": "#FF0000",
            "contents": [{"lang": "en_GB", "content": "Advice"}],
        },
    )
    assert topic.status_code == 201, topic.text
    return Scene(
        visitor,
        ambassador,
        member,
        manager,
        outsider,
        foreign,
        chatroom,
        posted.json()["id_message"],
        asked.json()["rating"]["id_rating"],
        webhook,
        tested.json()["id_delivery"],
        await world.person(brand, status=0, active=0),
        entries[1],
        entries[0],
        tag.json()["id_brand_tag"],
        topic.json()["id_chat_topic"],
    )
