from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class IdempotencyKey(Base):
    """The first answer to a POST sent with `Idempotency-Key`, saved with its write."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("id_ambassador", "key"),)

    id_idempotency_key: Mapped[int] = mapped_column(primary_key=True)
    id_brand: Mapped[int] = mapped_column(ForeignKey("brand.id_brand"), index=True)
    id_ambassador: Mapped[int] = mapped_column(ForeignKey("ambassador.id_ambassador"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    response_body: Mapped[str] = mapped_column(Text)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
