"""Rating changes become real-time events, published only after the transaction commits."""

import asyncio

import httpx
from fastapi import FastAPI

from salon.realtime.broker import MemoryBroker
from salon.realtime.events import Event, EventType
from tests.ratings.helpers import ask_rating, submit
from tests.support import Person


def drain(queue: "asyncio.Queue[Event]") -> list[Event]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_the_lifecycle_publishes_one_event_per_change(
    app: FastAPI,
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    broker: MemoryBroker = app.state.broker
    async with broker.subscribe() as queue:
        created = (await ask_rating(client, chatroom, ambassador, {})).json()
        id_rating = created["rating"]["id_rating"]
        await submit(client, id_rating, visitor, {"value": 3})
        await submit(client, id_rating, visitor, {"value": 4})
        await client.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
        events = drain(queue)

    assert [e.type for e in events] == [
        EventType.RATING_REQUESTED,
        EventType.RATING_SUBMITTED,
        EventType.RATING_CHANGED,
        EventType.RATING_DELETED,
    ]
    assert all(e.id_chatroom == chatroom for e in events)
    assert all(set(e.recipients) == {visitor.id, ambassador.id} for e in events)
    assert events[0].data == created
    assert events[2].data["value"] == 4
    assert events[3].data["date_delete"] is not None


async def test_a_refused_write_publishes_nothing(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    broker: MemoryBroker = app.state.broker
    await ask_rating(client, chatroom, ambassador, {})
    async with broker.subscribe() as queue:
        duplicate = await ask_rating(client, chatroom, ambassador, {})
        assert duplicate.status_code == 422
        refused = await ask_rating(client, chatroom, visitor, {"value": 9})
        assert refused.status_code == 422
        assert drain(queue) == []
