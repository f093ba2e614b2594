"""Every model, imported once so that `Base.metadata` knows all tables. The schema only:
while serving, Salon reads and writes through `salon.db.database` (the enums are in
`salon.records`)."""

from salon.db.models.ambassador import Ambassador
from salon.db.models.api_token import ApiToken
from salon.db.models.brand import Brand
from salon.db.models.brand_tag import BrandTag, BrandTagMember
from salon.db.models.catalog import ChatTopic, I18nContent
from salon.db.models.chatroom import Chatroom, ChatroomParticipant, ChatroomSummary
from salon.db.models.idempotency import IdempotencyKey
from salon.db.models.message import Message
from salon.db.models.rating import Rating
from salon.db.models.waiting_list import WaitingList
from salon.db.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Ambassador",
    "ApiToken",
    "Brand",
    "BrandTag",
    "BrandTagMember",
    "ChatTopic",
    "Chatroom",
    "ChatroomParticipant",
    "ChatroomSummary",
    "I18nContent",
    "IdempotencyKey",
    "Message",
    "Rating",
    "WaitingList",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
