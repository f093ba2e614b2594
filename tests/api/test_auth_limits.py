"""Limits on /auth/* that a client cannot sidestep (issue #11, items 6 and 7)."""

import httpx
import pytest
from pydantic import ValidationError

from salon.config import Settings
from tests import served

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
