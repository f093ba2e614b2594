"""Where a webhook may be sent (no SSRF): public addresses over https, and the networks an
operator allows (`SALON_WEBHOOK_ALLOWED_NETWORKS`), to which plain http may go too.

A name is resolved at every attempt, every address it resolves to must be allowed, and the
request then goes to the address that was checked (the URL's host stays in `Host` and in TLS's
SNI and certificate check): a name that resolves to a public address when checked and to
169.254.169.254 when connected (DNS rebinding) reaches nothing."""

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_SECONDS = 2.0
# What the API answers (one sentence per rule, as every 422 of the schema's rules); the
# exception's text adds the details, for the attempts staff read.
FORM = "The url must be an absolute http(s) URL without credentials or fragment."
HTTPS = "The url must use https (plain http only to an allowed network)."
PRIVATE = "The url must not point to a private, loopback, link-local or reserved address."


class Refused(Exception):
    """The URL may not be sent to: `sentence` is the rule, the text says why."""

    def __init__(self, sentence: str, detail: str = "") -> None:
        super().__init__(f"{sentence} {detail}".strip())
        self.sentence = sentence


class Unresolved(Exception):
    """The host has no address now (an attempt fails and is retried)."""


@dataclass(frozen=True, slots=True)
class Target:
    """The checked address to connect to, and the names the request carries."""

    url: str
    host_header: str
    sni_hostname: str | None


def parse(url: str) -> SplitResult:
    """The URL's parts, if it is an absolute http(s) URL Salon may hold (Refused otherwise)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(FORM, str(error)) from None
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
        or port == 0
    ):
        raise Refused(FORM)
    try:
        parts.hostname.encode("idna")  # what resolving it will do: a name DNS can carry
    except UnicodeError as error:
        raise Refused(FORM, str(error)) from None
    return parts


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def allowed(address: Address, networks: Sequence[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


def _inside(address: Address, networks: Sequence[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def check(addresses: Sequence[Address], parts: SplitResult, networks: Sequence[Network]) -> None:
    """Every address the host has must be allowed; plain http only inside allowed networks."""
    host = parts.hostname
    for address in addresses:
        if not allowed(address, networks):
            raise Refused(PRIVATE, f"({host} is {address})")
    if parts.scheme == "http" and not all(_inside(a, networks) for a in addresses):
        raise Refused(HTTPS, f"({host} is {', '.join(map(str, addresses))})")


async def resolve(parts: SplitResult) -> list[Address]:
    """The addresses of the URL's host (the host itself when it is an address)."""
    host = parts.hostname
    assert host is not None
    literal = _literal(host)
    if literal is not None:
        return [literal]
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
        )
    except (OSError, TimeoutError) as error:
        raise Unresolved(f"{host} could not be resolved ({error or 'timeout'})") from None
    found = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not found:
        raise Unresolved(f"{host} could not be resolved")
    return list(dict.fromkeys(found))


async def target(url: str, networks: Sequence[Network]) -> Target:
    """Where to connect for `url`, checked (Refused when it may not be reached)."""
    parts = parse(url)
    addresses = await resolve(parts)
    check(addresses, parts, networks)
    host = parts.hostname
    assert host is not None
    address = addresses[0]
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    path = parts.path or "/"
    pinned = f"{parts.scheme}://{netloc}{path}" + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc.rpartition("@")[2]
    return Target(pinned, host_header, host if parts.scheme == "https" else None)


async def check_url(url: str, networks: Sequence[Network]) -> None:
    """When an endpoint is saved: the URL's form, and its host's addresses if it has any now.
    A name that does not resolve yet is accepted; every attempt checks again."""
    parts = parse(url)
    try:
        addresses = await resolve(parts)
    except Unresolved as error:
        if parts.scheme == "http":
            raise Refused(HTTPS, str(error)) from None
        return
    check(addresses, parts, networks)
