from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from salon.ambassadors.schemas import AmbassadorMicro, micro_wire
from salon.api.wire import InputId, InputInt, InputText, WireDateTime, null_refused
from salon.clock import format_wire_datetime
from salon.ratings.schemas import RatingOut, rating_wire
from salon.records import Message

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


def message_wire(
    message: Message,
    now: datetime,
    online_window: timedelta,
    authors: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `MessageOut` as sent. A page of messages passes `authors`, so that each author's
    dict is built once for the page (a conversation has two or three of them)."""
    rating = message.rating
    author = message.author
    wired_author = authors.get(author.id_ambassador) if authors is not None else None
    if wired_author is None:
        wired_author = micro_wire(author, now, online_window)
        if authors is not None:
            authors[author.id_ambassador] = wired_author
    return {
        "id_message": message.id_message,
        "date_insert": format_wire_datetime(message.date_insert),
        "author": wired_author,
        "content": message.content,
        "type_message": message.type_message,
        "status_moderation": message.status_moderation,
        "rating": rating_wire(rating) if rating is not None else None,
    }


MESSAGE_CONTENT_MAX = 10_000
POSTABLE_TYPES = (0, 1, 3, 4, 5, 6, 7, 8, 9)
NEED_CONTENT = (0, 1, 7)  # a text, picture or video message without content says nothing
# Some character that is not blank. The set is what Python (str.isspace) and the schema's
# regular expressions (ECMA-262 \s) both or either call white space, written out so that the
# server and any schema validator read this pattern alike.
VISIBLE = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


class MessageCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id_ambassador": 2, "content": "Hello!", "type_message": 0}],
            "if": {
                "properties": {"type_message": {"enum": list(NEED_CONTENT)}},
                "required": ["type_message"],
            },
            "then": {"properties": {"content": {"pattern": VISIBLE}}, "required": ["content"]},
        },
    )

    id_ambassador: InputId = Field(description="Ambassador's ID: the author, the caller")
    content: Annotated[InputText, Field(max_length=MESSAGE_CONTENT_MAX)] = Field(
        default="",
        description="Message's content (a URL for pictures and videos); not blank for "
        "type_message 0, 1 and 7",
    )
    type_message: Annotated[InputInt, Field(ge=0, le=9)] = Field(
        description=TYPE_MESSAGE_DESCRIPTION + ". 2 is refused: rating messages come from "
        "POST /chat/chatrooms/{chatroom}/ratings",
        json_schema_extra={"enum": list(POSTABLE_TYPES)},
    )


class MessageUpdate(BaseModel):
    """At least one of `content` and `active`; neither may be null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    content: Annotated[InputText, Field(min_length=1, max_length=MESSAGE_CONTENT_MAX)] | None = (
        Field(default=None, json_schema_extra=null_refused)
    )
    active: StrictBool | None = Field(
        default=None, description="false hides the message", json_schema_extra=null_refused
    )
