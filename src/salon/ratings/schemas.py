from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from salon.api.wire import InputId, InputInt, InputText, WireDateTime, null_refused
from salon.clock import format_wire_datetime
from salon.records import Rating

RATING_COMMENT_MAX = 2000

RatingValue = Annotated[
    InputInt, Field(ge=0, le=5, description="The score, an integer from 0 to 5")
]
RatingComment = Annotated[
    InputText, Field(max_length=RATING_COMMENT_MAX, description="The rater's comment")
]


class RatingRequest(BaseModel):
    """Body of `POST /chat/chatrooms/{chatroom}/ratings`: ask `id_user_rater` to rate
    `id_user_rated`. Both default from the caller and the chatroom (see docs/decisions.md)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id_user_rated": 5, "id_user_rater": 2}],
            # A comment comes with a score.
            "if": {"properties": {"content": {"type": "string"}}, "required": ["content"]},
            "then": {"properties": {"value": {"type": "integer"}}, "required": ["value"]},
        },
    )

    id_user_rated: InputId | None = Field(
        default=None, description="The ambassador being rated (default: the caller)"
    )
    id_user_rater: InputId | None = Field(
        default=None,
        description="The ambassador asked to rate (default: the other participant of a "
        "one-to-one chatroom)",
    )
    value: RatingValue | None = Field(
        default=None, description="Rate at once (only when the caller is the rater)"
    )
    content: RatingComment | None = Field(
        default=None, description="Comment given with an immediate `value`"
    )


class RatingSubmission(BaseModel):
    """Body of `PATCH /chat/ratings/{rating}`: the rater's score and comment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"value": 5, "content": "bien"}], "minProperties": 1},
    )

    value: RatingValue | None = Field(
        default=None,
        description="Required until the rating has a score; a score cannot be removed",
        json_schema_extra=null_refused,
    )
    content: RatingComment | None = Field(default=None, description="null clears the comment")


class RatingLink(BaseModel):
    """The rater's way to answer without signing in: `GET` and `PUT /public/ratings/{token}`.
    Opaque, stored hashed (shown once), bound to this rating; it stops working at
    `expires_at` and when the rating is deleted or replaced by a newer request."""

    token: str
    expires_at: WireDateTime


class RatingOut(BaseModel):
    """A rating on the wire. A deleted rating keeps its dates and people but no longer says
    what it was: its message stays in the conversation without the score or the comment."""

    id_rating: int
    date_insert: WireDateTime
    date_update: WireDateTime
    date_delete: WireDateTime | None
    value: int | None = Field(description="0 to 5; null while the rating is only requested")
    content: str | None
    id_user_rater: int
    id_user_rated: int
    link: RatingLink | None = Field(
        default=None,
        description="Only in the `rating.requested` webhook, when someone other than the rater "
        "asked: the rater's link, for the brand's mailer or CRM to send them. Never in an "
        "answer of the API (the asker may be the rated ambassador, who must not hold it)",
    )


def _when(value: datetime | None) -> str | None:
    return format_wire_datetime(value) if value is not None else None


def rating_wire(rating: Rating) -> dict[str, Any]:
    """A `RatingOut` as sent. A deleted rating keeps its dates and people but no longer says
    what it was."""
    deleted = rating.date_delete is not None
    return {
        "id_rating": rating.id_rating,
        "date_insert": format_wire_datetime(rating.date_insert),
        "date_update": format_wire_datetime(rating.date_update),
        "date_delete": _when(rating.date_delete),
        "value": None if deleted else rating.value,
        "content": None if deleted else rating.content,
        "id_user_rater": rating.id_user_rater,
        "id_user_rated": rating.id_user_rated,
    }


class RatingReportItem(RatingOut):
    id_chatroom: int
    id_message: int
    date_supersede: WireDateTime | None = Field(
        description="Set when a newer request of the same rater for the same ambassador in "
        "the same chatroom replaced this rating: it stays as history and can no longer change "
        "(stats count one voice per rater, ambassador and chatroom: the newest score given)"
    )


def report_item_wire(rating: Rating) -> dict[str, Any]:
    """A `RatingReportItem` as sent."""
    return rating_wire(rating) | {
        "id_chatroom": rating.id_chatroom,
        "id_message": rating.id_message,
        "date_supersede": _when(rating.date_supersede),
    }
