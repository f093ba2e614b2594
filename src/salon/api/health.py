from fastapi import APIRouter
from pydantic import BaseModel

from salon.api.deps import Public
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.db.health import ping

router = APIRouter(route_class=SalonRoute, tags=["operations"])


class Health(BaseModel):
    status: str


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and database check (no authentication)",
)
async def health(tx: Public) -> JSON:
    await ping(tx)
    return ok({"status": "ok"})
