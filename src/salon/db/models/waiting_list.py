from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime

_OPEN = text("date_handled IS NULL AND date_delete IS NULL")


class WaitingList(Base):
    """A visitor waiting for a member of the brand (`/chat/waiting-list`): open until a member
    takes it (`date_handled`, `id_ambassador`, `id_chatroom`) or the visitor leaves
    (`date_delete`)."""

    __tablename__ = "waiting_list"
    __table_args__ = (
        # One open entry per visitor, enforced by the database: two joins at once make one.
        Index(
            "uq_waiting_list_open",
            "id_user",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_waiting_list_brand_handled", "id_brand", "date_handled"),
    )

    id_waiting_list: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"))
    # The visitor who waits.
    id_user: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"))
    # The member who took it (after a transfer: the one it was transferred to).
    id_ambassador: Mapped[int | None] = mapped_column(ForeignKey("ambassador.id_ambassador"))
    # A chat topic's id; no foreign key yet (chat topics come with another branch).
    id_chat_topic: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    id_chatroom: Mapped[int | None] = mapped_column(ForeignKey("chatroom.id_chatroom"))
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_handled: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_delete: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the visitor came (Salon: 0, the community widget); the reference leaves its
    # integers undescribed (docs/decisions.md).
    source: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    id_transferrer: Mapped[int | None] = mapped_column(ForeignKey("ambassador.id_ambassador"))
    id_chatroom_transferred: Mapped[int | None] = mapped_column(ForeignKey("chatroom.id_chatroom"))
    comment: Mapped[str | None] = mapped_column(String(1000))
