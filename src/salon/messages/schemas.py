from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from salon.ambassadors.schemas import AmbassadorMicro
from salon.api.wire import InputId, InputInt, WireDateTime
from salon.db.models import Message
from salon.ratings.schemas import RatingOut

TYPE_MESSAGE_DESCRIPTION = (
    "0: text, 1: picture, 2: rating, 3: product, 4: connection, 5: request, "
    "6: unavailable, 7: video, 8: email, 9: missed"
)


class MessageOut(BaseModel):
    id_message: int
    date_insert: WireDateTime
    author: AmbassadorMicro
    content: str
    type_message: int = Field(ge=0, le=9, description=TYPE_MESSAGE_DESCRIPTION)
    status_moderation: int
    rating: RatingOut | None = Field(description="Only for type_message = 2")

    @classmethod
    def of(cls, message: Message, *, now: datetime, online_window: timedelta) -> "MessageOut":
        """`message.author` and `message.rating` must be loaded by the query."""
        return cls(
            id_message=message.id_message,
            date_insert=message.date_insert,
            author=AmbassadorMicro.of(message.author, now=now, online_window=online_window),
            content=message.content,
            type_message=message.type_message,
            status_moderation=message.status_moderation,
            rating=RatingOut.of(message.rating) if message.rating is not None else None,
        )


MESSAGE_CONTENT_MAX = 10_000
POSTABLE_TYPES = (0, 1, 3, 4, 5, 6, 7, 8, 9)


class MessageCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id_ambassador": 2, "content": "Hello!", "type_message": 0}]
        },
    )

    id_ambassador: InputId = Field(description="Ambassador's ID: the author, the caller")
    content: Annotated[str, Field(strict=True, max_length=MESSAGE_CONTENT_MAX)] = Field(
        default="", description="Message's content (a URL for pictures and videos)"
    )
    type_message: Annotated[InputInt, Field(ge=0, le=9)] = Field(
        description=TYPE_MESSAGE_DESCRIPTION + ". 2 is refused: rating messages come from "
        "POST /chat/chatrooms/{chatroom}/ratings"
    )


class MessageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: (
        Annotated[str, Field(strict=True, min_length=1, max_length=MESSAGE_CONTENT_MAX)] | None
    ) = None
    active: StrictBool | None = Field(default=None, description="false hides the message")
