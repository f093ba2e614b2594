"""Wire models of webhook endpoints, deliveries and attempts, and of the events they carry."""

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from salon.api.wire import InputInt, InputText, WireDateTime, null_refused
from salon.chatrooms.schemas import ChatroomOut
from salon.clock import format_wire_datetime
from salon.messages.schemas import MessageOut
from salon.ratings.schemas import RatingOut
from salon.records import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from salon.webhooks.events import EVENT_TYPES

EventTypeName = Literal[
    "rating.requested",
    "rating.submitted",
    "rating.changed",
    "rating.deleted",
    "message.created",
    "chatroom.created",
]
assert set(EventTypeName.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]

URL_MAX = 2048
Url = Annotated[
    InputText,
    Field(
        max_length=URL_MAX,
        description="Where deliveries are POSTed: https, at a public address (plain http only "
        "to the networks the operator allows)",
        json_schema_extra={"pattern": r"^[hH][tT][tT][pP][sS]?://[^\x00]+$"},
    ),
]
Description = Annotated[InputText, Field(max_length=255, description="For people; free text")]
EventTypes = Annotated[
    list[EventTypeName],
    Field(min_length=1, max_length=len(EVENT_TYPES), json_schema_extra={"uniqueItems": True}),
]
RatingBound = Annotated[InputInt, Field(ge=0, le=5)]

RATING_BOUNDS = (
    "rating_value_min",
    "The rating_value_min must not be greater than rating_value_max.",
    "a range of scores that ends before it starts",
)
DUPLICATE_TYPES = (
    "event_types",
    "The event_types field has a duplicate value.",
    "the same event type listed twice",
)


class WebhookCreate(BaseModel):
    """Body of `POST /manager/webhooks`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://crm.example.com/salon-hooks",
                    "description": "Low scores to the support desk",
                    "event_types": ["rating.submitted", "rating.changed"],
                    "rating_value_max": 2,
                }
            ]
        },
    )

    url: Url
    description: Description = ""
    event_types: EventTypes | None = Field(
        default=None,
        description="The events to send (default: every type)",
        json_schema_extra=null_refused,
    )
    rating_value_min: RatingBound | None = Field(
        default=None,
        description="rating.submitted and rating.changed are sent only for a value at least this",
    )
    rating_value_max: RatingBound | None = Field(
        default=None,
        description="rating.submitted and rating.changed are sent only for a value at most this "
        "(2: every low score)",
    )
    enabled: StrictBool = True


class WebhookUpdate(BaseModel):
    """Body of `PATCH /manager/webhooks/{webhook}`: the fields to change. Enabling an endpoint
    Salon disabled clears its reason and its failing streak."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"enabled": True}], "minProperties": 1},
    )

    url: Url | None = Field(default=None, json_schema_extra=null_refused)
    description: Description | None = Field(default=None, json_schema_extra=null_refused)
    event_types: EventTypes | None = Field(default=None, json_schema_extra=null_refused)
    rating_value_min: RatingBound | None = Field(default=None, description="null: no bound")
    rating_value_max: RatingBound | None = Field(default=None, description="null: no bound")
    enabled: StrictBool | None = Field(default=None, json_schema_extra=null_refused)


class WebhookOut(BaseModel):
    id_webhook: int
    url: str
    description: str
    event_types: list[EventTypeName]
    rating_value_min: int | None
    rating_value_max: int | None
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why Salon disabled the endpoint (it kept failing); null otherwise"
    )
    failing_since: WireDateTime | None = Field(
        description="The first failed attempt since the last success; null while healthy"
    )
    previous_secret_expires: WireDateTime | None = Field(
        description="After a rotation, deliveries carry a signature with the previous secret "
        "too, until this date"
    )
    date_create: WireDateTime
    date_update: WireDateTime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        description="The signing secret (`whsec_...`, Standard Webhooks): shown when the "
        "endpoint is created and when the secret is rotated, never again"
    )


def _when(value: datetime | None) -> str | None:
    return format_wire_datetime(value) if value is not None else None


def webhook_wire(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "id_webhook": endpoint.id_webhook,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": [t for t in EVENT_TYPES if t in endpoint.types],
        "rating_value_min": endpoint.rating_value_min,
        "rating_value_max": endpoint.rating_value_max,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": _when(endpoint.failing_since),
        "previous_secret_expires": _when(endpoint.previous_secret_expires),
        "date_create": format_wire_datetime(endpoint.date_create),
        "date_update": format_wire_datetime(endpoint.date_update),
    }
    if with_secret:
        wire["secret"] = endpoint.secret
    return wire


DeliveryStatusName = Literal["pending", "delivered", "failed", "paused"]
STATUS_NAMES: dict[int, DeliveryStatusName] = {
    DeliveryStatus.PENDING: "pending",
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.PAUSED: "paused",
}
STATUS_VALUES = {name: status for status, name in STATUS_NAMES.items()}


class DeliveryOut(BaseModel):
    id_delivery: int
    id_webhook: int
    event_id: str = Field(description="The `webhook-id` header: the same on every retry")
    event_type: str
    nb_attempts: int
    status: DeliveryStatusName = Field(
        description="pending (waiting for an attempt or a retry), delivered, failed (a final "
        "answer, or every retry used), paused (its endpoint is disabled)"
    )
    next_attempt_at: WireDateTime | None = Field(
        description="When it is due (pending and paused only; a delivery being attempted is "
        "due again only if the attempt never ends)"
    )
    last_status_code: int | None = Field(description="The receiver's last HTTP status")
    last_error: str | None
    date_create: WireDateTime
    date_done: WireDateTime | None = Field(description="When it was delivered or given up")


class AttemptOut(BaseModel):
    number: int
    date_attempt: WireDateTime
    duration_ms: int
    status_code: int | None = Field(description="null: no answer (timeout, connection error)")
    error: str | None
    response_excerpt: str = Field(description="The first 256 bytes of the answer")


class DeliveryDetail(DeliveryOut):
    payload: dict[str, Any] = Field(description="The body as sent: `{type, timestamp, data}`")
    attempts: list[AttemptOut]


def delivery_wire(delivery: WebhookDelivery) -> dict[str, Any]:
    pending = delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.PAUSED)
    return {
        "id_delivery": delivery.id_delivery,
        "id_webhook": delivery.id_webhook,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": STATUS_NAMES[delivery.status],
        "nb_attempts": delivery.attempts,
        "next_attempt_at": _when(delivery.next_attempt_at) if pending else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "date_create": format_wire_datetime(delivery.date_create),
        "date_done": _when(delivery.date_done),
    }


HIDDEN = "(hidden)"


def _without_link_token(payload: Any) -> Any:
    """A payload as staff may read it: a rater's link is the rater's credential (whoever holds
    it rates as them), so its token was for the receiver alone."""
    rating = payload.get("data", {}).get("rating") if isinstance(payload, dict) else None
    if isinstance(rating, dict) and isinstance(rating.get("link"), dict):
        rating["link"]["token"] = HIDDEN
    return payload


def delivery_detail_wire(
    delivery: WebhookDelivery, attempts: list[WebhookAttempt]
) -> dict[str, Any]:
    return delivery_wire(delivery) | {
        "payload": _without_link_token(orjson.loads(delivery.payload)),
        "attempts": [
            {
                "number": a.number,
                "date_attempt": format_wire_datetime(a.date_attempt),
                "duration_ms": a.duration_ms,
                "status_code": a.status_code,
                "error": a.error,
                "response_excerpt": a.response_excerpt,
            }
            for a in attempts
        ],
    }


# ---- The events, as receivers get them (the OpenAPI schema's `webhooks`) -----------------


class _Envelope(BaseModel):
    timestamp: WireDateTime = Field(
        description="When the change was made (just before its transaction committed)"
    )


class RatingRequestedEvent(_Envelope):
    """A rating was asked for: `data` is the rating message (`type_message` 2), as
    `POST /chat/chatrooms/{chatroom}/ratings` answers it."""

    type: Literal["rating.requested"]
    data: MessageOut


class RatingSubmittedEvent(_Envelope):
    """The rater gave a score for the first time: `data` is the rating, as
    `PATCH /chat/ratings/{rating}` answers it."""

    type: Literal["rating.submitted"]
    data: RatingOut


class RatingChangedEvent(_Envelope):
    """The rater changed the score or the comment (within the edit window)."""

    type: Literal["rating.changed"]
    data: RatingOut


class RatingDeletedEvent(_Envelope):
    """Brand staff deleted the rating: `data` keeps its dates and people, not its score."""

    type: Literal["rating.deleted"]
    data: RatingOut


class MessageCreatedEvent(_Envelope):
    """A message was posted (a rating request is a message too)."""

    type: Literal["message.created"]
    data: MessageOut


class ChatroomCreatedEvent(_Envelope):
    """A chatroom was opened."""

    type: Literal["chatroom.created"]
    data: ChatroomOut


class TestEvent(_Envelope):
    """Sent by `POST /manager/webhooks/{webhook}/test`, to that endpoint only."""

    type: Literal["webhook.test"]
    data: dict[str, Any]
