"""`GET /widget/ambassadors/{id}`: an ambassador's card in the brand's widget."""

from typing import Annotated

from fastapi import APIRouter

from salon.ambassadors import profile as profiles
from salon.ambassadors.schemas import WidgetAmbassador, widget_wire
from salon.api.deps import Authenticated, id_path
from salon.api.errors import error_responses
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.clock import utcnow

router = APIRouter(route_class=SalonRoute, prefix="/widget/ambassadors", tags=["widget"])


@router.get(
    "/{id}",
    response_model=WidgetAmbassador,
    summary="Get an ambassador (widget)",
    operation_id="getAnAmbassadorWidget",
    description="Anyone signed in to the brand (a guest too) sees its members (status 0-6); "
    "a shop customer's or a guest's card only they see. No email, customer id or secret.",
    responses=error_responses(401, 403, 404, 422),
)
async def get_ambassador(
    id: Annotated[int, id_path("The ambassador id")], call: Authenticated
) -> JSON:
    ambassador, profile = await profiles.card(call.tx, call.caller, id)
    return ok(widget_wire(ambassador, profile, utcnow(), call.settings.online_window))
