from typing import Annotated, Any

from fastapi import APIRouter

from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses, links
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.chatrooms import service
from salon.chatrooms.schemas import (
    ActionMessage,
    ArchiveBody,
    BlockBody,
    ChatroomCreate,
    ChatroomOut,
    ChatroomUpdate,
    FlagBody,
)
from salon.clock import utcnow
from salon.messages.schemas import MessageOut, message_wire

EXISTING_PAIR: dict[int | str, dict[str, Any]] = {
    200: {"model": ChatroomOut, "description": "The pair's existing chatroom"}
}

router = APIRouter(route_class=SalonRoute, prefix="/chat/chatrooms", tags=["chatrooms"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
AmbassadorId = Annotated[int, id_path("The ambassador id (a participant)")]


@router.post(
    "",
    status_code=201,
    response_model=ChatroomOut,
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
async def create_chatroom(body: ChatroomCreate, call: Authenticated) -> JSON:
    shown, created = await service.open_chatroom(call.tx, call.settings, call.caller, body)
    return JSON(shown.wire(call.settings), 201 if created else 200)


@router.get(
    "/{id}",
    response_model=ChatroomOut,
    summary="Get a chatroom by id",
    responses=error_responses(401, 403, 404, 422),
)
async def get_a_chatroom(
    id: Annotated[int, id_path("The chatroom id")], call: Authenticated
) -> JSON:
    shown = await service.get_chatroom(call.tx, call.caller, id)
    return ok(shown.wire(call.settings))


@router.patch(
    "/{id}",
    response_model=ChatroomOut,
    summary="Update a chatroom by id",
    description="Brand staff only: `established_dialogue` counts in the ambassadors' numbers "
    "(`nb_established_conversations`), so participants may not set their own.",
    response_description="Return the updated chatroom",
    responses=error_responses(401, 403, 404, 422),
)
async def update_a_chatroom(
    id: Annotated[int, id_path("The chatroom id")], body: ChatroomUpdate, call: Authenticated
) -> JSON:
    shown = await service.update_chatroom(call.tx, call.caller, id, body)
    return ok(shown.wire(call.settings))


@router.post(
    "/{chatroom}/ambassadors/{ambassador}/read",
    response_model=MessageOut,
    summary="Mark last message read by ambassador",
    description=described(
        "Moves the participant's read marker to the chatroom's newest message.",
        ("chatroom", "The chatroom has no message to mark as read.", "the chatroom is empty"),
    ),
    response_description="Returns the last message read",
    responses=error_responses(401, 403, 404, 422),
)
async def mark_read(chatroom: ChatroomId, ambassador: AmbassadorId, call: Authenticated) -> JSON:
    message = await service.mark_read(call.tx, call.caller, chatroom, ambassador)
    return ok(message_wire(message, utcnow(), call.settings.online_window))


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/block",
    response_model=ActionMessage,
    summary="Block a chatroom for an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def block(
    chatroom: ChatroomId, ambassador: AmbassadorId, body: BlockBody, call: Authenticated
) -> JSON:
    text = await service.set_blocked(call.tx, call.caller, chatroom, ambassador, body.is_blocked)
    return ok({"message": text})


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/archive",
    response_model=ActionMessage,
    summary="Archive or unarchive a chatroom for an ambassador",
    responses=error_responses(401, 403, 404, 422),
)
async def archive(
    chatroom: ChatroomId, ambassador: AmbassadorId, body: ArchiveBody, call: Authenticated
) -> JSON:
    text = await service.set_archived(call.tx, call.caller, chatroom, ambassador, body.archive)
    return ok({"message": text})


@router.patch(
    "/{chatroom}/ambassadors/{ambassador}/flag",
    response_model=ActionMessage,
    summary="Flag a chatroom",
    responses=error_responses(401, 403, 404, 422),
)
async def flag(
    chatroom: ChatroomId, ambassador: AmbassadorId, body: FlagBody, call: Authenticated
) -> JSON:
    text = await service.set_flag(call.tx, call.caller, chatroom, ambassador, body.flag)
    return ok({"message": text})
