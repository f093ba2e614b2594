from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime
from salon.db.models.ambassador import Ambassador

if TYPE_CHECKING:
    from salon.db.models.rating import Rating


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint("type_message BETWEEN 0 AND 9", name="type_message_enum"),
        Index("ix_message_chatroom_date", "id_chatroom", "date_insert"),
        # "Has this person spoken in this chatroom (since that message)?": the rating rules.
        Index("ix_message_chatroom_author", "id_chatroom", "id_ambassador", "id_message"),
    )

    id_message: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    id_chatroom: Mapped[int] = mapped_column(ForeignKey("chatroom.id_chatroom"))
    id_ambassador: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"), index=True)
    type_message: Mapped[int] = mapped_column(SmallInteger)
    content: Mapped[str] = mapped_column(Text, default="")
    status_moderation: Mapped[int] = mapped_column(SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[Ambassador] = relationship(lazy="raise")
    rating: Mapped["Rating | None"] = relationship(lazy="raise", back_populates="message")
