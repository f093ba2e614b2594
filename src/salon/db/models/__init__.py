"""Every model, imported once so that `Base.metadata` knows all tables."""

from salon.db.models.ambassador import STAFF_STATUSES, Ambassador, AmbassadorStatus
from salon.db.models.api_token import ApiToken
from salon.db.models.brand import Brand
from salon.db.models.brand_tag import BrandTag, BrandTagMember
from salon.db.models.chatroom import (
    Chatroom,
    ChatroomParticipant,
    ChatroomSource,
    ChatroomType,
    DiscussionType,
)
from salon.db.models.idempotency import IdempotencyKey
from salon.db.models.message import Message, MessageType
from salon.db.models.rating import Rating

__all__ = [
    "STAFF_STATUSES",
    "Ambassador",
    "AmbassadorStatus",
    "ApiToken",
    "Brand",
    "BrandTag",
    "BrandTagMember",
    "Chatroom",
    "ChatroomParticipant",
    "ChatroomSource",
    "ChatroomType",
    "DiscussionType",
    "IdempotencyKey",
    "Message",
    "MessageType",
    "Rating",
]
