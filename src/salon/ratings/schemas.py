from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from salon.api.wire import InputId, InputInt, WireDateTime
from salon.db.models import Rating

RATING_COMMENT_MAX = 2000

RatingValue = Annotated[
    InputInt, Field(ge=0, le=5, description="The score, an integer from 0 to 5")
]
RatingComment = Annotated[
    str, Field(strict=True, max_length=RATING_COMMENT_MAX, description="The rater's comment")
]


class RatingRequest(BaseModel):
    """Body of `POST /chat/chatrooms/{chatroom}/ratings`: ask `id_user_rater` to rate
    `id_user_rated`. Both default from the caller and the chatroom (see docs/decisions.md)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id_user_rated": 5, "id_user_rater": 2}]},
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
        extra="forbid", json_schema_extra={"examples": [{"value": 5, "content": "bien"}]}
    )

    value: RatingValue | None = None
    content: RatingComment | None = Field(default=None, description="null clears the comment")


class RatingOut(BaseModel):
    """A rating on the wire, read straight from the model's attributes."""

    model_config = ConfigDict(from_attributes=True)

    id_rating: int
    date_insert: WireDateTime
    date_update: WireDateTime
    date_delete: WireDateTime | None
    value: int | None = Field(description="0 to 5; null while the rating is only requested")
    content: str | None
    id_user_rater: int
    id_user_rated: int

    @classmethod
    def of(cls, rating: Rating) -> "RatingOut":
        return cls.model_validate(rating)


class RatingReportItem(RatingOut):
    id_chatroom: int
    id_message: int

    @classmethod
    def of_report(cls, rating: Rating) -> "RatingReportItem":
        return cls.model_validate(rating)
