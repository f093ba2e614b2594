from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class Brand(Base):
    __tablename__ = "brand"

    id_brand: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(255), unique=True)
    # The shop's domain: public routes (`/auth/*`) find the brand by `X-Popsell-Domain`.
    domain: Mapped[str | None] = mapped_column(String(255), unique=True)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
