"""Limits on /auth/* that a client cannot sidestep (issue #11, items 6 and 7)."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from salon.ambassadors import repository as ambassadors
from salon.app import create_app
from salon.auth.service import set_api_key
from salon.config import Settings
from salon.db.database import Transaction
from tests import served
from tests.api.accounts import DOMAIN, SELLER_EMAIL, SELLER_PASSWORD, in_session, login
from tests.conftest import REDIS_URL
from tests.support import Person

LIMITERS = ["memory", "redis"] if REDIS_URL else ["memory"]


@pytest.fixture(params=LIMITERS)
def limiter_kind(request: pytest.FixtureRequest) -> str:
    """Where the counters live: process memory, or Redis (shared by every instance)."""
    return str(request.param)


@asynccontextmanager
async def app_client(
    settings: Settings, limiter_kind: str, **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own on the test database, with these settings and counters (in Redis,
    under a prefix of their own unless `redis_prefix` names one to share)."""
    if limiter_kind == "redis":
        changes.setdefault("redis_prefix", f"test-{secrets.token_hex(6)}:")
        changes["redis_url"] = REDIS_URL
    app = create_app(settings.model_copy(update=changes))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
            yield client


NOWHERE = {"X-Popsell-Domain": "nowhere.example.test"}
WRONG_LOGIN = {"email": "someone@example.test", "password": "guess"}


def login_via(server: served.Server, forwarded_for: str) -> int:
    """A failed login (unknown domain) from 127.0.0.1 claiming `forwarded_for`."""
    response = httpx.post(
        f"{server.base_url}/auth/login",
        headers=NOWHERE | {"X-Forwarded-For": forwarded_for},
        json=WRONG_LOGIN,
        timeout=30,
    )
    return response.status_code


def test_a_forged_x_forwarded_for_does_not_reset_the_per_address_limit(
    migrated_url: str,
) -> None:
    # The probe's attack: a new made-up address per request, straight to `salon serve`.
    env = {"SALON_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "3"}
    with served.serving(migrated_url, env=env) as server:
        statuses = [login_via(server, f"203.0.113.{n}") for n in range(1, 6)]
    assert statuses == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_address(
    migrated_url: str,
) -> None:
    env = {
        "SALON_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "3",
        "SALON_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
    }
    with served.serving(migrated_url, env=env) as server:
        spent = [login_via(server, "203.0.113.7") for _ in range(3)]
        # The same client, through a second trusted hop (10.1.2.3), with a made-up address
        # prepended by the client itself: proxies append, so only the right end is trusted.
        again = login_via(server, "198.51.100.9, 203.0.113.7, 10.1.2.3")
        other = login_via(server, "203.0.113.8")
    assert spent == [401, 401, 401]
    assert again == 429
    assert other == 401


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALON_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert [str(n) for n in Settings().trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("SALON_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("SALON_TRUSTED_PROXIES", "proxy.internal")
    with pytest.raises(ValidationError):
        Settings()


async def test_concurrent_wrong_passwords_get_exactly_the_allowed_failures(
    settings: Settings, limiter_kind: str, seller: Person
) -> None:
    # The probe's attack: 25 wrong passwords at once got 6 x 401 for a limit of 5.
    async with app_client(settings, limiter_kind, login_max_failures=5) as client:
        answers = await asyncio.gather(
            *(login(client, SELLER_EMAIL, f"guess {n}") for n in range(25))
        )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [401] * 5 + [429] * 20
        # The lockout holds for the right password too.
        assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 429


@pytest.mark.skipif(not REDIS_URL, reason="needs SALON_TEST_REDIS_URL (make test starts Redis)")
async def test_two_instances_sharing_redis_count_failures_exactly(
    settings: Settings, seller: Person
) -> None:
    prefix = f"test-{secrets.token_hex(6)}:"
    async with (
        app_client(settings, "redis", redis_prefix=prefix) as first,
        app_client(settings, "redis", redis_prefix=prefix) as second,
    ):
        answers = await asyncio.gather(
            *(login((first, second)[n % 2], SELLER_EMAIL, f"guess {n}") for n in range(24))
        )
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 19


async def test_a_lockout_says_truthfully_when_a_retry_can_succeed(
    settings: Settings, limiter_kind: str, seller: Person
) -> None:
    window = 3
    changes = {"login_max_failures": 2, "login_failure_window_seconds": window}
    async with app_client(settings, limiter_kind, **changes) as client:
        first_failure = time.monotonic()
        for n in range(2):
            assert (await login(client, SELLER_EMAIL, f"guess {n}")).status_code == 401
        refused = await login(client, SELLER_EMAIL, SELLER_PASSWORD)
        assert refused.status_code == 429
        retry_after = int(refused.headers["Retry-After"])
        # Not sooner than the first failure leaves the window, not later than a whole window.
        assert time.monotonic() - first_failure + retry_after >= window
        assert 1 <= retry_after <= window
        await asyncio.sleep(retry_after)
        assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 200


async def test_an_api_key_buys_a_bounded_number_of_tokens(
    app: FastAPI, settings: Settings, seller: Person
) -> None:
    # The probe's attack: 200 tokens from one API key in 1.1 s.
    async def work(tx: Transaction) -> str:
        ambassador = await ambassadors.get(tx, seller.id)
        assert ambassador is not None
        return await set_api_key(tx, ambassador)

    api_key = str(await in_session(app, work))
    async with app_client(settings, "memory", api_key_exchanges_per_hour=3) as client:
        answers = [await client.post("/auth/token", json={"api_key": api_key}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].json() == {"message": "Too Many Requests."}
        assert 3000 < int(answers[-1].headers["Retry-After"]) <= 3600


async def test_api_key_exchanges_are_limited_per_address(settings: Settings) -> None:
    async with app_client(settings, "memory", login_attempts_per_ip_per_minute=3) as client:
        statuses = [
            (await client.post("/auth/token", json={"api_key": f"slk_guess{n}"})).status_code
            for n in range(4)
        ]
    assert statuses == [401, 401, 401, 429]


async def test_guests_are_capped_per_brand_whatever_the_address(
    settings: Settings, shop: int
) -> None:
    # A script rotating addresses (here through a trusted proxy) cannot mint guests forever.
    changes = {"guests_per_brand_per_hour": 3, "trusted_proxies": ["127.0.0.1"]}
    async with app_client(settings, "memory", **changes) as client:

        async def guest(address: str, domain: str = DOMAIN) -> int:
            headers = {"X-Popsell-Domain": domain, "X-Forwarded-For": address}
            return (await client.post("/auth/guest", headers=headers)).status_code

        statuses = [await guest(f"198.51.100.{n}") for n in range(1, 5)]
        assert statuses == [200, 200, 200, 429]
        assert await guest("198.51.100.9", "nowhere.example.test") == 401


async def test_guests_are_limited_per_address(settings: Settings, shop: int) -> None:
    async with app_client(settings, "memory", login_attempts_per_ip_per_minute=2) as client:
        headers = {"X-Popsell-Domain": DOMAIN}
        statuses = [(await client.post("/auth/guest", headers=headers)).status_code for _ in "abc"]
    assert statuses == [200, 200, 429]


async def test_a_password_check_holds_no_database_connection(
    settings: Settings, seller: Person
) -> None:
    # The probe's attack: logins held the request's connection (SQLite's only one) through
    # the ~200 ms Argon2 check, so a flood of them starved every other request. One
    # connection on both engines here, and logins that outnumber it.
    changes = {"db_pool_size": 1, "db_max_overflow": 0, "password_hash_concurrency": 1}
    async with app_client(settings, "memory", **changes) as client:
        logins = [
            asyncio.create_task(login(client, SELLER_EMAIL, SELLER_PASSWORD)) for _ in range(10)
        ]
        await asyncio.sleep(0.05)  # the logins go first
        read = await client.get("/chat/ambassadors", headers=seller.headers)
        pending = sum(not task.done() for task in logins)
        answers = await asyncio.gather(*logins)
    assert read.status_code == 200
    # The read did not wait for the checks, which run one at a time: most are still to come.
    assert pending > len(logins) / 2
    assert [answer.status_code for answer in answers] == [200] * len(logins)


async def test_password_checks_beyond_the_queue_are_refused_with_503(
    settings: Settings, shop: int
) -> None:
    # Another email for each attempt: one email's attempts wait for each other anyway.
    changes = {"password_hash_concurrency": 1, "password_hash_queue": 2}
    async with app_client(settings, "memory", **changes) as client:
        answers = await asyncio.gather(
            *(login(client, f"nobody{n}@shop.example.test", "guess") for n in range(8))
        )
    statuses = sorted(answer.status_code for answer in answers)
    # One checking, two waiting; the others are told to come back, and nothing is counted.
    assert statuses == [401] * 3 + [503] * 5
    refused = next(answer for answer in answers if answer.status_code == 503)
    assert refused.json() == {"message": "Service Unavailable."}
    assert refused.headers["Retry-After"] == "1"
