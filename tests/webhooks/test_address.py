"""The resolver deliveries connect through: every address a name has is checked when the
connection is made (real lookups of this machine's names)."""

import ipaddress
from concurrent.futures import ThreadPoolExecutor

import pytest

from salon.webhooks import address

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


@pytest.fixture(scope="module")
def executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(2)


async def test_a_name_for_loopback_is_refused_unless_allowed(executor: ThreadPoolExecutor) -> None:
    refusing = address.CheckedResolver([], executor, plain_http=False)
    with pytest.raises(address.Refused) as refused:
        await refusing.resolve("localhost", 443)
    assert refused.value.sentence == address.PRIVATE

    allowing = address.CheckedResolver(LOOPBACK, executor, plain_http=True)
    resolved = await allowing.resolve("localhost", 80)
    assert {r["host"] for r in resolved} <= {"127.0.0.1", "::1"}
    assert all(r["hostname"] == "localhost" for r in resolved)


async def test_only_the_allowed_addresses_of_a_name_are_connected_to(
    executor: ThreadPoolExecutor,
) -> None:
    # Loopback allowed for IPv4 only: a name with 127.0.0.1 and ::1 connects to the first.
    resolver = address.CheckedResolver(
        [ipaddress.ip_network("127.0.0.0/8")], executor, plain_http=True
    )
    assert {r["host"] for r in await resolver.resolve("localhost", 80)} == {"127.0.0.1"}
    assert address.usable(
        [ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("93.184.215.14")], False, []
    ) == [ipaddress.ip_address("93.184.215.14")]
    with pytest.raises(address.Refused):
        address.usable([ipaddress.ip_address("93.184.215.14")], True, [])


async def test_a_name_that_does_not_resolve_is_retried_not_refused(
    executor: ThreadPoolExecutor,
) -> None:
    resolver = address.CheckedResolver([], executor, plain_http=False)
    with pytest.raises(address.Unresolved):
        await resolver.resolve("nothing.invalid", 443)


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("https://localhost/", address.PRIVATE),
        ("https://LOCALHOST./", address.PRIVATE),
        ("https://shop.localhost/", address.PRIVATE),
        ("http://hooks.example.com/", address.HTTPS),
        ("https://hooks.example.com/", None),  # checked when resolved, at each attempt
    ],
)
def test_saving_checks_what_needs_no_dns(url: str, sentence: str | None) -> None:
    if sentence is None:
        address.check_url(url, [])
        return
    with pytest.raises(address.Refused) as refused:
        address.check_url(url, [])
    assert refused.value.sentence == sentence
