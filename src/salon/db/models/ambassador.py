from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class Ambassador(Base):
    __tablename__ = "ambassador"
    __table_args__ = (
        UniqueConstraint("id_brand", "email"),
        CheckConstraint("status BETWEEN 0 AND 8", name="status_enum"),
        CheckConstraint("active BETWEEN -5 AND 1", name="active_enum"),
    )

    id_ambassador: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    image: Mapped[str | None] = mapped_column(String(2048))
    firstname: Mapped[str] = mapped_column(String(255), default="")
    lastname: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    email_tmp: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[int] = mapped_column(SmallInteger, default=1)
    status: Mapped[int] = mapped_column(SmallInteger)
    last_action_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_id: Mapped[str | None] = mapped_column(String(255))
    anonymized: Mapped[bool] = mapped_column(Boolean, default=False)
    # Argon2 hash (pwdlib); null: this person cannot log in with a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # SHA-256 of the person's API key (exchanged for tokens at POST /auth/token).
    api_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # An application (active 0) approved (active 1) or declined (active -1) by brand staff
    # (PATCH /manager/ambassadors/{id}/approve, /decline).
    validate_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(1000))

    # The profile (docs/decisions.md, "The ambassador's profile"): read only where the full
    # form is shown (`ambassadors.repository.profile`), never with a message's author.
    gender: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(2000))
    dob: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    lang: Mapped[str | None] = mapped_column(String(16))
    phone_1: Mapped[str | None] = mapped_column(String(32))
    phone_2: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(255))
    country: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(32))
    availability: Mapped[str | None] = mapped_column(String(255))
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_absent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    absent_msg: Mapped[str | None] = mapped_column(String(1000))
    fb_account: Mapped[str | None] = mapped_column(String(255))
    twitter_account: Mapped[str | None] = mapped_column(String(255))
    instagram_account: Mapped[str | None] = mapped_column(String(255))
    linkedin_account: Mapped[str | None] = mapped_column(String(255))  # `linkedIn_account`
    youtube_account: Mapped[str | None] = mapped_column(String(255))
    tiktok_account: Mapped[str | None] = mapped_column(String(255))
    email_notification_enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    browser_notification_enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    notification_chat: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notification_email_chat: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    optin_cgu: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    optin_cgu_photos: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The brand staff's note on the person (POST/PATCH /manager/ambassadors `comment`).
    comment: Mapped[str | None] = mapped_column(String(2000))
    # A guest (status 8) bound to the brand user (status 7) it became (POST /auth/brand): the
    # brand user's chatrooms include the guest's.
    id_brand_user: Mapped[int | None] = mapped_column(
        ForeignKey("ambassador.id_ambassador"), index=True
    )
    # The email the brand's site vouched for at POST /auth/brand (without a customer_id): how
    # the site finds its customer again. Never set by the person, unlike `email_tmp`.
    brand_user_email: Mapped[str | None] = mapped_column(String(320), index=True)
