from typing import Annotated, Literal

from fastapi import APIRouter, Body, Request
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator, Field

from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses, links
from salon.api.listing import IntList, Sort, parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.query import ComparedDaysQuery, DaysQuery, QueryId
from salon.api.responses import JSON, created, ok
from salon.api.routing import SalonRoute
from salon.api.wire import INT32_MAX, decimal_text
from salon.config import Settings
from salon.errors import Invalid
from salon.messages.schemas import MessageOut
from salon.ratings import service
from salon.ratings.repository import SORTABLE, RatingFilters
from salon.ratings.schemas import (
    RatingOut,
    RatingReportItem,
    RatingRequest,
    RatingSubmission,
    rating_wire,
    report_item_wire,
)
from salon.ratings.stats import RANKED_BY, BrandRatingStats, LeaderboardEntry

COOLDOWN_DAYS = Settings.model_fields["rating_request_cooldown_days"].default

router = APIRouter(route_class=SalonRoute, tags=["ratings"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
RatingId = Annotated[int, id_path("The rating id (`rating.id_rating` of the message)")]
VALUES = IntList("filter[value]", 0, 5)


DATE_ORDER = (
    "filter[date_from]",
    "The date_from filter must not be after date_to.",
    "a range that ends before it starts",
)
RANGE_LIMIT = (
    "filter[date_from]",
    "The range must not exceed 366 days.",
    "counting a missing end as today, a missing start as 29 days before the end",
)


@router.post(
    "/chat/chatrooms/{chatroom}/ratings",
    status_code=201,
    response_model=MessageOut,
    summary="Rate a chatroom",
    description=described(
        "Ask `id_user_rater` to rate `id_user_rated`: creates a pending rating and the message "
        "(`type_message` 2) that carries it. The rater submits the score with "
        "`PATCH /chat/ratings/{rating}`, or at once with `value` (and `content`).",
        (
            "id_user_rated",
            "The selected id_user_rated is not a participant of this chatroom.",
            "the rated ambassador (default: the caller) is not in the chatroom",
        ),
        (
            "id_user_rater",
            "The selected id_user_rater is not a participant of this chatroom.",
            "the rater is not in the chatroom",
        ),
        (
            "id_user_rater",
            "The id_user_rater field is required unless the chatroom is one-to-one.",
            "no rater sent, and the chatroom has no other participant to default to",
        ),
        (
            "id_user_rater",
            "The id_user_rater and id_user_rated fields must be different.",
            "the same person, sent or by default",
        ),
        (
            "id_user_rater",
            service.PENDING_EXISTS,
            "one pending request per rater and rated (one unanswered for "
            "`SALON_RATING_REQUEST_EXPIRY_DAYS`, 30, has expired and no longer counts)",
        ),
        (
            "id_user_rated",
            service.NOT_TAKEN_PART,
            "the rater starts a rating before the rated ambassador has posted in the chatroom",
        ),
        (
            "id_user_rater",
            service.RATED_ALREADY.format(days=COOLDOWN_DAYS),
            "the rater has rated this ambassador here, and neither a new exchange of messages "
            "nor the cool-down (`SALON_RATING_REQUEST_COOLDOWN_DAYS`) has happened since",
        ),
        (
            "value",
            "Only the rater (id_user_rater) can send the value field.",
            "a score sent by someone else",
        ),
        (
            "content",
            "Only the rater (id_user_rater) can send the content field.",
            "a comment sent by someone else",
        ),
    ),
    response_description="Return the created message with rating",
    responses=error_responses(
        401,
        403,
        404,
        422,
        also=links(
            201,
            SubmitRating=(
                "/chat/ratings/{rating}",
                "patch",
                "rating=$response.body#/rating/id_rating",
            ),
            DeleteRating=(
                "/chat/ratings/{rating}",
                "delete",
                "rating=$response.body#/rating/id_rating",
            ),
            GetMessage=("/chat/messages/{id}", "get", "id=$response.body#/id_message"),
        ),
    ),
)
async def rate_a_chatroom(
    chatroom: ChatroomId,
    call: Authenticated,
    # Omittable: no body asks with every default (a generated client may send none).
    body: Annotated[RatingRequest, Body(default_factory=RatingRequest)],
) -> JSON:
    # The rater's link reaches the rater only through the brand's webhooks: a brand without
    # an endpoint gets none made.
    sent = await service.request_rating(
        call.tx, call.settings, call.caller, chatroom, body, with_link=call.brand_has_webhooks
    )
    return created(sent)


@router.patch(
    "/chat/ratings/{rating}",
    response_model=RatingOut,
    summary="Update a rating",
    response_description="Return the updated rating",
    description=described(
        "The rater submits or changes the score (0-5) and comment, for "
        "`SALON_RATING_EDIT_WINDOW_DAYS` days after the first submission.",
        (
            "value",
            "The value field is required.",
            "the rating has no score yet and only `content` was sent",
        ),
        (
            "rating",
            "The rating can no longer be changed: it was submitted over 14 days ago.",
            "the edit window (`SALON_RATING_EDIT_WINDOW_DAYS`, 14) has passed",
        ),
        (
            "rating",
            service.SUPERSEDED,
            "a newer request of the same rater for the same ambassador in the chatroom replaced "
            "this rating",
        ),
        (
            "rating",
            service.EXPIRED.format(days=30),
            "the request was not answered within `SALON_RATING_REQUEST_EXPIRY_DAYS` (30)",
        ),
    ),
    responses=error_responses(401, 403, 404, 422),
    # Without a body there is no score: refused like {}.
    openapi_extra={"requestBody": {"required": True}},
)
async def update_a_rating(
    rating: RatingId,
    call: Authenticated,
    body: Annotated[RatingSubmission, Body(default_factory=RatingSubmission)],
) -> JSON:
    updated = await service.submit_rating(call.tx, call.settings, call.caller, rating, body)
    return ok(rating_wire(updated))


@router.delete(
    "/chat/ratings/{rating}",
    response_model=RatingOut,
    summary="Delete a rating",
    response_description="Return the deleted rating, with its date_delete",
    responses=error_responses(401, 403, 404),
)
async def delete_a_rating(rating: RatingId, call: Authenticated) -> JSON:
    """Brand staff (status 2, 4 or 5) soft-delete a rating."""
    return ok(rating_wire(await service.delete_rating(call.tx, call.caller, rating)))


class ReportQuery(DaysQuery):
    """The filters and sort of the brand's ratings."""

    id_user_rated: Annotated[QueryId | None, Field(alias="filter[id_user_rated]")] = None
    id_user_rater: Annotated[QueryId | None, Field(alias="filter[id_user_rater]")] = None
    id_chatroom: Annotated[QueryId | None, Field(alias="filter[id_chatroom]")] = None
    value: Annotated[str | None, VALUES.field("0-5, comma list allowed")] = None
    status: Annotated[
        Literal["pending", "expired", "answered"] | None,
        Field(
            alias="filter[status]",
            description="pending: asked, not answered, not expired; expired: not answered "
            "within SALON_RATING_REQUEST_EXPIRY_DAYS; answered: given a value",
        ),
    ] = None
    sort: Annotated[
        str | None,
        Field(
            description="date_insert (default: -date_insert), date_update, value, id_rating",
            pattern=sort_pattern(*SORTABLE),
        ),
    ] = None

    def filters(self) -> RatingFilters:
        days = self.days
        days.check()
        return RatingFilters(
            since=days.since,
            until=days.until,
            id_user_rated=self.id_user_rated,
            id_user_rater=self.id_user_rater,
            id_chatroom=self.id_chatroom,
            values=VALUES.parse(self.value),
            status=self.status,
        )

    @property
    def order(self) -> Sort:
        return parse_sort(self.sort, set(SORTABLE), "-date_insert")


class ReportPageQuery(ReportQuery, PageQuery):
    pass


@router.get(
    "/chat/ratings",
    response_model=Paginated[RatingReportItem],
    summary="List the brand's ratings (brand staff)",
    operation_id="listRatings",
    openapi_extra={"parameters": ReportPageQuery.parameters()},
    description=described("The brand's ratings, newest first by default.", DATE_ORDER),
    responses=error_responses(401, 403, 422),
)
async def list_ratings(request: Request, call: Authenticated) -> JSON:
    query = ReportPageQuery.read(request)
    page = query.page_request
    found, total = await service.list_ratings(
        call.tx,
        call.caller,
        service.reported(query.filters(), call.settings),
        query.order,
        page.offset,
        page.per_page,
    )
    return ok(paginate(request, page, [report_item_wire(r) for r in found], total))


@router.get(
    "/chat/ratings/export",
    summary="Export the brand's ratings as CSV (brand staff)",
    operation_id="exportRatings",
    description=described(
        "One row per rating, streamed. Text that a spreadsheet would run as a formula "
        "(starting with = + - @, a tab or a line break) is prefixed with an apostrophe.",
        DATE_ORDER,
    ),
    response_class=StreamingResponse,
    openapi_extra={"parameters": ReportQuery.parameters()},
    responses=error_responses(
        401, 403, 422, also={200: {"content": {"text/csv": {}}, "description": "CSV, a row each"}}
    ),
)
async def export_ratings(request: Request, call: Authenticated) -> StreamingResponse:
    query = ReportQuery.read(request)
    caller = call.caller
    service.ensure_staff(caller)
    database = request.app.state.database
    filters = service.reported(query.filters(), call.settings)
    rows = service.export_csv(database, caller.id_brand, filters, query.order)
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ratings.csv"'},
    )


class BrandStatsQuery(ComparedDaysQuery):
    id_user_rated: Annotated[
        QueryId | None,
        Field(
            alias="filter[id_user_rated]",
            description="Only the ratings of this ambassador: their daily series",
        ),
    ] = None


@router.get(
    "/chat/ratings/stats",
    response_model=BrandRatingStats,
    summary="Rating stats of the brand, with a daily series (brand staff)",
    operation_id="getBrandRatingStats",
    openapi_extra={"parameters": BrandStatsQuery.parameters()},
    description=described(
        "Defaults to the last 30 days; at most 366 days. `filter[id_user_rated]` narrows "
        "them to one ambassador (a time series of their ratings); `compare=previous_period` "
        "adds the totals of as many days just before.",
        DATE_ORDER,
        RANGE_LIMIT,
    ),
    responses=error_responses(401, 403, 422),
)
async def brand_stats(request: Request, call: Authenticated) -> JSON:
    query = BrandStatsQuery.read(request)
    stats = await service.brand_stats(
        call.tx, call.caller, query.days, query.id_user_rated, query.compared
    )
    return ok(stats.model_dump())


class LeaderboardQuery(ComparedDaysQuery, PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="What ranks first: " + ", ".join(RANKED_BY) + " (default "
            "wilson_lower_bound), each best first",
            json_schema_extra={"enum": list(RANKED_BY)},
        ),
    ] = None
    raters: Annotated[
        Literal["visitors", "customers"],
        Field(
            alias="filter[raters]",
            description="Whose ratings count: visitors (default: shop customers and guests) "
            "or customers (shop customers only: guests, whom anyone can create, left out). "
            "Ratings between colleagues never count",
        ),
    ] = "visitors"
    min_ratings: Annotated[
        int,
        Field(
            alias="filter[min_ratings]",
            ge=1,
            le=INT32_MAX,
            description="Leave out ambassadors with fewer scores given in the range (default 1)",
        ),
        BeforeValidator(decimal_text),
    ] = 1


@router.get(
    "/chat/ratings/leaderboard",
    response_model=Paginated[LeaderboardEntry],
    summary="Rank the brand's ambassadors by their ratings (brand staff)",
    operation_id="getRatingLeaderboard",
    openapi_extra={"parameters": LeaderboardQuery.parameters()},
    description=described(
        "The ambassadors rated in the range (default: the last 30 days, at most 366), best "
        "first: by default by the lower bound of the 95% Wilson interval of their share of "
        "satisfied ratings (4 or 5), which does not put one lucky 5 above a hundred 4s. Ties go "
        "to more ratings given. One voice per rater, ambassador and chatroom, as in the stats. "
        "Only shoppers' ratings count (shop customers and guests, or `filter[raters]=customers`"
        " for shop customers only), and only people who are not shoppers are ranked: "
        "colleagues rating each other neither lift nor sink anyone. "
        "`compare=previous_period` adds each one's stats and rank over as many days just "
        "before.",
        DATE_ORDER,
        RANGE_LIMIT,
    ),
    responses=error_responses(401, 403, 422),
)
async def rating_leaderboard(request: Request, call: Authenticated) -> JSON:
    query = LeaderboardQuery.read(request)
    if query.sort is not None and query.sort not in RANKED_BY:
        raise Invalid.field("sort", "The selected sort is invalid.")
    page = query.page_request
    entries = await service.leaderboard(
        call.tx,
        call.caller,
        query.days,
        query.min_ratings,
        query.sort or RANKED_BY[0],
        query.raters,
        query.compared,
    )
    shown = entries[page.offset : page.offset + page.per_page]
    return ok(paginate(request, page, [entry.model_dump() for entry in shown], len(entries)))
