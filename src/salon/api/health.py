from fastapi import APIRouter
from pydantic import BaseModel

from salon.api.deps import SessionDep
from salon.api.routing import SalonRoute
from salon.db.health import ping

router = APIRouter(route_class=SalonRoute, tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/health", summary="Liveness and database check (no authentication)")
async def health(session: SessionDep) -> Health:
    await ping(session)
    return Health(status="ok")
