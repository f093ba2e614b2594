"""`/manager/brand-tags` and `/manager/chat-topics`: the brand's tags and chat topics, for its
staff (status 2, 4 or 5)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BeforeValidator, Field

from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses
from salon.api.listing import parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.responses import JSON, created, ok
from salon.api.routing import SalonRoute
from salon.api.wire import decimal_text
from salon.catalog import repository, service
from salon.catalog.schemas import (
    DUPLICATE_LANG,
    DUPLICATE_ROLE,
    NAME_MAX,
    NAME_TAKEN,
    BrandTagCreate,
    BrandTagOut,
    BrandTagUpdate,
    ChatTopicCreate,
    ChatTopicOut,
    ChatTopicUpdate,
    tag_wire,
    topic_wire,
)
from salon.catalog.service import ShownTag, ShownTopic
from salon.clock import utcnow
from salon.config import Settings

router = APIRouter(route_class=SalonRoute, prefix="/manager", tags=["manager"])

STAFF = "Brand staff only (status 2, 4 or 5); another brand's is a 404."
NOTHING = ("visibility_chat", service.NOTHING_SENT, "an empty body")
TAG_RULES = (
    ("names", DUPLICATE_LANG.format(field="names"), "two items of `names` have one `lang`"),
    ("images", DUPLICATE_LANG.format(field="images"), "two items of `images` have one `lang`"),
    ("names", NAME_TAKEN, "another tag of the brand has this first name"),
)
TOPIC_RULES = (
    ("contents", DUPLICATE_LANG.format(field="contents"), "two items have one `lang`"),
    ("roles", DUPLICATE_ROLE, "a role listed twice"),
)


def _tag(shown: ShownTag, settings: Settings) -> dict[str, object]:
    return tag_wire(
        shown.tag, shown.names, shown.images, shown.members, utcnow(), settings.online_window
    )


def _topic(shown: ShownTopic) -> dict[str, object]:
    return topic_wire(shown.topic, shown.contents)


# brand tags --------------------------------------------------------------------------------


class BrandTagsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="id_brand_tag (default), visibility_chat; `-` for descending",
            pattern=sort_pattern(*repository.TAG_SORTS),
        ),
    ] = None
    visibility_chat: Annotated[
        int | None,
        Field(
            alias="filter[visibility_chat]",
            ge=1,
            le=2,
            description="only the tags of this visibility_chat (1 or 2)",
        ),
        BeforeValidator(decimal_text),
    ] = None


@router.get(
    "/brand-tags",
    response_model=Paginated[BrandTagOut],
    summary="Get all brand tags",
    description=f"The brand's tags with their names, images and first members. {STAFF}",
    openapi_extra={"parameters": BrandTagsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_brand_tags(request: Request, call: Authenticated) -> JSON:
    query = BrandTagsQuery.read(request)
    sort = parse_sort(query.sort, set(repository.TAG_SORTS), "id_brand_tag")
    page = query.page_request
    filters = repository.TagFilters(visibility_chat=query.visibility_chat)
    found, total = await service.list_tags(call.tx, call.caller, filters, sort, page)
    return ok(paginate(request, page, [_tag(shown, call.settings) for shown in found], total))


@router.post(
    "/brand-tags",
    status_code=201,
    response_model=BrandTagOut,
    summary="Create a brand tag",
    description=described(
        "A group of the brand's people; members are added outside the API "
        f"(`salon tag add`). The first of `names` is the tag's `name`. {STAFF}",
        *TAG_RULES,
    ),
    responses=error_responses(401, 403, 422),
)
async def create_brand_tag(body: BrandTagCreate, call: Authenticated) -> JSON:
    return created(_tag(await service.create_tag(call.tx, call.caller, body), call.settings))


@router.patch(
    "/brand-tags/{id}",
    response_model=BrandTagOut,
    summary="Update a brand tag by id",
    description=described(
        "The fields sent change; a list sent replaces the previous one (a language kept keeps "
        f"its `id_i18n_content`). {STAFF}",
        NOTHING,
        *TAG_RULES,
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def update_brand_tag(
    id: Annotated[int, id_path("The brand tag id")], body: BrandTagUpdate, call: Authenticated
) -> JSON:
    shown = await service.update_tag(call.tx, call.caller, id, body)
    return ok(_tag(shown, call.settings))


# chat topics -------------------------------------------------------------------------------


class ChatTopicsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="position (default), id_chat_topic; `-` for descending",
            pattern=sort_pattern(*repository.TOPIC_SORTS),
        ),
    ] = None
    search: Annotated[
        str | None,
        Field(
            alias="filter[chat_topic_search]",
            max_length=NAME_MAX,
            description="topics with this text in one of their contents (any case)",
        ),
    ] = None
    active: Annotated[
        Literal["true", "false", "1", "0"] | None,
        Field(alias="filter[active]", description="true: active topics only; false: inactive"),
    ] = None


@router.get(
    "/chat-topics",
    response_model=Paginated[ChatTopicOut],
    summary="Get all chat topics (manager)",
    description=STAFF,
    openapi_extra={"parameters": ChatTopicsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_chat_topics(request: Request, call: Authenticated) -> JSON:
    query = ChatTopicsQuery.read(request)
    sort = parse_sort(query.sort, set(repository.TOPIC_SORTS), "position")
    page = query.page_request
    active = None if query.active is None else query.active in ("true", "1")
    filters = service.topic_filters(query.search, active)
    found, total = await service.list_topics(call.tx, call.caller, filters, sort, page)
    return ok(paginate(request, page, [_topic(shown) for shown in found], total))


@router.post(
    "/chat-topics",
    status_code=201,
    response_model=ChatTopicOut,
    summary="Create a chat topic (manager)",
    description=described(f"What a waiting-list request can be about. {STAFF}", *TOPIC_RULES),
    responses=error_responses(401, 403, 422),
)
async def create_chat_topic(body: ChatTopicCreate, call: Authenticated) -> JSON:
    return created(_topic(await service.create_topic(call.tx, call.caller, body)))


@router.get(
    "/chat-topics/{id}",
    response_model=ChatTopicOut,
    summary="Get a chat topic by id (manager)",
    description=STAFF,
    responses=error_responses(401, 403, 404, 422),
)
async def get_chat_topic(
    id: Annotated[int, id_path("The chat topic id")], call: Authenticated
) -> JSON:
    return ok(_topic(await service.get_topic(call.tx, call.caller, id)))


@router.patch(
    "/chat-topics/{id}",
    response_model=ChatTopicOut,
    summary="Update a chat topic by id (manager)",
    description=described(
        "The fields sent change; `contents` sent replaces the previous list (a language kept "
        f"keeps its `id_i18n_content`). {STAFF}",
        ("active", service.NOTHING_SENT, "an empty body"),
        *TOPIC_RULES,
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def update_chat_topic(
    id: Annotated[int, id_path("The chat topic id")], body: ChatTopicUpdate, call: Authenticated
) -> JSON:
    return ok(_topic(await service.update_topic(call.tx, call.caller, id, body)))
