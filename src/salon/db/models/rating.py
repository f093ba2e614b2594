from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime
from salon.db.models.message import Message

_OPEN = text("date_delete IS NULL AND date_supersede IS NULL")


class Rating(Base):
    """A rating of one ambassador by another in a chatroom.

    Created as a request (`value` null); the rater submits `value` (0-5) and `content` later.
    `date_rated` is the first submission (it opens the edit window); `date_update` moves with
    every submission, so the chatroom's `last_rating` is the live rating with the latest one.

    A rater's voice counts once (docs/security.md, "Ratings"): per (chatroom, rater, rated) at
    most one rating is *open* (neither deleted nor superseded). Asking again after a new
    exchange supersedes it: it stays in the conversation's history but can no longer change.
    """

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("value BETWEEN 0 AND 5", name="value_range"),
        # At most one open rating per (chatroom, rater, rated): enforced by the database, so
        # concurrent requests or immediate ratings cannot both win.
        Index(
            "uq_rating_open",
            "id_chatroom",
            "id_user_rater",
            "id_user_rated",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_rating_chatroom_update", "id_chatroom", "date_update"),
        Index("uq_rating_link_hash", "link_hash", unique=True),
    )

    id_rating: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    id_chatroom: Mapped[int] = mapped_column(ForeignKey("chatroom.id_chatroom"))
    id_message: Mapped[int] = mapped_column(ForeignKey("message.id_message"), unique=True)
    id_user_rater: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"), index=True)
    id_user_rated: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"), index=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    content: Mapped[str | None] = mapped_column(Text)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_rated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_delete: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a newer request of the same rater for the same ambassador in the same chatroom
    # replaced this one (after a new exchange): history, no longer editable.
    date_supersede: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rater's link (`/public/ratings/{token}`): the token's SHA-256, and when it stops
    # working. Null when the rater asked themselves (nobody else needs to reach them).
    link_hash: Mapped[str | None] = mapped_column(String(64))
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship(lazy="raise", back_populates="rating")
