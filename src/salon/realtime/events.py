"""Typed real-time events. They are queued in the request's transaction and published only
after it commits (see `salon.realtime.outbox`); docs/realtime.md is their wire reference."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson


class EventType(StrEnum):
    CHATROOM_CREATED = "chatroom.created"
    MESSAGE_CREATED = "message.created"
    MESSAGE_UPDATED = "message.updated"
    READ_MARKER_MOVED = "read_marker.moved"
    RATING_REQUESTED = "rating.requested"
    RATING_SUBMITTED = "rating.submitted"
    RATING_CHANGED = "rating.changed"
    RATING_DELETED = "rating.deleted"
    PRESENCE_CHANGED = "presence.changed"
    WAITING_LIST_JOINED = "waiting_list.joined"
    WAITING_LIST_TAKEN = "waiting_list.taken"
    WAITING_LIST_TRANSFERRED = "waiting_list.transferred"
    WAITING_LIST_LEFT = "waiting_list.left"


def person_stream(id_ambassador: int) -> str:
    """What one person's sockets receive: the events of the chatrooms they take part in."""
    return f"person:{id_ambassador}"


def brand_stream(id_brand: int) -> str:
    """What brand staff subscribed to the brand receive: every event of the brand."""
    return f"brand:{id_brand}"


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    id_brand: int
    # None for events about a person rather than a chatroom (presence).
    id_chatroom: int | None
    # Who should receive it: the chatroom's participants at the time of the change.
    recipients: tuple[int, ...]
    # The wire representation of what changed (a message, a rating, a chatroom, a marker).
    data: dict[str, Any]
    # What the brand's own systems get instead (its webhooks), never a socket: a rating
    # request's link for its rater.
    webhook_data: dict[str, Any] | None = None

    def streams(self) -> list[str]:
        return [
            *(person_stream(r) for r in dict.fromkeys(self.recipients)),
            brand_stream(self.id_brand),
        ]

    def body(self) -> bytes:
        """The frame without its sequence number, serialised once for every recipient."""
        return orjson.dumps(
            {
                "type": self.type,
                "id_brand": self.id_brand,
                "id_chatroom": self.id_chatroom,
                "data": self.data,
            }
        )


def frame(seq: int, body: bytes) -> str:
    """`{"seq": N, ...body}`: numbering a frame costs a concatenation, not a serialisation."""
    return f'{{"seq":{seq},{body[1:].decode()}'
