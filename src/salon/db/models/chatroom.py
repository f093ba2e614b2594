from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime
from salon.db.models.ambassador import Ambassador
from salon.records import ChatroomSource, ChatroomType


class Chatroom(Base):
    __tablename__ = "chatroom"
    __table_args__ = (
        CheckConstraint("type_chatroom IN (0, 7)", name="type_chatroom_enum"),
        CheckConstraint("type_discussion BETWEEN 0 AND 2", name="type_discussion_enum"),
        CheckConstraint("source BETWEEN 0 AND 2", name="source_enum"),
    )

    id_chatroom: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    type_chatroom: Mapped[int] = mapped_column(SmallInteger, default=ChatroomType.ONE_TO_ONE)
    type_discussion: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[int] = mapped_column(SmallInteger, default=ChatroomSource.DIRECT)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    id_brand_tag: Mapped[int | None] = mapped_column(ForeignKey("brand_tag.id_brand_tag"))
    # When a second person first wrote in it (the documented "at least two authors"); null
    # while only one has. Kept here, set with the message that establishes it.
    established_dialogue: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participants: Mapped[list["ChatroomParticipant"]] = relationship(
        lazy="raise", back_populates="chatroom", order_by="ChatroomParticipant.id_ambassador"
    )


class ChatroomParticipant(Base):
    """One ambassador in one chatroom, with that ambassador's own view of it."""

    __tablename__ = "chatroom_ambassador"
    __table_args__ = (CheckConstraint("flag IN (1, 2)", name="flag_enum"),)

    id_chatroom: Mapped[int] = mapped_column(ForeignKey("chatroom.id_chatroom"), primary_key=True)
    id_ambassador: Mapped[int] = mapped_column(
        ForeignKey("ambassador.id_ambassador"), primary_key=True, index=True
    )
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    # Holds a message id; not a foreign key so that messages and markers evolve independently.
    last_read_message: Mapped[int | None] = mapped_column(Integer)
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    flag: Mapped[int | None] = mapped_column(SmallInteger)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chatroom: Mapped[Chatroom] = relationship(lazy="raise", back_populates="participants")
    ambassador: Mapped[Ambassador] = relationship(lazy="raise")


class ChatroomSummary(Base):
    """A summary of a conversation, written by whatever summarizes chatrooms (Salon does not
    produce them yet: docs/decisions.md); the newest is the chatroom's `last_summary`."""

    __tablename__ = "chatroom_summary"
    __table_args__ = (Index("ix_chatroom_summary_chatroom", "id_chatroom", "date_insert"),)

    id_chatroom_summary: Mapped[int] = mapped_column(primary_key=True)
    id_chatroom: Mapped[int] = mapped_column(ForeignKey("chatroom.id_chatroom"))
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    anomaly: Mapped[int] = mapped_column(SmallInteger, default=0)
    topic: Mapped[int | None] = mapped_column(Integer)
