"""The manager's writes of people: `POST /manager/ambassadors` and
`PATCH /manager/ambassadors/{id}`, for brand staff (the rules: ambassadors/profile.py)."""

from typing import Annotated

from fastapi import APIRouter

from salon.ambassadors import profile as profiles
from salon.ambassadors.schemas import (
    CreatedAmbassador,
    ManagedAmbassador,
    ManagerCreate,
    ManagerUpdate,
    managed_wire,
)
from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses
from salon.api.responses import JSON, created, ok
from salon.api.routing import SalonRoute
from salon.clock import utcnow

router = APIRouter(route_class=SalonRoute, prefix="/manager/ambassadors", tags=["manager"])

AmbassadorId = Annotated[int, id_path("The ambassador id")]
EMAIL_TAKEN = ("email", "The email has already been taken.", "another person of the brand has it")


@router.post(
    "",
    status_code=201,
    response_model=CreatedAmbassador,
    summary="Create a new ambassador (manager)",
    description=described(
        "Brand staff only. The new person has no password: the answer carries their API key, "
        "once, to exchange at POST /auth/token (or to hand to them). `roles` holds at most "
        "one role: its `manager_role` when given is the person's status, else its "
        "`status_role` (default: ambassador, 0).",
        EMAIL_TAKEN,
    ),
    responses=error_responses(401, 403, 422),
)
async def create_ambassador(body: ManagerCreate, call: Authenticated) -> JSON:
    person, profile, api_key = await profiles.create_by_staff(call.tx, call.caller, body)
    wire = managed_wire(person, profile, utcnow(), call.settings.online_window)
    return created(wire | {"api_key": api_key})


@router.patch(
    "/{id}",
    response_model=ManagedAmbassador,
    summary="Update an ambassador (manager)",
    operation_id="updateAnAmbassadorManager",
    description=described(
        "Brand staff only, on a person of their brand. Only the fields sent change. `active`: "
        "true is 1 (active), false 0 (unactivated); `unsubscribe` (a date) makes the person "
        "unsubscribed by the brand (-3) and revokes their tokens.",
        EMAIL_TAKEN,
        ("active", profiles.ACTIVE_AND_UNSUBSCRIBE, "both are sent"),
        ("active", profiles.SELF_DEACTIVATION, "staff set their own active to false"),
        ("unsubscribe", profiles.SELF_DEACTIVATION, "staff unsubscribe themselves"),
        ("active", profiles.NOT_REVIVED, "the person's active is below 0"),
        ("email", profiles.OWN_EMAIL, "staff change their own email"),
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def update_ambassador(id: AmbassadorId, body: ManagerUpdate, call: Authenticated) -> JSON:
    updated, profile = await profiles.update_by_staff(call.tx, call.caller, id, body)
    return ok(managed_wire(updated, profile, utcnow(), call.settings.online_window))
