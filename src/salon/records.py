"""What services work on: rows from the repositories, as small immutable tuples, and the
documented integer enums. No database code here (the schema is `salon.db.models`)."""

from datetime import datetime
from enum import IntEnum
from typing import NamedTuple


class AmbassadorStatus(IntEnum):
    """The documented role enum (`status` on the wire)."""

    AMBASSADOR = 0
    EMPLOYEE = 1
    ADMINISTRATOR = 2
    SELLER = 3
    SHOP_MANAGER = 4
    MANAGER = 5
    EXPERT = 6
    CLIENT = 7
    TEMP = 8


# Brand staff may act on any chatroom and rating of their brand.
STAFF_STATUSES = frozenset(
    {AmbassadorStatus.ADMINISTRATOR, AmbassadorStatus.SHOP_MANAGER, AmbassadorStatus.MANAGER}
)


# Shoppers: a shop customer (known to the brand: staff or its systems create them) and a guest
# (anyone, `POST /auth/guest`).
VISITOR_STATUSES = (AmbassadorStatus.CLIENT, AmbassadorStatus.TEMP)


class ChatroomType(IntEnum):
    ONE_TO_ONE = 0
    ONE_TO_MANY = 7


class DiscussionType(IntEnum):
    BETWEEN_MEMBERS = 0
    BETWEEN_EXTERNAL = 1
    MEMBERS_AND_EXTERNAL = 2


class ChatroomSource(IntEnum):
    DIRECT = 0
    WAITING_LIST = 1
    HOT_LIST = 2


class MessageType(IntEnum):
    TEXT = 0
    PICTURE = 1
    RATING = 2
    PRODUCT = 3
    CONNECTION = 4
    REQUEST = 5
    UNAVAILABLE = 6
    VIDEO = 7
    EMAIL = 8
    MISSED = 9


class Brand(NamedTuple):
    """A tenant. `domain` is the shop's: public routes find the brand by `X-Popsell-Domain`."""

    id_brand: int
    label: str
    domain: str | None


class BrandTag(NamedTuple):
    """A named group of a brand's ambassadors; a chatroom opened on a tag gathers them."""

    id_brand_tag: int
    id_brand: int
    name: str


class Ambassador(NamedTuple):
    """A person of a brand, any role: the fields of the wire's `author` and their brand. (The
    rest of the profile is read only where it is shown: `Profile`.)"""

    id_ambassador: int
    id_brand: int
    image: str | None
    firstname: str
    lastname: str
    username: str | None
    email: str | None
    email_tmp: str | None
    active: int
    status: int
    last_action_date: datetime | None
    customer_id: str | None
    anonymized: bool

    @property
    def is_staff(self) -> bool:
        return self.status in STAFF_STATUSES


class Profile(NamedTuple):
    """The rest of a person's full form, read only where it is shown (`/me`, login, the
    manager's writes, the widget's card): never with a message's author. Its fields are the
    `ambassador` table's columns of the same names."""

    gender: str | None
    description: str | None
    dob: str | None
    lang: str | None
    phone_1: str | None
    phone_2: str | None
    city: str | None
    country: str | None
    postcode: str | None
    availability: str | None
    unavailable: bool
    is_absent: bool
    absent_msg: str | None
    fb_account: str | None
    twitter_account: str | None
    instagram_account: str | None
    linkedin_account: str | None
    youtube_account: str | None
    tiktok_account: str | None
    email_notification_enabled: bool
    browser_notification_enabled: bool
    notification_chat: bool
    notification_email_chat: bool
    optin_cgu: bool
    optin_cgu_photos: bool
    comment: str | None
    id_brand_user: int | None
    date_insert: datetime
    date_update: datetime


class Participant(NamedTuple):
    """One ambassador in one chatroom, with that ambassador's own view of it."""

    id_chatroom: int
    ambassador: Ambassador
    last_read_message: int | None
    is_blocked: bool
    archived: bool
    flag: int | None

    @property
    def id_ambassador(self) -> int:
        return self.ambassador.id_ambassador


class Chatroom(NamedTuple):
    id_chatroom: int
    id_brand: int
    type_chatroom: int
    type_discussion: int
    source: int
    date_insert: datetime
    last_message_date: datetime | None
    id_brand_tag: int | None
    established_dialogue: datetime | None
    """When a second person first wrote in it; null while only one has."""
    participants: tuple[Participant, ...]
    """Ordered by id_ambassador."""


class Summary(NamedTuple):
    """A summary of a conversation (Salon stores and shows them; it does not write them)."""

    id_chatroom: int
    date_insert: datetime
    summary: str
    anomaly: int
    topic: int | None


class Rating(NamedTuple):
    """Created as a request (`value` null); the rater submits `value` (0-5) and `content`.
    `date_rated` is the first submission (it opens the edit window); `date_supersede` is set
    when a newer request of the same rater for the same ambassador in the same chatroom
    replaced it (docs/security.md, "Ratings")."""

    id_rating: int
    id_brand: int
    id_chatroom: int
    id_message: int
    id_user_rater: int
    id_user_rated: int
    value: int | None
    content: str | None
    date_insert: datetime
    date_update: datetime
    date_rated: datetime | None
    date_delete: datetime | None
    date_supersede: datetime | None

    @property
    def is_pending(self) -> bool:
        return self.value is None

    @property
    def is_superseded(self) -> bool:
        return self.date_supersede is not None


class Message(NamedTuple):
    id_message: int
    id_brand: int
    id_chatroom: int
    type_message: int
    content: str
    status_moderation: int
    active: bool
    date_insert: datetime
    author: Ambassador
    rating: Rating | None
    """Only for type_message 2."""

    @property
    def id_ambassador(self) -> int:
        return self.author.id_ambassador


class WebhookEndpoint(NamedTuple):
    """A brand's receiver of events (docs/webhooks.md)."""

    id_webhook: int
    id_brand: int
    url: str
    description: str
    event_types: str
    """Comma-separated."""
    rating_value_min: int | None
    rating_value_max: int | None
    enabled: bool
    disabled_reason: str | None
    secret: str
    previous_secret: str | None
    previous_secret_expires: datetime | None
    failing_since: datetime | None
    date_create: datetime
    date_update: datetime

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.event_types.split(","))


class DeliveryStatus(IntEnum):
    PENDING = 0
    DELIVERED = 1
    FAILED = 2
    PAUSED = 3
    """Its endpoint is disabled: out of the queue until the endpoint is enabled."""


class WebhookDelivery(NamedTuple):
    id_delivery: int
    id_webhook: int
    id_brand: int
    event_id: str
    event_type: str
    payload: str
    status: int
    attempts: int
    step: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    date_create: datetime
    date_done: datetime | None


class WebhookAttempt(NamedTuple):
    id_attempt: int
    id_delivery: int
    number: int
    date_attempt: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str
