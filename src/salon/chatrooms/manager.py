"""The manager's chatrooms: every chatroom of the brand, for its staff (`/manager/chatrooms`)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BeforeValidator, Field

from salon.api.deps import Authenticated, id_path
from salon.api.errors import error_responses
from salon.api.listing import parse_sort, sort_pattern
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.query import QueryId
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.api.wire import decimal_text
from salon.chatrooms import repository, service
from salon.chatrooms.schemas import (
    ManagerChatroom,
    ManagerChatroomDetail,
    TypeChatroomFilter,
    chatroom_wire,
)
from salon.clock import utcnow
from salon.errors import Invalid
from salon.messages.schemas import message_wire
from salon.records import ChatroomSource, ChatroomType

router = APIRouter(route_class=SalonRoute, prefix="/manager/chatrooms", tags=["manager"])

SOURCES = {source.name.lower(): source.value for source in ChatroomSource}


class ManagerChatroomsQuery(PageQuery):
    sort: Annotated[
        str | None,
        Field(
            description="id_chatroom, date_insert, last_message_date (default "
            "-last_message_date), last_rating; `-` for descending. Chatrooms without a message "
            "or a rating come last either way.",
            pattern=sort_pattern(*repository.MANAGER_SORTS),
        ),
    ] = None
    type_chatroom: TypeChatroomFilter = None
    type_discussion: Annotated[
        int | None,
        Field(
            alias="filter[type_discussion]",
            ge=0,
            le=2,
            description="0: between members, 1: between external, 2: between members and external",
        ),
        BeforeValidator(decimal_text),
    ] = None
    source: Annotated[
        Literal["hot_list", "waiting_list", "direct"] | None,
        Field(alias="filter[source]", description="how the chatroom was opened"),
    ] = None
    dialogue: Annotated[
        Literal["established", "not_established"] | None,
        Field(
            alias="filter[dialogue]",
            description="established: at least two people wrote; not_established: one or none",
        ),
    ] = None
    last_rating: Annotated[
        Literal["not_rated", "0", "1", "2", "3", "4", "5"] | None,
        Field(
            alias="filter[last_rating]",
            description="the value of the chatroom's last_rating, or not_rated (none)",
        ),
    ] = None
    ambassador: Annotated[
        QueryId | None,
        Field(alias="filter[ambassador]", description="chatrooms where this person wrote"),
    ] = None

    def filters(self) -> repository.ManagerFilters:
        if self.type_chatroom not in (None, *ChatroomType):
            raise Invalid.field(
                "filter[type_chatroom]", "The selected filter[type_chatroom] is invalid."
            )
        rating = self.last_rating
        return repository.ManagerFilters(
            type_chatroom=self.type_chatroom,
            type_discussion=self.type_discussion,
            source=None if self.source is None else SOURCES[self.source],
            established=None if self.dialogue is None else self.dialogue == "established",
            last_rating=(
                None
                if rating is None
                else repository.NOT_RATED
                if rating == "not_rated"
                else int(rating)
            ),
            author=self.ambassador,
        )


@router.get(
    "",
    response_model=Paginated[ManagerChatroom],
    summary="Get all chatrooms (manager)",
    description="Every chatroom of the caller's brand, for its staff, each with `last_rating` "
    "and `last_summary`.",
    openapi_extra={"parameters": ManagerChatroomsQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_chatrooms(request: Request, call: Authenticated) -> JSON:
    query = ManagerChatroomsQuery.read(request)
    order = parse_sort(query.sort, set(repository.MANAGER_SORTS), "-last_message_date")
    page = query.page_request
    found = await service.list_for_brand(
        call.tx, call.caller, query.filters(), order, page.offset, page.per_page
    )
    now, window = utcnow(), call.settings.online_window
    data = [
        chatroom_wire(
            room,
            found.last_ratings.get(room.id_chatroom),
            found.last_summaries.get(room.id_chatroom),
            now,
            window,
            own_state=False,
        )
        for room in found.chatrooms
    ]
    return ok(paginate(request, page, data, found.total))


@router.get(
    "/{id}",
    response_model=ManagerChatroomDetail,
    summary="Get a chatroom with its messages (manager)",
    responses=error_responses(401, 403, 404, 422),
)
async def get_chatroom(id: Annotated[int, id_path("The chatroom id")], call: Authenticated) -> JSON:
    shown, messages = await service.conversation(call.tx, call.caller, id)
    now, window = utcnow(), call.settings.online_window
    return ok(
        shown.wire(call.settings) | {"messages": [message_wire(m, now, window) for m in messages]}
    )
