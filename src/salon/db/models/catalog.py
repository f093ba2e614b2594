from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class I18nContent(Base):
    """One language's text of a brand tag's name or image, or of a chat topic's label (the
    documented i18n item `{id_i18n_content, lang, content}`). `kind` says whose list it is in
    and `id_owner` which tag or topic owns it; a list holds each language once, in `position`
    order."""

    __tablename__ = "i18n_content"
    __table_args__ = (
        UniqueConstraint("kind", "id_owner", "lang"),
        CheckConstraint(
            "kind IN ('brand_tag.names', 'brand_tag.images', 'chat_topic.contents')",
            name="kind_enum",
        ),
    )

    id_i18n_content: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    id_owner: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(5))
    content: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger)


class ChatTopic(Base):
    """What a waiting-list request is about (its `id_chat_topic`): a brand's label, in several
    languages (`i18n_content`), shown in `position` order. `roles` are the role names (the
    `status` enum's) the topic is meant for, comma-separated; empty: every role."""

    __tablename__ = "chat_topic"

    id_chat_topic: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    color: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    roles: Mapped[str] = mapped_column(String(255), default="")
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_update: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
