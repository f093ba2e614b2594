"""Health routes for load balancers and orchestrators (docs/operations.md).

- `/health/live`: the process answers; nothing else is asked (a liveness probe that restarts
  a process must not fail because the database is away).
- `/health/ready`: the database answers and, when `SALON_REDIS_URL` is set, Redis does: 503
  with the failing check named until both do (take the process out of rotation, not kill it).
- `/health`: the database check, as before these routes existed.
"""

import asyncio
import logging
from collections.abc import Awaitable
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from salon.api.deps import Public
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.db.health import ping
from salon.ratelimit import RateLimiter

router = APIRouter(route_class=SalonRoute, tags=["operations"])
log = logging.getLogger(__name__)

# A readiness probe answers within this, whatever a server does: a hung check is a failed one.
CHECK_TIMEOUT_SECONDS = 2.0

Check = Literal["ok", "unavailable", "not configured"]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Check
    redis: Check


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and database check (no authentication)",
    operation_id="health",
)
async def health(tx: Public) -> JSON:
    await ping(tx)
    return ok({"status": "ok"})


@router.get(
    "/health/live",
    response_model=Health,
    summary="The process answers (no authentication, no database)",
    operation_id="liveness",
)
async def live() -> JSON:
    return ok({"status": "ok"})


@router.get(
    "/health/ready",
    response_model=Readiness,
    summary="The database and Redis answer (no authentication)",
    operation_id="readiness",
    responses={503: {"model": Readiness, "description": "A check failed: not ready"}},
)
async def ready(request: Request) -> JSON:
    state = request.app.state
    limiter: RateLimiter = state.rate_limiter
    checks = [_check("database", state.database.ping())]
    if limiter.uses_redis:
        checks.append(_check("redis", limiter.ping()))
    database, *others = await asyncio.gather(*checks)  # at once: 2 s at worst, not 4
    redis: Check = others[0] if others else "not configured"
    ready = database == "ok" and redis in ("ok", "not configured")
    body = {"status": "ok" if ready else "unavailable", "database": database, "redis": redis}
    return ok(body) if ready else JSON(body, 503)


async def _check(name: str, probe: Awaitable[object]) -> Check:
    """A probe that raises, hangs or answers False is "unavailable" (told in the log)."""
    try:
        answered = await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("readiness: %s unavailable: %r", name, error)
        return "unavailable"
    return "unavailable" if answered is False else "ok"
