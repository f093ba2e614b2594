"""POST /auth/login, /auth/token, /auth/guest and DELETE /auth/token."""

import httpx
import pytest
from fastapi import FastAPI
from limits import RateLimitItemPerMinute

from salon.ambassadors import repository as ambassadors
from salon.auth.service import set_api_key
from salon.db.database import Transaction
from salon.errors import TooManyRequests
from salon.ratelimit import RateLimiter
from tests.api.accounts import DOMAIN, in_session, login
from tests.conftest import REDIS_URL
from tests.support import Person


async def test_login_returns_a_token_and_the_user(
    client: httpx.AsyncClient, seller: Person
) -> None:
    response = await login(client, "Seller@Shop.example.test", "correct horse")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "user"}
    assert body["user"]["id_ambassador"] == seller.id
    assert body["user"]["status"] == 3
    assert body["user"]["online"] is True
    assert {"id_brand", "date_insert", "date_update"} <= set(body["user"])
    me = await client.get("/chat/ambassadors", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200


@pytest.mark.parametrize(
    ("email", "password", "domain"),
    [
        ("seller@shop.example.test", "wrong", DOMAIN),
        ("nobody@shop.example.test", "correct horse", DOMAIN),
        ("seller@shop.example.test", "correct horse", "other.example.test"),
    ],
)
async def test_a_failed_login_is_401_with_the_documented_sentence(
    client: httpx.AsyncClient, seller: Person, email: str, password: str, domain: str
) -> None:
    response = await login(client, email, password, domain)
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid email or password"}


async def test_login_is_refused_after_five_failures_even_with_the_right_password(
    client: httpx.AsyncClient, seller: Person
) -> None:
    for _ in range(5):
        assert (await login(client, "seller@shop.example.test", "guess")).status_code == 401
    refused = await login(client, "seller@shop.example.test", "correct horse")
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Requests."}
    assert 0 < int(refused.headers["Retry-After"]) <= 900


async def test_login_body_is_validated(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/login", headers={"X-Popsell-Domain": DOMAIN}, json={})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"email", "password"}


async def test_an_api_key_buys_tokens(
    app: FastAPI, client: httpx.AsyncClient, seller: Person
) -> None:
    async def work(tx: Transaction) -> str:
        ambassador = await ambassadors.get(tx, seller.id)
        assert ambassador is not None
        return await set_api_key(tx, ambassador)

    api_key = str(await in_session(app, work))
    response = await client.post("/auth/token", json={"api_key": api_key})
    assert response.status_code == 200
    token = response.json()["token"]
    listed = await client.get("/chat/ambassadors", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    wrong = await client.post("/auth/token", json={"api_key": "slk_wrong"})
    assert (wrong.status_code, wrong.json()) == (401, {"message": "Unauthorized."})


async def test_a_guest_is_a_temporary_visitor_of_the_domains_brand(
    client: httpx.AsyncClient, shop: int
) -> None:
    response = await client.post("/auth/guest", headers={"X-Popsell-Domain": DOMAIN})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    people = (await client.get("/chat/ambassadors?filter[status]=8", headers=headers)).json()
    assert people["total"] == 1
    assert people["data"][0]["status"] == 8
    unknown = await client.post("/auth/guest", headers={"X-Popsell-Domain": "nowhere.test"})
    assert unknown.status_code == 401


async def test_revoking_the_token_of_the_request(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    response = await client.delete("/auth/token", headers=ambassador.headers)
    assert response.status_code == 204
    again = await client.get("/chat/ambassadors", headers=ambassador.headers)
    assert again.status_code == 401


@pytest.mark.skipif(not REDIS_URL, reason="needs SALON_TEST_REDIS_URL (make test starts Redis)")
async def test_with_redis_every_instance_shares_the_login_lockout() -> None:
    # Two limiters stand for two processes behind a load balancer.
    first, second = RateLimiter(REDIS_URL, "test-shared:"), RateLimiter(REDIS_URL, "test-shared:")
    await first.reset()
    limit = RateLimitItemPerMinute(2)
    await first.spend(limit, "login-email", "1", "x@example.test")
    await second.spend(limit, "login-email", "1", "x@example.test")
    with pytest.raises(TooManyRequests):
        await first.spend(limit, "login-email", "1", "x@example.test")
    await second.reset()
    await first.spend(limit, "login-email", "1", "x@example.test")
