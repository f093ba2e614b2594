from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime

_PENDING = text("status = 0")


class WebhookEndpoint(Base):
    """A brand's receiver of events (docs/webhooks.md): where to send, which events, and the
    secret the deliveries are signed with (Standard Webhooks, `whsec_...`). The secret is kept
    as given out: signing needs it, not a digest of it."""

    __tablename__ = "webhook_endpoint"
    # Ids are never reused (SQLite reuses the largest after a delete): an attempt still in
    # flight for a deleted endpoint or delivery must not settle onto a new one.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id_webhook: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(255), default="")
    # Comma-separated event types, e.g. "rating.submitted,rating.changed".
    event_types: Mapped[str] = mapped_column(Text)
    # Rating events whose rating has a value are sent only within these bounds (both optional).
    rating_value_min: Mapped[int | None] = mapped_column(SmallInteger)
    rating_value_max: Mapped[int | None] = mapped_column(SmallInteger)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why Salon disabled it (an endpoint that kept failing); null when staff did, or enabled.
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(64))
    # After a rotation, deliveries are signed with both secrets until this one expires.
    previous_secret: Mapped[str | None] = mapped_column(String(64))
    previous_secret_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first failed attempt since the last success: how long it has kept failing.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_create: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event for one endpoint, written in the transaction of the change that caused it.

    `status` 0 pending, 1 delivered, 2 failed, 3 paused (its endpoint is disabled: out of the
    queue until it is enabled). A pending row is due at `next_attempt_at`; a
    worker that takes it moves `next_attempt_at` past the attempt's timeout (its lease), so a
    process killed mid-attempt leaves it to be taken again."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The workers' queue: only pending rows, by due time.
        Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        Index("ix_webhook_delivery_endpoint", "id_webhook", "id_delivery"),
        Index("ix_webhook_delivery_date_create", "date_create"),
        {"sqlite_autoincrement": True},
    )

    id_delivery: Mapped[int] = mapped_column(primary_key=True)
    id_webhook: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id_webhook", ondelete="CASCADE")
    )
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"))
    # `webhook-id`: the same for every endpoint that receives the event, and on every retry.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Attempts started, ever; `step` is the place in the retry schedule (a redelivery resets it).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    date_create: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_done: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(Base):
    """One try at a delivery, as it went: the answer's status and first bytes, or the error."""

    __tablename__ = "webhook_attempt"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id_attempt: Mapped[int] = mapped_column(primary_key=True)
    id_delivery: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id_delivery", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    date_attempt: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
