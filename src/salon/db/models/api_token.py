from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime
from salon.db.models.ambassador import Ambassador


class ApiToken(Base):
    """A bearer token: only its SHA-256 digest is stored; revoked by setting `date_revoke`."""

    __tablename__ = "api_token"

    id_api_token: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    id_ambassador: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    date_revoke: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ambassador: Mapped[Ambassador] = relationship(lazy="raise")
