"""`GET /{environment}/me`: the connected person, as `/auth/login` returns them (`user`)."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path
from starlette.convertors import register_url_convertor

from salon.ambassadors import repository
from salon.ambassadors.schemas import AmbassadorFull, full_wire
from salon.api.deps import Authenticated
from salon.api.errors import error_responses
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute, segment
from salon.clock import utcnow

router = APIRouter(route_class=SalonRoute, tags=["ambassadors"])


# Only the three environments match the first segment: `/chat/me` names nothing (404), as a
# segment of letters never matches an id elsewhere (api/routing.py).
register_url_convertor("environment", segment("manager|platform|widget"))


class Environment(StrEnum):
    """Which client asks (the reference's `environment`); the answer is the same for each."""

    MANAGER = "manager"
    PLATFORM = "platform"
    WIDGET = "widget"


@router.get(
    "/{environment:environment}/me",
    response_model=AmbassadorFull,
    summary="Get my ambassador information",
    response_description="The connected person",
    description="Another first segment than the three environments names nothing (404).",
    responses=error_responses(401, 403, 404, 422),
)
async def get_me(
    environment: Annotated[Environment, Path(description="manager, platform or widget")],
    call: Authenticated,
) -> JSON:
    caller = call.caller
    profile = await repository.profile(call.tx, caller.id_ambassador)
    return ok(full_wire(caller, profile, utcnow(), call.settings.online_window))
