from typing import Annotated

from fastapi import APIRouter

from salon.api.deps import CurrentAmbassador, SessionDep, SettingsDep, id_path
from salon.api.errors import error_responses
from salon.chatrooms import service
from salon.chatrooms.schemas import ChatroomOut
from salon.clock import utcnow

router = APIRouter(tags=["chatrooms"])


@router.get(
    "/chat/chatrooms/{id}",
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
