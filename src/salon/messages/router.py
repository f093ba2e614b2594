from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field

from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses, links
from salon.api.listing import IntList, parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.responses import JSON, created, ok
from salon.api.routing import SalonRoute
from salon.api.wire import QueryDateTime
from salon.clock import utcnow
from salon.messages import repository, service
from salon.messages.schemas import MessageCreate, MessageOut, MessageUpdate, message_wire

router = APIRouter(route_class=SalonRoute, tags=["messages"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
MessageId = Annotated[int, id_path("The message id")]
TYPES = IntList("filter[type_message]", 0, 9)


class MessagesQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="date_insert, or -date_insert (default: newest first)",
            pattern=sort_pattern("date_insert"),
        ),
    ] = None
    sent_before: Annotated[
        QueryDateTime | None,
        Field(alias="filter[sent_before]", description="messages sent before (UTC if no zone)"),
    ] = None
    active: Annotated[bool | None, Field(alias="filter[active]")] = None
    type_message: Annotated[str | None, TYPES.field("0-9, comma list allowed")] = None


@router.get(
    "/chat/chatrooms/{chatroom}/messages",
    response_model=Paginated[MessageOut],
    summary="Get all messages of a chatroom",
    openapi_extra={"parameters": MessagesQuery.parameters()},
    responses=error_responses(401, 403, 404, 422),
)
async def list_messages(chatroom: ChatroomId, request: Request, call: Authenticated) -> JSON:
    query = MessagesQuery.read(request)
    filters = repository.MessageFilters(
        sent_before=query.sent_before,
        active=query.active,
        types=TYPES.parse(query.type_message),
    )
    order = parse_sort(query.sort, {"date_insert"}, "-date_insert")
    page = query.page_request
    found, total = await service.list_messages(
        call.tx, call.caller, chatroom, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    authors: dict[int, dict[str, Any]] = {}
    data = [message_wire(message, now, window, authors) for message in found]
    return ok(paginate(request, page, data, total))


@router.post(
    "/chat/chatrooms/{chatroom}/messages",
    status_code=201,
    response_model=MessageOut,
    summary="Post a message in a chatroom",
    response_description="Return the created message",
    responses=error_responses(
        401,
        403,
        404,
        422,
        also=links(
            201,
            GetMessage=("/chat/messages/{id}", "get", "id=$response.body#/id_message"),
            UpdateMessage=("/chat/messages/{id}", "patch", "id=$response.body#/id_message"),
        ),
    ),
)
async def post_message(chatroom: ChatroomId, body: MessageCreate, call: Authenticated) -> JSON:
    return created(await service.post_message(call.tx, call.settings, call.caller, chatroom, body))


@router.get(
    "/chat/messages/{id}",
    response_model=MessageOut,
    summary="Get a message",
    responses=error_responses(401, 403, 404, 422),
)
async def get_message(id: MessageId, call: Authenticated) -> JSON:
    message = await service.get_message(call.tx, call.caller, id)
    return ok(message_wire(message, utcnow(), call.settings.online_window))


@router.patch(
    "/chat/messages/{id}",
    response_model=MessageOut,
    summary="Update a message",
    description=described(
        "The author edits `content`; the author or brand staff set `active`.",
        (
            "content",
            "The content of a rating message cannot be edited.",
            "the message is a rating request (`type_message` 2)",
        ),
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def update_message(id: MessageId, body: MessageUpdate, call: Authenticated) -> JSON:
    return ok(await service.update_message(call.tx, call.settings, call.caller, id, body))
