from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BeforeValidator, Field

from salon.ambassadors import repository, service
from salon.ambassadors.schemas import (
    AmbassadorMicro,
    AmbassadorUpdate,
    ShopCustomerOut,
    ShopCustomerRequest,
    micro_wire,
)
from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses
from salon.api.listing import IntList, parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.query import ComparedDaysQuery, QueryId
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.api.wire import INT32_MAX, NO_NUL, QueryDateTime, decimal_text
from salon.chatrooms import repository as chatrooms_repository
from salon.chatrooms import service as chatrooms
from salon.chatrooms.schemas import ChatroomListItem, TypeChatroomFilter, list_item_wire
from salon.clock import utcnow
from salon.errors import Invalid
from salon.ratings import service as ratings
from salon.ratings.stats import ComparedStats
from salon.records import ChatroomType

router = APIRouter(route_class=SalonRoute, prefix="/chat/ambassadors", tags=["ambassadors"])

AmbassadorId = Annotated[int, id_path("The ambassador id")]
STATUSES = IntList("filter[status]", 0, 8)
EXCLUDED = IntList("filter[exclude]", 1, INT32_MAX)


class AmbassadorsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="last_action_date (default: -last_action_date), id_ambassador, "
            "firstname, lastname",
            pattern=sort_pattern(*repository.SORTABLE),
        ),
    ] = None
    name: Annotated[
        str | None,
        Field(
            alias="filter[name]",
            max_length=255,
            description="first name, last name or username contains",
            json_schema_extra={"pattern": NO_NUL},
        ),
    ] = None
    status: Annotated[str | None, STATUSES.field("0-8, comma list allowed: 7,8")] = None
    exclude: Annotated[str | None, EXCLUDED.field("ids to leave out, comma list")] = None
    brand_tag: Annotated[QueryId | None, Field(alias="filter[brand_tag]")] = None


class ChatroomsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="last_action_date (default -last_action_date)",
            pattern=sort_pattern("last_action_date"),
        ),
    ] = None
    archived: Annotated[bool | None, Field(alias="filter[archived]")] = None
    flag: Annotated[
        int | None,
        Field(alias="filter[flag]", ge=1, le=2, description="1: todo, 2: done"),
        BeforeValidator(decimal_text),
    ] = None
    type_chatroom: TypeChatroomFilter = None
    last_action_date_before: Annotated[
        QueryDateTime | None,
        Field(
            alias="filter[last_action_date_before]",
            description="chatrooms whose last action is before this date-time",
        ),
    ] = None
    commented: Annotated[
        Literal["commented", "not_commented"] | None,
        Field(
            alias="filter[commented]",
            description="commented: the chatroom's last_rating carries a comment",
        ),
    ] = None


@router.get(
    "",
    response_model=Paginated[AmbassadorMicro],
    summary="List the brand's ambassadors",
    operation_id="listAmbassadors",
    openapi_extra={"parameters": AmbassadorsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_ambassadors(request: Request, call: Authenticated) -> JSON:
    query = AmbassadorsQuery.read(request)
    filters = repository.AmbassadorFilters(
        name=query.name,
        statuses=STATUSES.parse(query.status),
        exclude=EXCLUDED.parse(query.exclude),
        id_brand_tag=query.brand_tag,
    )
    order = parse_sort(query.sort, set(repository.SORTABLE), "-last_action_date")
    page = query.page_request
    people, total = await service.list_ambassadors(
        call.tx, call.caller, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    return ok(paginate(request, page, [micro_wire(p, now, window) for p in people], total))


@router.patch(
    "/{ambassador}",
    response_model=AmbassadorMicro,
    summary="Update an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def update_ambassador(
    ambassador: AmbassadorId, body: AmbassadorUpdate, call: Authenticated
) -> JSON:
    updated = await service.update_ambassador(call.tx, call.caller, ambassador, body)
    return ok(micro_wire(updated, utcnow(), call.settings.online_window))


@router.post(
    "/shop-customer",
    response_model=ShopCustomerOut,
    summary="Create or retrieve a shop customer",
    response_description="Return the shop customer",
    responses=error_responses(401, 403, 422),
)
async def shop_customer(body: ShopCustomerRequest, call: Authenticated) -> JSON:
    customer, api_key = await service.shop_customer(call.tx, call.caller, body)
    return ok(micro_wire(customer, utcnow(), call.settings.online_window) | {"api_key": api_key})


@router.get(
    "/{ambassador}/chatrooms",
    response_model=Paginated[ChatroomListItem],
    summary="Get all chatrooms of an ambassador",
    openapi_extra={"parameters": ChatroomsQuery.parameters()},
    response_description="Returns the chatrooms of an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def chatrooms_of_ambassador(
    ambassador: AmbassadorId, request: Request, call: Authenticated
) -> JSON:
    query = ChatroomsQuery.read(request)
    if query.type_chatroom not in (None, *ChatroomType):
        raise Invalid.field(
            "filter[type_chatroom]", "The selected filter[type_chatroom] is invalid."
        )
    filters = chatrooms_repository.ChatroomFilters(
        archived=query.archived,
        flag=query.flag,
        type_chatroom=query.type_chatroom,
        last_action_before=query.last_action_date_before,
        commented=None if query.commented is None else query.commented == "commented",
    )
    order = parse_sort(query.sort, {"last_action_date"}, "-last_action_date")
    page = query.page_request
    found = await chatrooms.list_for_ambassador(
        call.tx, call.caller, ambassador, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    data = [
        list_item_wire(
            room,
            found.last_ratings.get(room.id_chatroom),
            found.last_summaries.get(room.id_chatroom),
            found.last_messages.get(room.id_chatroom),
            now,
            window,
        )
        for room in found.chatrooms
    ]
    return ok(paginate(request, page, data, found.total))


@router.get(
    "/{ambassador}/stats",
    response_model=ComparedStats,
    summary="Rating stats of an ambassador",
    operation_id="getAmbassadorRatingStats",
    openapi_extra={"parameters": ComparedDaysQuery.parameters()},
    description=described(
        "The ratings of the ambassador as the rated, over whole UTC days (all of them by "
        "default). `compare=previous_period` adds the stats of as many days just before the "
        "range (null without filter[date_from]; an open range ends today).",
        (
            "filter[date_from]",
            "The date_from filter must not be after date_to.",
            "a range that ends before it starts",
        ),
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def ambassador_stats(ambassador: AmbassadorId, request: Request, call: Authenticated) -> JSON:
    query = ComparedDaysQuery.read(request)
    stats = await ratings.ambassador_stats(
        call.tx, call.caller, ambassador, query.days, query.compared
    )
    return ok(stats.model_dump())
