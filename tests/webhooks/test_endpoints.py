"""Managing a brand's webhook endpoints: brand staff only, another brand's are not found, and
a URL that could reach inside the network (SSRF) is refused."""

from typing import Any

import httpx
import pytest

from tests.support import Person, World

VALID = {"url": "https://hooks.example.com/salon", "event_types": ["rating.submitted"]}


async def create(client: httpx.AsyncClient, caller: Person, body: Any) -> httpx.Response:
    return await client.post("/manager/webhooks", headers=caller.headers, json=body)


async def test_staff_manage_their_endpoints(client: httpx.AsyncClient, manager: Person) -> None:
    made = await create(client, manager, VALID | {"description": "CRM"})
    assert made.status_code == 201, made.text
    endpoint = made.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["event_types"] == ["rating.submitted"]
    assert (endpoint["enabled"], endpoint["disabled_reason"]) == (True, None)
    path = f"/manager/webhooks/{endpoint['id_webhook']}"

    listed = await client.get("/manager/webhooks", headers=manager.headers)
    assert listed.json()["total"] == 1
    assert "secret" not in listed.json()["data"][0], "shown once, at creation"
    shown = await client.get(path, headers=manager.headers)
    assert "secret" not in shown.json()

    changed = await client.patch(
        path,
        headers=manager.headers,
        json={"rating_value_max": 2, "enabled": False, "event_types": ["rating.changed"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rating_value_max"], changed.json()["enabled"]) == (2, False)
    assert changed.json()["event_types"] == ["rating.changed"]
    cleared = await client.patch(path, headers=manager.headers, json={"rating_value_max": None})
    assert cleared.json()["rating_value_max"] is None

    deleted = await client.delete(path, headers=manager.headers)
    assert deleted.status_code == 204
    assert (await client.get(path, headers=manager.headers)).status_code == 404


async def test_every_event_type_by_default(client: httpx.AsyncClient, manager: Person) -> None:
    made = await create(client, manager, {"url": VALID["url"]})
    assert made.json()["event_types"] == [
        "rating.requested",
        "rating.submitted",
        "rating.changed",
        "rating.deleted",
        "message.created",
        "chatroom.created",
    ]


async def test_only_staff_of_the_brand(
    client: httpx.AsyncClient, world: World, manager: Person, ambassador: Person, visitor: Person
) -> None:
    endpoint = (await create(client, manager, VALID)).json()
    path = f"/manager/webhooks/{endpoint['id_webhook']}"
    other_brand = await world.brand()
    foreign_manager = await world.person(other_brand, status=5)

    assert (await client.get("/manager/webhooks")).status_code == 401
    assert (await client.get(path)).status_code == 401
    for person in (ambassador, visitor):
        assert (await create(client, person, VALID)).status_code == 403
        assert (await client.get(path, headers=person.headers)).status_code == 403
        assert (await client.get("/manager/webhooks", headers=person.headers)).status_code == 403
    # Another brand's staff: not found, whatever they try.
    for method, suffix in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/test"),
        ("POST", "/rotate-secret"),
        ("GET", "/deliveries"),
    ]:
        body = {"enabled": False} if method == "PATCH" else None
        response = await client.request(
            method, path + suffix, headers=foreign_manager.headers, json=body
        )
        assert response.status_code == 404, (method, suffix, response.text)
        assert response.json() == {"message": "Not found - The webhook does not exist"}
    listed = await client.get("/manager/webhooks", headers=foreign_manager.headers)
    assert listed.json()["total"] == 0
    assert (await client.get(path, headers=manager.headers)).json()["enabled"] is True


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        # Private, loopback outside the allowed network, link-local (cloud metadata), reserved.
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://[::1]/hook", "private"),
        ("https://[::ffff:169.254.169.254]/hook", "private"),
        ("https://[fd00::1]/hook", "private"),
        ("https://0.0.0.0/hook", "private"),
        ("https://100.64.0.1/hook", "private"),
        # IPv6 forms that carry an IPv4 address: NAT64, 6to4, IPv4-compatible, SIIT; and
        # site-local, and IETF protocol assignments.
        ("https://[64:ff9b::169.254.169.254]/", "private"),
        ("https://[2002:a9fe:a9fe::]/", "private"),
        ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "private"),
        ("https://[::127.0.0.1]/", "private"),
        ("https://[::ffff:0:127.0.0.1]/", "private"),
        ("https://[fec0::1]/", "private"),
        ("https://192.0.0.8/", "private"),
        # An address written with other dots or digits: checked as the client will read it.
        ("https://169\u3002254\u3002169\u3002254/", "private"),
        ("http://169\uff0e254\uff0e169\uff0e254/latest/meta-data", "private"),
        ("https://\uff11\uff10.\uff10.\uff10.\uff11/", "private"),
        # Numbers that resolvers read as addresses: refused, never looked up.
        ("https://2130706433/", "form"),
        ("https://127.1/", "form"),
        ("https://0x7f.1/", "form"),
        ("https://0177.0.0.1/", "form"),
        # Plain http to a public address.
        ("http://8.8.8.8/hook", "https"),
        # Not a URL Salon holds.
        ("https://user:pass@hooks.example.com/hook", "form"),
        ("https://hooks.example.com/hook#part", "form"),
        ("ftp://hooks.example.com/hook", "form"),
    ],
)
async def test_urls_that_could_reach_inside_are_refused(
    client: httpx.AsyncClient, manager: Person, url: str, sentence: str
) -> None:
    sentences = {
        "private": "The url must not point to a private, loopback, link-local or reserved address.",
        "https": "The url must use https (plain http only to an allowed network).",
        "form": "The url must be an absolute http(s) URL without credentials or fragment.",
    }
    response = await create(client, manager, {"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"url": [sentences[sentence]]}
    listed = await client.get("/manager/webhooks", headers=manager.headers)
    assert listed.json()["total"] == 0


async def test_loopback_is_allowed_when_the_operator_allows_it(
    client: httpx.AsyncClient, manager: Person
) -> None:
    # The test settings allow 127.0.0.0/8 (SALON_WEBHOOK_ALLOWED_NETWORKS), http included.
    response = await create(client, manager, {"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 201, response.text
    localhost = await create(client, manager, {"url": "http://localhost:9/hook"})
    assert localhost.status_code == 201, localhost.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": 5}, "url"),
        ({"url": VALID["url"], "event_types": []}, "event_types"),
        ({"url": VALID["url"], "event_types": ["rating.eaten"]}, "event_types.0"),
        ({"url": VALID["url"], "event_types": ["rating.changed"] * 2}, "event_types"),
        ({"url": VALID["url"], "rating_value_min": 4, "rating_value_max": 2}, "rating_value_min"),
        ({"url": VALID["url"], "rating_value_max": 6}, "rating_value_max"),
        ({"url": VALID["url"], "enabled": "yes"}, "enabled"),
        ({"url": VALID["url"], "secret": "mine"}, "secret"),
        ({"url": VALID["url"], "event_types": None}, "event_types"),
        ({"url": None}, "url"),
    ],
)
async def test_bad_bodies_are_422s_that_keep_nothing(
    client: httpx.AsyncClient, manager: Person, body: Any, field: str
) -> None:
    response = await create(client, manager, body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    listed = await client.get("/manager/webhooks", headers=manager.headers)
    assert listed.json()["total"] == 0


async def test_a_brand_has_a_limited_number_of_endpoints(
    client: httpx.AsyncClient, manager: Person
) -> None:
    for _ in range(20):
        assert (await create(client, manager, VALID)).status_code == 201
    refused = await create(client, manager, VALID)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "url": ["The brand already has 20 webhook endpoints, the most it may have."]
    }


@pytest.mark.parametrize(
    "url",
    ["https://ex\x98ample.com/hook", "https://" + "a" * 64 + ".example.com/", "https://[::1/"],
)
async def test_a_host_no_dns_name_can_be_is_refused_not_a_500(
    client: httpx.AsyncClient, manager: Person, url: str
) -> None:
    response = await create(client, manager, {"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {
        "url": ["The url must be an absolute http(s) URL without credentials or fragment."]
    }


async def test_an_international_domain_name_is_accepted(
    client: httpx.AsyncClient, manager: Person
) -> None:
    response = await create(client, manager, {"url": "https://bücher.example/hook"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": None}, "url"),
        ({"enabled": None}, "enabled"),
        ({"event_types": None}, "event_types"),
        ({"url": "https://10.0.0.1/"}, "url"),
        ({"rating_value_min": 5, "rating_value_max": 1}, "rating_value_min"),
    ],
)
async def test_bad_updates_are_422s_that_change_nothing(
    client: httpx.AsyncClient, manager: Person, body: Any, field: str
) -> None:
    endpoint = (await create(client, manager, VALID)).json()
    path = f"/manager/webhooks/{endpoint['id_webhook']}"
    response = await client.patch(path, headers=manager.headers, json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    unchanged = (await client.get(path, headers=manager.headers)).json()
    assert unchanged == {k: v for k, v in endpoint.items() if k != "secret"}
