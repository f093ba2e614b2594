"""What routes depend on: `Authenticated` (the request's transaction and its caller) and
`Public` (a transaction without a caller).

The transaction itself is opened and committed by the route (`api/routing.py`), around the
handler: it authenticates the caller, spends the write budget and claims the
`Idempotency-Key` in one step, and commits before the response is sent. These dependencies
only hand the handler what the route opened: a generator dependency with an exit stack was a
sixth of a request (docs/performance.md). Headers are read directly; the OpenAPI schema
documents the bearer scheme and `X-Popsell-Brand` on the routes that use `Authenticated`
(api/openapi.py).
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from limits import RateLimitItem, RateLimitItemPerMinute

from salon.api import idempotency
from salon.api.wire import INT32_MAX, read_as_decimal
from salon.auth import service as auth
from salon.config import Settings
from salon.db.database import Transaction
from salon.ratelimit import RateLimiter
from salon.records import Ambassador

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
BRAND_HEADER = "x-popsell-brand"
# Where the route keeps what it opened for the handler, in the ASGI scope.
CALL = "salon.call"
TX = "salon.tx"


@dataclass(slots=True)
class Call:
    """An authenticated request: its transaction, who is calling, and the settings."""

    tx: Transaction
    caller: Ambassador
    settings: Settings
    # False when the caller's brand had no enabled webhook endpoint as the request began.
    brand_has_webhooks: bool = True


async def current_call(request: Request) -> Call:
    call: Call = request.scope[CALL]
    return call


async def current_tx(request: Request) -> Transaction:
    tx: Transaction = request.scope[TX]
    return tx


Authenticated = Annotated[Call, Depends(current_call)]
Public = Annotated[Transaction, Depends(current_tx)]


async def open_call(request: Request, tx: Transaction) -> tuple[Call, idempotency.Claim | None]:
    """In the route's transaction: the caller behind the bearer token (401, 403), the write
    budget (429, per person: a new token buys none) and the `Idempotency-Key` (a replay
    answers the first response)."""
    state = request.app.state
    settings: Settings = state.settings
    headers = request.headers
    caller, brand_has_webhooks = await auth.identify(
        tx, bearer_token(headers.get("authorization")), headers.get(BRAND_HEADER), settings
    )
    method = request.method
    if method in WRITE_METHODS:
        limiter: RateLimiter = state.rate_limiter
        await limiter.spend_fast(_writes(settings), "writes", str(caller.id_ambassador))
    claim = None
    key = headers.get(idempotency.HEADER)
    if key is not None and method == "POST":
        claim = await idempotency.claim(request, tx, caller, key, settings)
    return Call(tx, caller, settings, brand_has_webhooks), claim


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


_WRITES: dict[int, RateLimitItem] = {}


def _writes(settings: Settings) -> RateLimitItem:
    """The write budget, per person per minute (one item per setting, made once)."""
    per_minute = settings.writes_per_minute
    item = _WRITES.get(per_minute)
    if item is None:
        item = _WRITES[per_minute] = RateLimitItemPerMinute(per_minute)
    return item


def id_path(description: str) -> Any:
    """A path id, as every route reads it: decimal digits, 1 to 2147483647."""
    return read_as_decimal(Path(description=description, ge=1, le=INT32_MAX))
