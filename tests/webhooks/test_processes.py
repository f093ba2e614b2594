"""Deliveries by real `salon serve` processes: a delivery survives a SIGKILL between its
commit and its delivery, and two processes on one database deliver each event exactly once."""

import asyncio
import os
import subprocess
import sys
from typing import Any

import httpx

from salon.config import Settings
from tests.served import kill, serving, start
from tests.support import Person
from tests.webhooks.receiver import receiving

SERVED = {
    "SALON_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "SALON_WEBHOOK_RETRY_SCHEDULE_SECONDS": "0.1,0.1",
    "SALON_WEBHOOK_TIMEOUT_SECONDS": "3",  # a lease of 7 s
    "SALON_WEBHOOK_POLL_SECONDS": "0.05",  # processes compete for every row
    "SALON_WRITES_PER_MINUTE": "100000",
}


async def register(http: httpx.AsyncClient, manager: Person, url: str) -> dict[str, Any]:
    response = await http.post(
        "/manager/webhooks",
        headers=manager.headers,
        json={"url": url, "event_types": ["message.created"]},
    )
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def post(http: httpx.AsyncClient, chatroom: int, author: Person, text: str) -> Any:
    response = await http.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=author.headers,
        json={"id_ambassador": author.id, "content": text, "type_message": 0},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def only_delivery(http: httpx.AsyncClient, manager: Person, id_webhook: int) -> Any:
    response = await http.get(f"/manager/webhooks/{id_webhook}/deliveries", headers=manager.headers)
    [delivery] = response.json()["data"]
    return delivery


async def test_sigkill_during_an_attempt_then_restart_delivers_it(
    settings: Settings, manager: Person, ambassador: Person, chatroom: int
) -> None:
    with receiving() as receiver:
        receiver.holding.set()  # the first attempt gets no answer
        server = start(settings.database_url, env=SERVED)
        try:
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                endpoint = await register(http, manager, receiver.url)
                sent = await post(http, chatroom, ambassador, "committed, then killed")
            [first] = await receiver.wait_for(1)
        finally:
            kill(server)  # after the commit, before any answer: nothing recorded it delivered
        receiver.holding.clear()

        with serving(settings.database_url, env=SERVED) as restarted:
            # Taken again once the killed process's lease ends.
            [_, second] = await receiver.wait_for(2, within=30)
            assert await receiver.quiet() == [first, second]
            async with httpx.AsyncClient(base_url=restarted.base_url) as http:
                delivery = await only_delivery(http, manager, endpoint["id_webhook"])
    assert second.event_id == first.event_id
    assert second.json["data"] == sent
    assert delivery["status"] == "delivered"


async def test_sigkill_before_any_attempt_then_restart_delivers_it(
    settings: Settings, manager: Person, ambassador: Person, chatroom: int
) -> None:
    with receiving() as receiver:
        # A process that only records deliveries: it is killed with its delivery unsent.
        server = start(settings.database_url, env=SERVED | {"SALON_WEBHOOK_WORKER": "false"})
        try:
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                endpoint = await register(http, manager, receiver.url)
                sent = await post(http, chatroom, ambassador, "committed, never sent")
        finally:
            kill(server)
        assert receiver.received == []

        with serving(settings.database_url, env=SERVED) as restarted:
            [received] = await receiver.wait_for(1, within=30)
            assert await receiver.quiet() == [received]
            async with httpx.AsyncClient(base_url=restarted.base_url) as http:
                delivery = await only_delivery(http, manager, endpoint["id_webhook"])
    assert received.json["data"] == sent
    assert delivery["status"] == "delivered"


async def test_two_processes_deliver_each_event_exactly_once(
    settings: Settings, manager: Person, ambassador: Person, chatroom: int
) -> None:
    events = 60
    with (
        receiving() as receiver,
        serving(settings.database_url, env=SERVED) as a,
        serving(settings.database_url, env=SERVED) as b,
    ):
        async with (
            httpx.AsyncClient(base_url=a.base_url) as on_a,
            httpx.AsyncClient(base_url=b.base_url) as on_b,
        ):
            await register(on_a, manager, receiver.url)
            sent = await asyncio.gather(
                *(
                    post(on_a if n % 2 else on_b, chatroom, ambassador, f"message {n}")
                    for n in range(events)
                )
            )
        await receiver.wait_for(events, within=30)
        received = await receiver.quiet(1.0)
    ids = [r.event_id for r in received]
    assert len(ids) == len(set(ids)) == events, "each event once, none lost"
    assert sorted(r.json["data"]["id_message"] for r in received) == sorted(
        m["id_message"] for m in sent
    )


def start_worker(env: dict[str, str]) -> "subprocess.Popen[bytes]":
    command = [sys.executable, "-m", "salon", "webhook", "work"]
    return subprocess.Popen(command, env=env)  # noqa: S603


async def test_a_process_that_only_delivers_beside_servers_that_only_record(
    settings: Settings, manager: Person, ambassador: Person, chatroom: int
) -> None:
    """`salon webhook work` delivers what `salon serve` processes without a worker record,
    and stops cleanly on SIGTERM."""
    env = os.environ | {"SALON_DATABASE_URL": settings.database_url, **SERVED}
    with (
        receiving() as receiver,
        serving(settings.database_url, env=SERVED | {"SALON_WEBHOOK_WORKER": "false"}) as api,
    ):
        worker = start_worker(env)
        try:
            async with httpx.AsyncClient(base_url=api.base_url) as http:
                await register(http, manager, receiver.url)
                sent = await post(http, chatroom, ambassador, "sent by the worker process")
            [received] = await receiver.wait_for(1, within=30)
        finally:
            worker.terminate()
            assert worker.wait(timeout=30) == 0
    assert received.json["data"] == sent
