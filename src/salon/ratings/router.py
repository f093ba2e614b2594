from typing import Annotated

from fastapi import APIRouter, Body

from salon.api.deps import CurrentAmbassador, SessionDep, SettingsDep, id_path
from salon.api.errors import error_responses
from salon.clock import utcnow
from salon.messages.schemas import MessageOut
from salon.ratings import service
from salon.ratings.schemas import RatingOut, RatingRequest, RatingSubmission

router = APIRouter(tags=["ratings"])

ChatroomId = Annotated[int, id_path("The chatroom id")]
RatingId = Annotated[int, id_path("The rating id (`rating.id_rating` of the message)")]


@router.post(
    "/chat/chatrooms/{chatroom}/ratings",
    status_code=201,
    summary="Rate a chatroom",
    response_description="Return the created message with rating",
    responses=error_responses(401, 403, 404, 422),
)
async def rate_a_chatroom(
    chatroom: ChatroomId,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
    body: Annotated[RatingRequest | None, Body()] = None,
) -> MessageOut:
    """Ask `id_user_rater` to rate `id_user_rated`: creates a pending rating and the message
    (`type_message` 2) that carries it. The rater submits the score with
    `PATCH /chat/ratings/{rating}`."""
    message = await service.request_rating(
        session, settings, caller, chatroom, body or RatingRequest()
    )
    return MessageOut.of(message, now=utcnow(), online_window=settings.online_window)


@router.patch(
    "/chat/ratings/{rating}",
    summary="Update a rating",
    response_description="Return the updated rating",
    responses=error_responses(401, 403, 404, 422),
)
async def update_a_rating(
    rating: RatingId,
    session: SessionDep,
    settings: SettingsDep,
    caller: CurrentAmbassador,
    body: Annotated[RatingSubmission | None, Body()] = None,
) -> RatingOut:
    """The rater submits or changes the score (0-5) and comment, for
    `SALON_RATING_EDIT_WINDOW_DAYS` days after the first submission."""
    updated = await service.submit_rating(
        session, settings, caller, rating, body or RatingSubmission()
    )
    return RatingOut.of(updated)


@router.delete(
    "/chat/ratings/{rating}",
    summary="Delete a rating",
    response_description="Return the deleted rating, with its date_delete",
    responses=error_responses(401, 403, 404),
)
async def delete_a_rating(
    rating: RatingId, session: SessionDep, caller: CurrentAmbassador
) -> RatingOut:
    """Brand staff (status 2, 4 or 5) soft-delete a rating."""
    return RatingOut.of(await service.delete_rating(session, caller, rating))
