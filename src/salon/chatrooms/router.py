from typing import Annotated, Any

from fastapi import APIRouter, Response

from salon.api.deps import CurrentAmbassador, SessionDep, SettingsDep, id_path
from salon.api.errors import described, error_responses, links
from salon.api.routing import SalonRoute
from salon.chatrooms import service
from salon.chatrooms.schemas import (
    ActionMessage,
    ArchiveBody,
    BlockBody,
    ChatroomCreate,
    ChatroomOut,
    FlagBody,
)
from salon.clock import utcnow
from salon.messages.schemas import MessageOut

EXISTING_PAIR: dict[int | str, dict[str, Any]] = {
    200: {"model": ChatroomOut, "description": "The pair's existing chatroom"}
}

router = APIRouter(route_class=SalonRoute, prefix="/chat/chatrooms", tags=["chatrooms"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
AmbassadorId = Annotated[int, id_path("The ambassador id (a participant)")]


@router.post(
    "",
    status_code=201,
    summary="Create a chatroom",
    description=described(
        "Between two people (`ids_ambassadors`, one chatroom per pair), or a group of a brand "
        "tag's members and the caller (`id_brand_tag`).",
        (
            "ids_ambassadors.0",
            "The selected ids_ambassadors.0 is invalid.",
            "that id (or `.1`) is not a person of the brand",
        ),
        (
            "id_brand_tag",
            "The selected id_brand_tag is invalid.",
            "no such brand tag in the brand",
        ),
        (
            "id_brand_tag",
            "The selected brand tag has no other member.",
            "the tag holds no one but the caller",
        ),
    ),
    response_description="Return the created chatroom (200 with the existing one for a pair "
    "that already has a one-to-one chatroom)",
    responses=error_responses(
        401,
        403,
        422,
        also=EXISTING_PAIR
        | links(
            201,
            GetChatroom=("/chat/chatrooms/{id}", "get", "id=$response.body#/id_chatroom"),
            ListMessages=(
                "/chat/chatrooms/{chatroom}/messages",
                "get",
                "chatroom=$response.body#/id_chatroom",
            ),
            PostMessage=(
                "/chat/chatrooms/{chatroom}/messages",
                "post",
                "chatroom=$response.body#/id_chatroom",
            ),
            RateChatroom=(
                "/chat/chatrooms/{chatroom}/ratings",
                "post",
                "chatroom=$response.body#/id_chatroom",
            ),
        ),
    ),
)
async def create_chatroom(
    body: ChatroomCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
) -> ChatroomOut:
    chatroom, created = await service.open_chatroom(session, settings, caller, body)
    if not created:
        response.status_code = 200
    _, last_rating = await service.get_chatroom(session, caller, chatroom.id_chatroom)
    return ChatroomOut.of(chatroom, last_rating, now=utcnow(), online_window=settings.online_window)


@router.get(
    "/{id}",
    summary="Get a chatroom by id",
    responses=error_responses(401, 403, 404, 422),
)
async def get_a_chatroom(
    id: Annotated[int, id_path("The chatroom id")],
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
) -> ChatroomOut:
    chatroom, last_rating = await service.get_chatroom(session, caller, id)
    return ChatroomOut.of(chatroom, last_rating, now=utcnow(), online_window=settings.online_window)


@router.post(
    "/{chatroom}/ambassadors/{ambassador}/read",
    summary="Mark last message read by ambassador",
    description=described(
        "Moves the participant's read marker to the chatroom's newest message.",
        ("chatroom", "The chatroom has no message to mark as read.", "the chatroom is empty"),
    ),
    response_description="Returns the last message read",
    responses=error_responses(401, 403, 404, 422),
)
async def mark_read(
    chatroom: ChatroomId,
    ambassador: AmbassadorId,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
) -> MessageOut:
    message = await service.mark_read(session, caller, chatroom, ambassador)
    return MessageOut.of(message, now=utcnow(), online_window=settings.online_window)


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/block",
    summary="Block a chatroom for an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def block(
    chatroom: ChatroomId,
    ambassador: AmbassadorId,
    body: BlockBody,
    session: SessionDep,
    caller: CurrentAmbassador,
) -> ActionMessage:
    text = await service.set_blocked(session, caller, chatroom, ambassador, body.is_blocked)
    return ActionMessage(message=text)


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/archive",
    summary="Archive or unarchive a chatroom for an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def archive(
    chatroom: ChatroomId,
    ambassador: AmbassadorId,
    body: ArchiveBody,
    session: SessionDep,
    caller: CurrentAmbassador,
) -> ActionMessage:
    text = await service.set_archived(session, caller, chatroom, ambassador, body.archive)
    return ActionMessage(message=text)


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/flag",
    summary="Flag a chatroom",
    responses=error_responses(401, 403, 404, 422),
)
async def flag(
    chatroom: ChatroomId,
    ambassador: AmbassadorId,
    body: FlagBody,
    session: SessionDep,
    caller: CurrentAmbassador,
) -> ActionMessage:
    text = await service.set_flag(session, caller, chatroom, ambassador, body.flag)
    return ActionMessage(message=text)
