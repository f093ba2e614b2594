from sqlalchemy.ext.asyncio import AsyncSession

from salon.chatrooms import repository
from salon.db.models import Ambassador, Chatroom, Rating
from salon.errors import Forbidden, NotFound
from salon.ratings import repository as ratings


async def get_chatroom(
    session: AsyncSession, caller: Ambassador, id_chatroom: int
) -> tuple[Chatroom, Rating | None]:
    """A chatroom and its last rating, for its participants and the brand's staff."""
    chatroom = await repository.get_with_participants(session, id_chatroom, caller.id_brand)
    if chatroom is None:
        raise NotFound("chatroom")
    if not caller.is_staff and all(
        p.id_ambassador != caller.id_ambassador for p in chatroom.participants
    ):
        raise Forbidden
    return chatroom, await ratings.last_rating(session, id_chatroom)
