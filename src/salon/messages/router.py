from typing import Annotated

from fastapi import APIRouter, Query, Request

from salon.api.deps import CurrentAmbassador, SessionDep, SettingsDep, id_path
from salon.api.errors import described, error_responses, links
from salon.api.listing import IntList, parse_sort, sort_pattern
from salon.api.pagination import PageDep, Paginated, paginate
from salon.api.routing import SalonRoute
from salon.api.wire import QueryDateTime
from salon.clock import utcnow
from salon.messages import repository, service
from salon.messages.schemas import MessageCreate, MessageOut, MessageUpdate

router = APIRouter(route_class=SalonRoute, tags=["messages"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
MessageId = Annotated[int, id_path("The message id")]
TYPES = IntList("filter[type_message]", 0, 9)


@router.get(
    "/chat/chatrooms/{chatroom}/messages",
    summary="Get all messages of a chatroom",
    responses=error_responses(401, 403, 404, 422),
)
async def list_messages(
    chatroom: ChatroomId,
    request: Request,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
    sort: Annotated[
        str | None,
        Query(
            description="date_insert, or -date_insert (default: newest first)",
            pattern=sort_pattern("date_insert"),
        ),
    ] = None,
    sent_before: Annotated[
        QueryDateTime | None,
        Query(alias="filter[sent_before]", description="messages sent before (UTC if no zone)"),
    ] = None,
    active: Annotated[bool | None, Query(alias="filter[active]")] = None,
    type_message: Annotated[str | None, TYPES.query("0-9, comma list allowed")] = None,
) -> Paginated[MessageOut]:
    filters = repository.MessageFilters(
        sent_before=sent_before,
        active=active,
        types=TYPES.parse(type_message),
    )
    order = parse_sort(sort, {"date_insert"}, "-date_insert")
    found, total = await service.list_messages(
        session, caller, chatroom, filters, order, page.offset, page.per_page
    )
    now, window = utcnow(), settings.online_window
    data = [MessageOut.of(message, now=now, online_window=window) for message in found]
    return paginate(request, page, data, total)


@router.post(
    "/chat/chatrooms/{chatroom}/messages",
    status_code=201,
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
async def post_message(
    chatroom: ChatroomId,
    body: MessageCreate,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
) -> MessageOut:
    message = await service.post_message(session, settings, caller, chatroom, body)
    return MessageOut.of(message, now=utcnow(), online_window=settings.online_window)


@router.get(
    "/chat/messages/{id}",
    summary="Get a message",
    responses=error_responses(401, 403, 404, 422),
)
async def get_message(
    id: MessageId, session: SessionDep, settings: SettingsDep, caller: CurrentAmbassador
) -> MessageOut:
    message = await service.get_message(session, caller, id)
    return MessageOut.of(message, now=utcnow(), online_window=settings.online_window)


@router.patch(
    "/chat/messages/{id}",
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
async def update_message(
    id: MessageId,
    body: MessageUpdate,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
) -> MessageOut:
    message = await service.update_message(session, settings, caller, id, body)
    return MessageOut.of(message, now=utcnow(), online_window=settings.online_window)
