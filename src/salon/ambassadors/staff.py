"""The brand's people as its staff (`/manager/ambassadors`) and its members
(`/platform/ambassadors`) see them. docs/decisions.md, "The staff's and the platform's people"."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import HTMLResponse

from salon.ambassadors import staff_repository as repository
from salon.ambassadors import staff_service as service
from salon.ambassadors.router import STATUSES
from salon.ambassadors.schemas import AmbassadorMicro, micro_wire
from salon.ambassadors.staff_schemas import (
    ROLE_NAMES,
    DecisionOut,
    DeclineRequest,
    ManagerAmbassador,
    PlatformAmbassador,
    PlatformStats,
    manager_wire,
    platform_wire,
)
from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses
from salon.api.listing import parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.query import QueryId, QueryString
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.api.wire import NO_NUL
from salon.clock import utcnow
from salon.records import STAFF_STATUSES, AmbassadorStatus

manager = APIRouter(route_class=SalonRoute, prefix="/manager/ambassadors", tags=["manager"])
platform = APIRouter(route_class=SalonRoute, prefix="/platform/ambassadors", tags=["platform"])

AmbassadorId = Annotated[int, id_path("The ambassador id")]

ACTIVE = "^(-[1-5]|0|1)$"
ACTIVE_DESCRIPTION = (
    "-5 to 1: -3 unsubscribed by the brand, -2 unsubscribed, -1 blocked (or declined), "
    "0 awaiting approval, 1 active"
)


def _active(value: str | None) -> int | None:
    return None if value is None else int(value)


class ManagerAmbassadorsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="id_ambassador (default), firstname, lastname, customer_id, email, "
            "active, status, date_insert, nb_conversations; `-` for descending. People without "
            "the value (no email, no customer id) come last either way. Salon records no "
            "gamification_score, sell_token_amount, nb_diffused_publications, nb_sales, "
            "nb_chat_sales, nb_purchases nor pertinence: sorting by them is accepted and orders "
            "by id_ambassador (in the direction asked).",
            pattern=sort_pattern(*repository.MANAGER_SORTS),
        ),
    ] = None
    ambassador_search: Annotated[
        str | None,
        Field(
            alias="filter[ambassador_search]",
            max_length=255,
            description="first name, last name, full name, email, email_tmp or customer_id "
            "contains (any case)",
            json_schema_extra={"pattern": NO_NUL},
        ),
    ] = None
    has_role: Annotated[
        str | None,
        Field(
            alias="filter[has_role]",
            pattern="^(" + "|".join(ROLE_NAMES) + ")$",
            description="the name of a status: ambassador (0), employee (1), administrator (2), "
            "seller (3), shop_manager (4), manager (5), expert (6), client (7), temp (8)",
        ),
    ] = None
    active: Annotated[
        str | None, Field(alias="filter[active]", pattern=ACTIVE, description=ACTIVE_DESCRIPTION)
    ] = None
    status: Annotated[str | None, STATUSES.field("0-8, comma list allowed: 2,4,5")] = None
    suspicious: Annotated[
        bool | None,
        Field(
            alias="filter[suspicious]",
            description="Salon records no suspicion: true matches no one, false everyone",
        ),
    ] = None
    quarantine: Annotated[
        bool | None,
        Field(
            alias="filter[quarantine]",
            description="Salon records no quarantine: true matches no one, false everyone",
        ),
    ] = None
    manager_users_only: Annotated[
        Literal["true", "false"] | None,
        Field(
            alias="filter[manager_users_only]",
            description="true: the brand's staff only (administrator 2, shop manager 4, manager 5)",
        ),
    ] = None

    def filters(self) -> repository.StaffFilters:
        # Each status filter narrows the others: what none of them excludes.
        statuses: set[int] | None = None
        narrowing: list[set[int]] = []
        listed = STATUSES.parse(self.status)
        if listed is not None:
            narrowing.append(set(listed))
        if self.has_role is not None:
            narrowing.append({AmbassadorStatus[self.has_role.upper()]})
        if self.manager_users_only == "true":
            narrowing.append(set(STAFF_STATUSES))
        for allowed in narrowing:
            statuses = allowed if statuses is None else statuses & allowed
        return repository.StaffFilters(
            search=self.ambassador_search,
            statuses=sorted(statuses) if statuses else None,
            active=_active(self.active),
            nothing=statuses == set() or bool(self.suspicious) or bool(self.quarantine),
        )


class MicroQuery(PageQuery):
    status: Annotated[str | None, STATUSES.field("0-8, comma list allowed: 7,8")] = None


class PreviewQuery(QueryString):
    preview_mail: Annotated[
        bool,
        Field(
            alias="preview-mail",
            description="true: answer the HTML of the mail the decision would send, and change "
            "nothing",
        ),
    ] = False


class PlatformAmbassadorsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="last_action_date (default -last_action_date); never-seen people come "
            "last either way",
            pattern=sort_pattern("last_action_date"),
        ),
    ] = None
    name: Annotated[
        str | None,
        Field(
            alias="filter[name]",
            max_length=255,
            description="first name, last name or full name contains (any case)",
            json_schema_extra={"pattern": NO_NUL},
        ),
    ] = None
    referrer: Annotated[
        QueryId | None,
        Field(
            alias="filter[referrer]",
            description="the people this ambassador referred: Salon records no referrer, so no one",
        ),
    ] = None
    active: Annotated[
        str | None, Field(alias="filter[active]", pattern=ACTIVE, description=ACTIVE_DESCRIPTION)
    ] = None
    status: Annotated[str | None, STATUSES.field("0-8, comma list allowed: 0,6")] = None


HTML_PREVIEW: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
}
DECISION_RULES = (
    "id",
    service.NOT_AWAITING,
    "the person is not awaiting approval (active is not 0): already active, declined or disabled",
)
OWN_DECISION_RULE = ("id", service.OWN_DECISION, "staff decide on themselves")


@manager.get(
    "",
    response_model=Paginated[ManagerAmbassador],
    summary="Get all ambassadors (manager)",
    operation_id="listManagerAmbassadors",
    description="Every person of the caller's brand, for its staff, with their numbers. Salon "
    "records no sales, publications, tokens, sponsors or suspicion: those are 0, false or null.",
    openapi_extra={"parameters": ManagerAmbassadorsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_ambassadors(request: Request, call: Authenticated) -> JSON:
    query = ManagerAmbassadorsQuery.read(request)
    filters = query.filters()
    order = parse_sort(query.sort, set(repository.MANAGER_SORTS), "id_ambassador")
    page = query.page_request
    rows, total = await service.manager_page(
        call.tx, call.caller, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    return ok(paginate(request, page, [manager_wire(row, now, window) for row in rows], total))


@manager.get(
    "/micro-resource",
    response_model=Paginated[AmbassadorMicro],
    summary="List the brand's ambassadors, micro form (manager)",
    operation_id="listManagerAmbassadorsMicro",
    description="The caller's brand's people by id, for its staff.",
    openapi_extra={"parameters": MicroQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def micro_resource(request: Request, call: Authenticated) -> JSON:
    query = MicroQuery.read(request)
    page = query.page_request
    people, total = await service.micro_page(
        call.tx, call.caller, STATUSES.parse(query.status), page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    return ok(paginate(request, page, [micro_wire(p, now, window) for p in people], total))


def _decided(decision: service.Decision, message: str) -> JSON | HTMLResponse:
    if decision.preview is not None:
        return HTMLResponse(decision.preview)
    return ok({"message": message})


@manager.patch(
    "/{id}/approve",
    response_model=DecisionOut,
    summary="Manually approve an ambassador (manager)",
    operation_id="approveAmbassador",
    description=described(
        "A person awaiting approval (active 0) becomes active (1). With `preview-mail=true`: "
        "the HTML of the mail that would tell them, and nothing changes (Salon sends no mail "
        "itself).",
        DECISION_RULES,
        OWN_DECISION_RULE,
    ),
    openapi_extra={"parameters": PreviewQuery.parameters()},
    responses=error_responses(401, 403, 404, 422, also=HTML_PREVIEW),
)
async def approve(id: AmbassadorId, request: Request, call: Authenticated) -> JSON | HTMLResponse:
    preview = PreviewQuery.read(request).preview_mail
    decision = await service.approve(call.tx, call.caller, id, preview)
    return _decided(decision, "Ambassador approved successfully")


@manager.patch(
    "/{id}/decline",
    response_model=DecisionOut,
    summary="Manually decline an ambassador (manager)",
    operation_id="declineAmbassador",
    description=described(
        "A person awaiting approval (active 0) is declined: blocked (-1), with the date and "
        "the reason kept. With `preview-mail=true`: the HTML of the mail that would tell them, "
        "and nothing changes (Salon sends no mail itself).",
        DECISION_RULES,
        OWN_DECISION_RULE,
    ),
    openapi_extra={"parameters": PreviewQuery.parameters()},
    responses=error_responses(401, 403, 404, 422, also=HTML_PREVIEW),
)
async def decline(
    id: AmbassadorId, body: DeclineRequest, request: Request, call: Authenticated
) -> JSON | HTMLResponse:
    preview = PreviewQuery.read(request).preview_mail
    decision = await service.decline(call.tx, call.caller, id, body.reason, preview)
    return _decided(decision, "Ambassador declined successfully")


@platform.get(
    "",
    response_model=Paginated[PlatformAmbassador],
    summary="List the brand's ambassadors (platform)",
    operation_id="listPlatformAmbassadors",
    description="The caller's brand's people, for its members (status 0-6): shoppers "
    "(7, 8) are refused.",
    openapi_extra={"parameters": PlatformAmbassadorsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_platform(request: Request, call: Authenticated) -> JSON:
    query = PlatformAmbassadorsQuery.read(request)
    filters = repository.PlatformFilters(
        name=query.name,
        statuses=STATUSES.parse(query.status),
        active=_active(query.active),
        referrer=query.referrer,
    )
    order = parse_sort(query.sort, {"last_action_date"}, "-last_action_date")
    page = query.page_request
    people, total = await service.platform_page(
        call.tx, call.caller, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    data = [platform_wire(person, now, window) for person in people]
    return ok(paginate(request, page, data, total))


@platform.get(
    "/{id}",
    response_model=PlatformAmbassador,
    summary="Get an ambassador (platform)",
    operation_id="getPlatformAmbassador",
    responses=error_responses(401, 403, 404, 422),
)
async def get_platform(id: AmbassadorId, call: Authenticated) -> JSON:
    person = await service.platform_person(call.tx, call.caller, id)
    return ok(platform_wire(person, utcnow(), call.settings.online_window))


@platform.get(
    "/{id}/stats",
    response_model=PlatformStats,
    summary="Get ambassador stats (Platform)",
    operation_id="getPlatformAmbassadorStats",
    description="For the person and the brand's staff. The ratings are those the person "
    "received, all time, as `GET /chat/ambassadors/{ambassador}/stats` counts them.",
    responses=error_responses(401, 403, 404, 422),
)
async def platform_stats(id: AmbassadorId, call: Authenticated) -> JSON:
    stats = await service.platform_stats(call.tx, call.caller, id)
    return ok(stats.model_dump())
