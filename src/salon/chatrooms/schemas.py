from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from salon.ambassadors.schemas import AmbassadorMicro, micro_wire
from salon.api.wire import (
    InputDateTime,
    InputId,
    InputInt,
    Int32,
    WireDateTime,
    decimal_text,
)
from salon.clock import format_wire_datetime
from salon.messages.schemas import MessageOut, message_wire
from salon.records import Chatroom, Message, Participant, Rating, Summary

# `filter[type_chatroom]` of the chatroom lists (an ambassador's, the manager's).
TypeChatroomFilter = Annotated[
    int | None,
    Field(
        alias="filter[type_chatroom]",
        description="0: one to one, 7: one to many",
        json_schema_extra={"enum": [0, 7]},
    ),
    BeforeValidator(decimal_text),
]

# The manager's view of one chatroom carries its conversation, up to this many messages.
MANAGER_MESSAGES = 1000


class ChatroomPivot(BaseModel):
    """One participant's own state in the chatroom."""

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


class LastSummary(BaseModel):
    date_insert: WireDateTime
    summary: str
    anomaly: int
    topic: int | None


class ChatroomFields(BaseModel):
    id_chatroom: int
    date_insert: WireDateTime
    last_message_date: WireDateTime | None
    type_chatroom: int = Field(description="0: one to one, 7: one to many")
    type_discussion: int = Field(
        description="0: between members, 1: between external, 2: between members and external"
    )
    source: int = Field(description="0: direct, 1: waiting_list, 2: hot_list")
    established_dialogue: WireDateTime | None = Field(
        description="When a second person first wrote in the chatroom (at least two authors); "
        "null while only one has"
    )
    last_rating: LastRating | None = Field(
        description="The latest submitted rating that is not deleted; null when none"
    )
    last_summary: LastSummary | None = Field(
        description="The newest summary of the conversation; null when none (docs/decisions.md)"
    )


class ChatroomOut(ChatroomFields):
    ambassadors: list[ChatroomMember]


class ChatroomListItem(ChatroomOut):
    last_message: MessageOut | None


class ManagerChatroom(ChatroomFields):
    """As the manager's list shows a chatroom: its people without their own state."""

    ambassadors: list[AmbassadorMicro]


class ManagerChatroomDetail(ChatroomOut):
    messages: list[MessageOut] = Field(
        description=f"The conversation, oldest first (its newest {MANAGER_MESSAGES} messages)"
    )


def chatroom_wire(
    chatroom: Chatroom,
    last_rating: Rating | None,
    last_summary: Summary | None,
    now: datetime,
    online_window: timedelta,
    *,
    own_state: bool = True,
) -> dict[str, Any]:
    """A `ChatroomOut` as sent (a `ManagerChatroom` without the participants' `own_state`)."""
    last, established = chatroom.last_message_date, chatroom.established_dialogue
    people = chatroom.participants
    return {
        "id_chatroom": chatroom.id_chatroom,
        "ambassadors": (
            [_member(p, now, online_window) for p in people]
            if own_state
            else [micro_wire(p.ambassador, now, online_window) for p in people]
        ),
        "date_insert": format_wire_datetime(chatroom.date_insert),
        "last_message_date": format_wire_datetime(last) if last is not None else None,
        "type_chatroom": chatroom.type_chatroom,
        "type_discussion": chatroom.type_discussion,
        "source": chatroom.source,
        "established_dialogue": (
            format_wire_datetime(established) if established is not None else None
        ),
        "last_rating": (
            {"value": last_rating.value, "comment": last_rating.content}
            if last_rating is not None and last_rating.value is not None
            else None
        ),
        "last_summary": (
            {
                "date_insert": format_wire_datetime(last_summary.date_insert),
                "summary": last_summary.summary,
                "anomaly": last_summary.anomaly,
                "topic": last_summary.topic,
            }
            if last_summary is not None
            else None
        ),
    }


def list_item_wire(
    chatroom: Chatroom,
    last_rating: Rating | None,
    last_summary: Summary | None,
    last_message: Message | None,
    now: datetime,
    online_window: timedelta,
) -> dict[str, Any]:
    """A `ChatroomListItem` as sent."""
    return chatroom_wire(chatroom, last_rating, last_summary, now, online_window) | {
        "last_message": (
            message_wire(last_message, now, online_window) if last_message is not None else None
        )
    }


def _member(participant: Participant, now: datetime, online_window: timedelta) -> dict[str, Any]:
    return micro_wire(participant.ambassador, now, online_window) | {
        "chatroom_pivot_data": [
            {
                "id_chatroom": participant.id_chatroom,
                "id_ambassador": participant.id_ambassador,
                "last_read_message": participant.last_read_message,
                "is_blocked": participant.is_blocked,
                "archived": participant.archived,
                "flag": participant.flag,
            }
        ]
    }


class ChatroomUpdate(BaseModel):
    """The one documented field. Staff only: it counts in the ambassadors' numbers."""

    model_config = ConfigDict(extra="forbid")
    established_dialogue: InputDateTime | None = Field(
        description="When the dialogue was established; null: not established"
    )


class ChatroomCreate(BaseModel):
    """Exactly one of `ids_ambassadors` (two people) or `id_brand_tag` (a group); the other
    is absent or null."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"ids_ambassadors": [1, 2], "source": 0}],
            # Exactly one of the two, said with if/then/else rather than oneOf: generated
            # clients (openapi-python-client) cannot build a model from a oneOf of partial
            # objects, and skipped the whole operation.
            "if": {
                "required": ["ids_ambassadors"],
                "properties": {"ids_ambassadors": {"type": "array"}},
            },
            "then": {"properties": {"id_brand_tag": {"type": "null"}}},
            "else": {
                "required": ["id_brand_tag"],
                "properties": {"id_brand_tag": {"type": "integer"}},
            },
        },
    )

    ids_ambassadors: list[InputId] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="must contain exactly two different ids",
        json_schema_extra={"uniqueItems": True},
    )
    id_brand_tag: InputId | None = Field(default=None, description="brand tag to associate")
    source: Annotated[InputInt, Field(ge=0, le=2)] = Field(
        description="0: direct, 1: waiting_list, 2: hot_list"
    )


class BlockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    is_blocked: StrictBool = Field(description="true = blocked, false = unblocked")


class ArchiveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    archive: StrictBool = Field(description="true = archived, false = unarchived")


class FlagBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flag: Annotated[InputInt, Field(ge=1, le=2)] | None = Field(
        description="1: todo, 2: done, null: no flag"
    )


class ActionMessage(BaseModel):
    message: str
