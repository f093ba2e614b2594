from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from salon.api.wire import InputId, InputText, WireDateTime
from salon.clock import format_wire_datetime
from salon.waiting_list.repository import Entry

CONTENT_MAX = 1000
COMMENT_MAX = 1000


class WaitingListEntry(BaseModel):
    """An entry of the waiting list: the reference's fields, plus `id_waiting_list` (the id
    the take, transfer and leave routes name) and `date_insert` (when the visitor joined)."""

    id_waiting_list: int
    id_ambassador: int | None = Field(description="The member who took it (null: waiting)")
    id_user: int = Field(description="The visitor who waits")
    id_brand: int
    id_chat_topic: int | None
    content: str = Field(description="The visitor's request, e.g. Help me")
    id_chatroom: int | None = Field(description="The chatroom opened when it was taken")
    date_insert: WireDateTime
    date_handled: WireDateTime | None = Field(description="When a member took it")
    date_update: WireDateTime
    date_delete: WireDateTime | None
    source: int = Field(description="How the visitor came: 0, the community widget")
    id_transferrer: int | None = Field(description="Who transferred it last")
    id_chatroom_transferred: int | None = Field(
        description="The chatroom opened by its last transfer"
    )
    comment: str | None = Field(description="The last transfer's comment")


def _date(value: datetime | None) -> str | None:
    return None if value is None else format_wire_datetime(value)


def entry_wire(entry: Entry) -> dict[str, Any]:
    return {
        "id_waiting_list": entry.id_waiting_list,
        "id_ambassador": entry.id_ambassador,
        "id_user": entry.id_user,
        "id_brand": entry.id_brand,
        "id_chat_topic": entry.id_chat_topic,
        "content": entry.content,
        "id_chatroom": entry.id_chatroom,
        "date_insert": format_wire_datetime(entry.date_insert),
        "date_handled": _date(entry.date_handled),
        "date_update": format_wire_datetime(entry.date_update),
        "date_delete": _date(entry.date_delete),
        "source": entry.source,
        "id_transferrer": entry.id_transferrer,
        "id_chatroom_transferred": entry.id_chatroom_transferred,
        "comment": entry.comment,
    }


class JoinBody(BaseModel):
    """Body of `POST /chat/waiting-list`: a visitor asks for a member."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"content": "Help me"}]}
    )

    content: Annotated[InputText, Field(min_length=1, max_length=CONTENT_MAX)] = Field(
        description="What the visitor asks (not blank)"
    )
    id_chat_topic: InputId | None = Field(
        default=None, description="The chat topic the visitor chose"
    )


class TransferBody(BaseModel):
    """Body of `POST /chat/waiting-list/{entry}/transfer`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id_ambassador": 4, "comment": "An expert's question"}]},
    )

    id_ambassador: InputId = Field(description="The member who takes it over")
    comment: Annotated[InputText, Field(max_length=COMMENT_MAX)] | None = Field(
        default=None, description="For the member who takes it over"
    )
