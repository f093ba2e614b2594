"""What an operator sees: request ids, health routes, the JSON access log of a real `salon
serve`, and Prometheus metrics summed over two worker processes."""

import asyncio
import json
import secrets
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from salon.config import Settings
from tests.conftest import REDIS_URL
from tests.realtime.conftest import open_socket
from tests.served import free_port, serving
from tests.support import Person
from tests.webhooks.receiver import receiving

RATINGS = "/chat/chatrooms/{chatroom}/ratings"
MESSAGES = "/chat/chatrooms/{chatroom}/messages"


# ---- Request ids ------------------------------------------------------------------------


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32
    assert int(generated.headers["x-request-id"], 16) >= 0
    again = await client.get("/health/live")
    assert again.headers["x-request-id"] != generated.headers["x-request-id"]

    kept = await client.get("/health/live", headers={"X-Request-ID": "lb-7f3a:42"})
    assert kept.headers["x-request-id"] == "lb-7f3a:42"
    # What could forge a log line or grow without bound is replaced, not echoed.
    for unsafe in ("two words", "x" * 129, 'quote"d'):
        replaced = await client.get("/health/live", headers={"X-Request-ID": unsafe})
        assert replaced.headers["x-request-id"] != unsafe
        assert len(replaced.headers["x-request-id"]) == 32

    # The request guard's refusals carry one too.
    too_large = await client.post(
        "/chat/chatrooms/1/messages", content=b"{" + b" " * 300_000 + b"}"
    )
    assert too_large.status_code == 413
    assert len(too_large.headers["x-request-id"]) == 32


# ---- Health -----------------------------------------------------------------------------


async def test_live_and_ready_without_redis(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own, which it may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        if REDIS_URL:  # make test has Redis: this test must run
            pytest.fail("redis-server is not on PATH (apt-get install redis-server)")
        pytest.skip("needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_ready_names_the_check_that_fails_while_live_answers(
    settings: Settings, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    redis_url, redis = own_redis
    for _ in range(50):  # until Redis accepts connections
        if redis_listens(redis_url):
            break
        time.sleep(0.1)
    with serving(settings.database_url, env={"SALON_REDIS_URL": redis_url}) as server:
        ready = httpx.get(f"{server.base_url}/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}

        redis.kill()
        redis.wait(timeout=10)
        ready = httpx.get(f"{server.base_url}/health/ready", timeout=10)
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
        live = httpx.get(f"{server.base_url}/health/live")
        assert live.status_code == 200


def redis_listens(redis_url: str) -> bool:
    host, port = redis_url.removeprefix("redis://").split("/")[0].split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


@pytest.mark.sqlite_only
def test_ready_answers_at_once_while_another_process_holds_the_write_lock(
    settings: Settings,
) -> None:
    """A reader does not wait for SQLite's writer: neither does the probe, nor, so, the
    process (a BEGIN IMMEDIATE would have waited on the event loop for the busy timeout)."""
    with serving(settings.database_url) as server:
        path = settings.database_url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            ready = httpx.get(f"{server.base_url}/health/ready", timeout=10)
            live = httpx.get(f"{server.base_url}/health/live", timeout=10)
            elapsed = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert ready.status_code == 200, ready.text
        assert live.status_code == 200
        assert elapsed < 2


# ---- The access log ---------------------------------------------------------------------


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_one_json_line_per_request_and_never_a_secret(
    settings: Settings, visitor: Person, ambassador: Person, chatroom: int, tmp_path: Path
) -> None:
    log = tmp_path / "salon.log"
    env = {"SALON_LOG_FORMAT": "json", "SALON_LOG_LEVEL": "info"}
    body_secret = f"body-{secrets.token_hex(8)}"
    query_secret = f"query-{secrets.token_hex(8)}"
    with serving(settings.database_url, env=env, log=log) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            asked = await http.post(
                f"/chat/chatrooms/{chatroom}/ratings",
                headers=ambassador.headers | {"X-Request-ID": "rate-1"},
                json={"id_user_rater": visitor.id},
            )
            assert asked.status_code == 201, asked.text
            posted = await http.post(
                f"/chat/chatrooms/{chatroom}/messages",
                headers=visitor.headers,
                json={"id_ambassador": visitor.id, "content": body_secret, "type_message": 0},
            )
            assert posted.status_code == 201
            listed = await http.get(
                f"/chat/chatrooms/{chatroom}/messages?token={query_secret}",
                headers=visitor.headers,
            )
            assert listed.status_code == 200
            unknown = await http.get("/no/such/route", headers={"X-Request-ID": "lost-1"})
            assert unknown.status_code == 404
            ws_url = server.base_url.replace("http://", "ws://")
            async with open_socket(ws_url, visitor, f"?after=0&token={query_secret}"):
                pass
        # A client that hangs up in the middle of its body gets no answer: 499, not a 500.
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as raw:
            raw.sendall(
                f"POST /chat/chatrooms/{chatroom}/ratings HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode()
            )
        await asyncio.sleep(0.5)
    text = log.read_text()
    lines = log_lines(log)  # every line is JSON, uvicorn's own included
    for secret in (ambassador.token, visitor.token, body_secret, query_secret):
        assert secret not in text
    access = [line for line in lines if line["logger"] == "salon.access"]
    assert [(a["method"], a["route"], a["status"]) for a in access[-5:]] == [
        ("POST", RATINGS, 201),
        ("POST", MESSAGES, 201),
        ("GET", MESSAGES, 200),
        ("GET", "(unmatched)", 404),
        ("POST", "(unmatched)", 499),  # refused before routing: the body never came
    ]
    rating, message, listing, lost, _ = access[-5:]
    assert rating["request_id"] == "rate-1"
    assert rating["caller"] == ambassador.id
    assert message["caller"] == listing["caller"] == visitor.id
    assert lost["caller"] is None
    assert lost["request_id"] == "lost-1"
    assert listing["path"] == f"/chat/chatrooms/{chatroom}/messages"  # no query string
    for line in (rating, message, listing):
        assert 0 < line["db_ms"] <= line["duration_ms"]
        assert line["client"] == "127.0.0.1"
        assert line["level"] == "info"


# ---- Metrics ----------------------------------------------------------------------------


async def scrape(http: httpx.AsyncClient, token: str) -> dict[Any, float]:
    """Every sample of one /metrics answer, by name and labels."""
    answer = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_add_up_over_two_workers(
    settings: Settings,
    visitor: Person,
    ambassador: Person,
    manager: Person,
    chatroom: int,
    tmp_path: Path,
) -> None:
    token = secrets.token_urlsafe(16)
    folder = tmp_path / "metrics"
    env = {
        "SALON_METRICS": "true",
        "SALON_METRICS_TOKEN": token,
        "SALON_WRITES_PER_MINUTE": "5",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "SALON_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "SALON_WEBHOOK_POLL_SECONDS": "0.1",
    }
    if REDIS_URL:  # two workers share events through Redis, when there is one
        env |= {"SALON_REDIS_URL": REDIS_URL, "SALON_REDIS_PREFIX": f"t{secrets.token_hex(4)}:"}
    with receiving() as receiver, serving(settings.database_url, workers=2, env=env) as server:
        # A new connection for every request: both workers answer some.
        fresh = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.base_url, limits=fresh) as http:
            await exercise(http, receiver.port, token, visitor, ambassador, manager, chatroom)
            # Whichever worker answers, the sums are the same.
            for _ in range(6):
                samples = await scrape(http, token)
                post = {"method": "POST", "route": MESSAGES}
                assert value(samples, "salon_http_requests_total", **post, status="201") == 5
                assert value(samples, "salon_http_requests_total", **post, status="429") == 1
                assert value(samples, "salon_rate_limit_refusals_total", route=MESSAGES) == 1
                get = {"method": "GET", "route": MESSAGES}
                assert value(samples, "salon_http_requests_total", **get, status="200") == 10
                assert value(samples, "salon_http_request_duration_seconds_count", **get) == 10
                assert value(samples, "salon_http_request_database_seconds_count", **get) == 10
                database = value(samples, "salon_http_request_database_seconds_sum", **get)
                total = value(samples, "salon_http_request_duration_seconds_sum", **get)
                assert 0 < database < total
                assert value(samples, "salon_realtime_events_published_total") >= 5
                assert value(samples, "salon_webhook_attempt_duration_seconds_count") == 5
                other = {"method": "OTHER", "route": "/health/live", "status": "405"}
                assert value(samples, "salon_http_requests_total", **other) == 3
        assert len(receiver.received) == 5
        writers = {path.name.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}
        assert len(writers) == 2, writers  # both workers wrote values, and /metrics added them


async def exercise(
    http: httpx.AsyncClient,
    receiver_port: int,
    token: str,
    visitor: Person,
    ambassador: Person,
    manager: Person,
    chatroom: int,
) -> None:
    """Refused scrapes, 5 messages and a 429, 10 reads, two sockets opened and closed, and
    the 5 webhook deliveries of the messages."""
    assert (await http.get("/metrics")).status_code == 401
    wrong = await http.get("/metrics", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    created = await http.post(
        "/manager/webhooks",
        headers=manager.headers,
        json={"url": f"http://127.0.0.1:{receiver_port}/", "event_types": ["message.created"]},
    )
    assert created.status_code == 201, created.text
    statuses = []
    for number in range(6):
        posted = await http.post(
            f"/chat/chatrooms/{chatroom}/messages",
            headers=ambassador.headers,
            json={"id_ambassador": ambassador.id, "content": f"m{number}", "type_message": 0},
        )
        statuses.append(posted.status_code)
    assert statuses == [201] * 5 + [429]
    for _ in range(10):
        listed = await http.get(f"/chat/chatrooms/{chatroom}/messages", headers=visitor.headers)
        assert listed.status_code == 200

    for method in ("PROPFIND", "MKCOL", "LOCK"):  # 405s, counted under one label
        assert (await http.request(method, "/health/live")).status_code == 405

    ws_url = str(http.base_url).rstrip("/").replace("http://", "ws://")
    async with open_socket(ws_url, visitor), open_socket(ws_url, ambassador):
        assert value(await scrape(http, token), "salon_websockets_open") == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        samples = await scrape(http, token)
        delivered = value(samples, "salon_webhook_attempts_total", outcome="delivered")
        if value(samples, "salon_websockets_open") == 0 and delivered == 5:
            break
        await asyncio.sleep(0.1)
    assert value(samples, "salon_websockets_open") == 0
    assert value(samples, "salon_webhook_attempts_total", outcome="delivered") == 5


def test_metrics_are_off_by_default(settings: Settings) -> None:
    with serving(settings.database_url) as server:
        assert httpx.get(f"{server.base_url}/metrics").status_code == 404


@pytest.mark.parametrize("access_log", [True, False])
async def test_the_access_log_can_be_turned_off(
    settings: Settings, access_log: bool, caplog: pytest.LogCaptureFixture
) -> None:
    from salon.app import create_app

    app = create_app(settings.model_copy(update={"access_log": access_log}))
    caplog.set_level("INFO", logger="salon.access")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as http:
            assert (await http.get("/health/live")).status_code == 200
    lines = [r for r in caplog.records if r.name == "salon.access"]
    assert len(lines) == (1 if access_log else 0)
