"""`GET /{environment}/me`: the connected person, as `/auth/login` returns them (`user`)."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.convertors import register_url_convertor

from salon.ambassadors import profile as profiles
from salon.ambassadors import repository
from salon.ambassadors.schemas import AmbassadorFull, MeUpdate, full_wire
from salon.api import deps
from salon.api.deps import Authenticated
from salon.api.errors import described, error_responses
from salon.api.openapi import BRAND_HEADER, SCHEME
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute, publish, segment
from salon.auth import service as auth
from salon.clock import utcnow

router = APIRouter(route_class=SalonRoute, tags=["ambassadors"])


# Only the three environments match the first segment: `/chat/me` names nothing (404), as a
# segment of letters never matches an id elsewhere (api/routing.py).
register_url_convertor("environment", segment("manager|platform|widget"))
# PATCH is for the manager and the widget: `PATCH /platform/me` is the 405 of a path that
# exists (`Allow: GET`).
register_url_convertor("editable_environment", segment("manager|widget"))


class Environment(StrEnum):
    """Which client asks (the reference's `environment`); the answer is the same for each."""

    MANAGER = "manager"
    PLATFORM = "platform"
    WIDGET = "widget"


class EditableEnvironment(StrEnum):
    MANAGER = "manager"
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


@router.patch(
    "/{environment:editable_environment}/me",
    response_model=AmbassadorFull,
    summary="Update my ambassador information",
    response_description="The connected person, as updated",
    description=described(
        "Only the fields sent change; null clears a nullable field. A new `password` (with its "
        "`password_confirmation`) or a new `email` needs the `current_password` of a person "
        "who has one; a password change signs out every other token of the person (their "
        "open sockets close) and keeps the one used. Wrong current passwords count like "
        "failed logins (429 past the limit). `PATCH /platform/me` is 405 (`Allow: GET`).",
        ("email", "The email has already been taken.", "another person of the brand has it"),
        (
            "password",
            profiles.VISITOR_SIGN_IN,
            "a password for a guest or a shop customer (status 7, 8)",
        ),
        ("email", profiles.VISITOR_SIGN_IN, "a sign-in email for a guest or a shop customer"),
        (
            "password_confirmation",
            "The password confirmation field is required when password is present.",
            "a password without its confirmation",
        ),
        ("password", "The password field confirmation does not match.", "they differ"),
        ("password", "A password needs an email to sign in with.", "a person without email"),
        (
            "password",
            "The password field is required with its confirmation.",
            "a confirmation without a password",
        ),
        (
            "current_password",
            "The current password field is required to change the password or the email.",
            "a person with a password changes either without it",
        ),
        ("current_password", profiles.WRONG_PASSWORD, "it is not the person's password"),
        (
            "current_password",
            profiles.CHANGED_MEANWHILE,
            "another change of the password or email was written first",
        ),
    ),
    openapi_extra={"security": [{SCHEME: []}], "parameters": [BRAND_HEADER]},
    responses=error_responses(401, 403, 404, 422, 503),
)
async def update_me(
    environment: Annotated[EditableEnvironment, Path(description="manager or widget")],
    body: MeUpdate,
    request: Request,
) -> JSON:
    # No request transaction: like a login, a password check (Argon2, ~200 ms) must hold no
    # connection. The person is read in one transaction; a change without a password is
    # written in it; otherwise the password is checked and hashed outside, and the change
    # written in a second transaction, if the password did not change in between.
    state = request.app.state
    database = state.database
    async with database.transaction() as tx:
        call, _ = await deps.open_call(request, tx)
        caller = call.caller
        changes = profiles.check_me(caller, body)
        needs_check = profiles.needs_current_password(body)
        if needs_check:
            stored = await profiles.stored_password(tx, caller, body)
        else:
            updated, profile = await profiles.write(tx, caller, changes)
            response = ok(full_wire(updated, profile, utcnow(), call.settings.online_window))
    if needs_check:
        new_hash = await profiles.check_secrets(
            state.rate_limiter, state.password_hashing, call.settings, caller, body, stored
        )
        token = deps.bearer_token(request.headers.get("authorization"))
        assert token is not None  # open_call has refused a missing token
        async with database.transaction() as tx:
            again = await auth.authenticate(
                tx, token, request.headers.get(deps.BRAND_HEADER), call.settings
            )
            updated, profile = await profiles.write_with_secrets(
                tx, again, changes, stored, new_hash, token
            )
            response = ok(full_wire(updated, profile, utcnow(), call.settings.online_window))
    await publish(request, tx)
    return response
