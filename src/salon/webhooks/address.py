"""Where a webhook may be sent (no SSRF): public addresses over https, and the networks an
operator allows (`SALON_WEBHOOK_ALLOWED_NETWORKS`), to which plain http may go too.

- An address is public when it is global unicast: IPv4 that is neither private, loopback,
  link-local (169.254/16: cloud metadata), shared (100.64/10), reserved, multicast nor
  unspecified; IPv6 in 2000::/3 but for the tunnels that embed an IPv4 address (6to4, Teredo).
  ::ffff:a.b.c.d is checked as the IPv4 address it is; other IPv6 forms that carry an IPv4
  address (::a.b.c.d, 64:ff9b::/96, fec0::/10...) are outside 2000::/3, so refused.
- A name is resolved when a connection is made, by `CheckedResolver`, and the connection goes
  only to the addresses it has that are allowed (none: refused). A name that resolves to a
  public address once and to 169.254.169.254 the next time (DNS rebinding) never reaches the
  second: what is checked is what is connected to. The URL keeps its host, so TLS checks the
  certificate against it, and kept-alive connections are never shared between two names.
- Saving an endpoint resolves nothing (a request's transaction never waits on DNS): it checks
  the URL's form, an address written in it, and `localhost` names; the rest is checked at
  every attempt.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from concurrent.futures import Executor
from contextvars import ContextVar
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_SECONDS = 2.0
# What the API answers (one sentence per rule, as every 422 of the schema's rules), and what
# an attempt records: the rule, never the addresses a name resolved to.
FORM = "The url must be an absolute http(s) URL without credentials or fragment."
HTTPS = "The url must use https (plain http only to an allowed network)."
PRIVATE = "The url must not point to a private, loopback, link-local or reserved address."
UNRESOLVED = "The url's host could not be resolved."

_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_REFUSED = (
    ipaddress.ip_network("2002::/16"),  # 6to4: an IPv4 address inside
    ipaddress.ip_network("2001::/32"),  # Teredo: likewise
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
)
_LOOPBACK = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]


class Refused(Exception):
    """The URL may not be sent to; `sentence` is the rule it breaks."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class Unresolved(Exception):
    """The host has no address now: an attempt fails and is retried."""


class Parsed(NamedTuple):
    url: URL
    """As the client sends it: its host is the one connected to."""
    scheme: str
    host: str
    """The host the client connects to, IDNA-encoded: 127 written in full-width digits with
    ideographic dots is 127.0.0.1 here, as it is to the client."""


def parse(url: str) -> Parsed:
    """The URL as the delivery's client will read it, if it is an absolute http(s) URL Salon
    may hold (Refused otherwise). Every check is made on the host the client connects to,
    never on another parser's idea of it."""
    try:
        parts = urlsplit(url)
        port = parts.port
        parsed = URL(url)
        host = parsed.raw_host
        if host and _address(host) is None:
            host.rstrip(".").encode("idna")  # a name DNS can carry: labels of 1 to 63
    except (ValueError, UnicodeError):
        raise Refused(FORM) from None
    if (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
        or port == 0
        or _numeric_name(host)
    ):
        raise Refused(FORM)
    return Parsed(parsed, parts.scheme, host)


def _numeric_name(host: str) -> bool:
    """A host written as a number that is not a plain address (127.1, 2130706433, 0x7f.1,
    0177.0.0.1): resolvers read these as addresses, so they are refused rather than looked
    up. No top-level domain is numeric."""
    last = host.rstrip(".").rpartition(".")[2].lower()
    numeric = last.isdigit() or (last.startswith("0x") and last != "0x")
    return numeric and _address(host) is None


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").rstrip("."))
    except ValueError:
        return None


def _unmapped(address: Address) -> Address:
    """::ffff:a.b.c.d is the IPv4 address a.b.c.d."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def allowed(address: Address, networks: Sequence[Network]) -> bool:
    address = _unmapped(address)
    if _inside(address, networks):
        return True
    if any(address in network for network in _REFUSED):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return False
    return address.is_global and not address.is_multicast


def _inside(address: Address, networks: Sequence[Network]) -> bool:
    address = _unmapped(address)
    return any(address in network for network in networks)


def usable(
    addresses: Sequence[Address], plain_http: bool, networks: Sequence[Network]
) -> list[Address]:
    """Of a host's addresses, those a delivery may connect to: allowed ones, and for plain
    http only those inside an allowed network. Refused when none is left."""
    kept = [address for address in addresses if allowed(address, networks)]
    if not kept:
        raise Refused(PRIVATE)
    if plain_http:
        kept = [address for address in kept if _inside(address, networks)]
        if not kept:
            raise Refused(HTTPS)
    return kept


def _written_addresses(host: str) -> list[Address] | None:
    """The addresses a host stands for without asking DNS: an address written in the URL, or
    a `localhost` name (RFC 6761: always loopback). None for any other name."""
    address = _address(host)
    if address is not None:
        return [address]
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return _LOOPBACK
    return None


def check_written(parsed: Parsed, networks: Sequence[Network]) -> None:
    """What can be checked without DNS (saving an endpoint, and before each attempt): the
    host's written address, and plain http, which needs an allowed network to go to."""
    plain_http = parsed.scheme == "http"
    addresses = _written_addresses(parsed.host)
    if addresses is not None:
        usable(addresses, plain_http, networks)
    elif plain_http and not networks:
        raise Refused(HTTPS)


def check_url(url: str, networks: Sequence[Network]) -> None:
    """When an endpoint is saved: everything but what its name resolves to."""
    check_written(parse(url), networks)


# The brand whose delivery is being attempted (set by the worker for each attempt's task).
attempt_brand: ContextVar[int | None] = ContextVar("attempt_brand", default=None)
# Distinct lookups a brand may have running at once. A lookup that the resolver gave up on
# (RESOLVE_SECONDS) may still hold its thread for as long as the system resolver takes: those
# count until they end, so a brand whose names never answer holds this many threads at most.
LOOKUPS_PER_BRAND = 2


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver for deliveries: the allowed addresses of a name, looked up on threads
    of their own (not the ones the rest of the process shares). Concurrent lookups of one name
    share one thread, and a brand has at most `LOOKUPS_PER_BRAND` threads at a time."""

    def __init__(self, networks: Sequence[Network], executor: Executor, *, plain_http: bool):
        self._networks = list(networks)
        self._executor = executor
        self._plain_http = plain_http
        self._running: dict[tuple[str, int], asyncio.Future[Any]] = {}
        self._threads: dict[int | None, int] = {}

    def _lookup(self, host: str, port: int) -> "asyncio.Future[Any]":
        key = (host, port)
        running = self._running.get(key)
        if running is not None:
            return running
        brand = attempt_brand.get()
        if self._threads.get(brand, 0) >= LOOKUPS_PER_BRAND:
            raise Unresolved(UNRESOLVED)
        self._threads[brand] = self._threads.get(brand, 0) + 1
        loop = asyncio.get_running_loop()
        lookup = loop.run_in_executor(
            self._executor, socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM
        )
        self._running[key] = lookup

        def ended(_: object) -> None:
            self._running.pop(key, None)
            left = self._threads[brand] - 1
            if left:
                self._threads[brand] = left
            else:
                del self._threads[brand]

        lookup.add_done_callback(ended)
        return lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        lookup = self._lookup(host, port)
        try:
            # Shielded: a waiter that gives up leaves the lookup to the others that share it.
            infos = await asyncio.wait_for(asyncio.shield(lookup), RESOLVE_SECONDS)
        except (OSError, TimeoutError, UnicodeError):
            raise Unresolved(UNRESOLVED) from None
        found = list(
            dict.fromkeys(
                (info[0], ipaddress.ip_address(str(info[4][0]).partition("%")[0]))
                for info in infos
                if info[0] in (socket.AF_INET, socket.AF_INET6)
            )
        )
        if not found:
            raise Unresolved(UNRESOLVED)
        kept = set(usable([address for _, address in found], self._plain_http, self._networks))
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=kind,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for kind, address in found
            if address in kept
        ]

    async def close(self) -> None:
        pass
