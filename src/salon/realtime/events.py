"""Typed real-time events. They are queued in the request's transaction and published only
after it commits (see `salon.realtime.outbox`)."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    CHATROOM_CREATED = "chatroom.created"
    MESSAGE_CREATED = "message.created"
    MESSAGE_UPDATED = "message.updated"
    READ_MARKER_MOVED = "read_marker.moved"
    RATING_REQUESTED = "rating.requested"
    RATING_SUBMITTED = "rating.submitted"
    RATING_CHANGED = "rating.changed"
    RATING_DELETED = "rating.deleted"


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    id_brand: int
    id_chatroom: int
    # Who should receive it: the chatroom's participants at the time of the change.
    recipients: tuple[int, ...]
    # The wire representation of what changed (a message, a rating, a chatroom, a marker).
    data: dict[str, Any]
