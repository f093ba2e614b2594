from datetime import datetime

from sqlalchemy import Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from salon.clock import utcnow
from salon.db.base import Base, UTCDateTime


class Brand(Base):
    __tablename__ = "brand"

    id_brand: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(255), unique=True)
    # The shop's domain: public routes (`/auth/*`, `/brand`, `/widget/config`) find the brand
    # by `X-Popsell-Domain`; `GET /brand` shows it as `front_office_domain`.
    domain: Mapped[str | None] = mapped_column(String(255), unique=True)
    date_insert: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What `GET /brand` shows besides its id, label and domain (`salon brand set`).
    default_language: Mapped[str] = mapped_column(String(16), server_default="en_US")
    url: Mapped[str | None] = mapped_column(String(2048))
    program_label: Mapped[str | None] = mapped_column(String(255))
    register_restriction: Mapped[str] = mapped_column(String(32), server_default="MANUALLY")
    product_price_display_limit: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    widget_wl_cta_chat_topic: Mapped[int | None] = mapped_column(Integer)
    widget_community_default_sort_amb_by: Mapped[int] = mapped_column(
        Integer, server_default=text("0")
    )
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    # JSON text: a free object, an array of locales, and what `GET /widget/config` stores
    # (salon.brands.schemas.StoredWidgetConfig).
    brand_config: Mapped[str] = mapped_column(Text, server_default="{}")
    available_content_language: Mapped[str] = mapped_column(Text, server_default="[]")
    widget_config: Mapped[str] = mapped_column(Text, server_default="{}")
