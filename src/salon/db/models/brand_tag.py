from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class BrandTag(Base):
    """A named group of a brand's ambassadors; a chatroom opened on a tag gathers its members."""

    __tablename__ = "brand_tag"
    __table_args__ = (UniqueConstraint("id_brand", "name"),)

    id_brand_tag: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    visibility_chat: Mapped[int] = mapped_column(SmallInteger, default=1)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BrandTagMember(Base):
    __tablename__ = "brand_tag_ambassador"

    id_brand_tag: Mapped[int] = mapped_column(
        ForeignKey("brand_tag.id_brand_tag"), primary_key=True
    )
    id_ambassador: Mapped[int] = mapped_column(
        ForeignKey("ambassador.id_ambassador"), primary_key=True, index=True
    )
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
