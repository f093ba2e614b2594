from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from salon.ambassadors.schemas import AmbassadorMicro
from salon.api.wire import Int32, WireDateTime
from salon.db.models import Chatroom, ChatroomParticipant, Rating


class ChatroomPivot(BaseModel):
    """One participant's own state in the chatroom."""

    model_config = ConfigDict(from_attributes=True)

    id_chatroom: Int32
    id_ambassador: Int32
    last_read_message: Int32 | None
    is_blocked: bool
    archived: bool
    flag: int | None = Field(description="1: todo, 2: done, null: none")


class ChatroomMember(AmbassadorMicro):
    chatroom_pivot_data: list[ChatroomPivot]


class LastRating(BaseModel):
    value: int
    comment: str | None


class ChatroomOut(BaseModel):
    id_chatroom: int
    ambassadors: list[ChatroomMember]
    date_insert: WireDateTime
    last_message_date: WireDateTime | None
    type_chatroom: int = Field(description="0: one to one, 7: one to many")
    type_discussion: int = Field(
        description="0: between members, 1: between external, 2: between members and external"
    )
    source: int = Field(description="0: direct, 1: waiting_list, 2: hot_list")
    last_rating: LastRating | None = Field(
        description="The latest submitted rating that is not deleted; null when none"
    )

    @classmethod
    def of(
        cls,
        chatroom: Chatroom,
        last_rating: Rating | None,
        *,
        now: datetime,
        online_window: timedelta,
    ) -> "ChatroomOut":
        return cls(
            id_chatroom=chatroom.id_chatroom,
            ambassadors=[_member(p, now, online_window) for p in chatroom.participants],
            date_insert=chatroom.date_insert,
            last_message_date=chatroom.last_message_date,
            type_chatroom=chatroom.type_chatroom,
            type_discussion=chatroom.type_discussion,
            source=chatroom.source,
            last_rating=(
                LastRating(value=last_rating.value, comment=last_rating.content)
                if last_rating is not None and last_rating.value is not None
                else None
            ),
        )


def _member(
    participant: ChatroomParticipant, now: datetime, online_window: timedelta
) -> ChatroomMember:
    micro = AmbassadorMicro.of(participant.ambassador, now=now, online_window=online_window)
    pivot = ChatroomPivot.model_validate(participant)
    return ChatroomMember(**micro.model_dump(), chatroom_pivot_data=[pivot])
