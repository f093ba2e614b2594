"""The brand's public settings: read by the shop's domain (`GET /brand`, `GET /widget/config`),
set by an operator (`salon brand set`)."""

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from pydantic import ValidationError

from salon.brands import repository
from salon.brands.repository import BrandSettings
from salon.brands.schemas import StoredWidgetConfig
from salon.db.database import Transaction
from salon.errors import Invalid, NotFound

LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
REGISTER_RESTRICTIONS = ("MANUALLY", "AUTOMATICALLY", "CLOSED")


async def by_domain(tx: Transaction, domain: str) -> BrandSettings:
    """The brand of the shop `domain` (as sent: trimmed and lower-cased here); NotFound."""
    brand = await repository.by_domain(tx, domain.strip().lower())
    if brand is None:
        raise NotFound("brand")
    return brand


async def show(tx: Transaction, id_brand: int) -> BrandSettings:
    brand = await repository.by_id(tx, id_brand)
    if brand is None:
        raise NotFound("brand")
    return brand


async def set_settings(tx: Transaction, id_brand: int, changes: dict[str, Any]) -> BrandSettings:
    """Check and store the settings given (None: leave it); `brand_config` is a JSON object,
    `available_content_language` a list of locales, `widget_config` a StoredWidgetConfig."""
    await show(tx, id_brand)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if value is not None:
            values[name] = _checked(name, value)
    if values:
        await repository.update(tx, id_brand, values)
    return await show(tx, id_brand)


def _checked(name: str, value: Any) -> Any:
    match name:
        case "default_language" if not LOCALE.match(value):
            raise Invalid.field(name, "The default_language must be a locale such as fr_FR.")
        case "register_restriction" if value not in REGISTER_RESTRICTIONS:
            choices = ", ".join(REGISTER_RESTRICTIONS)
            raise Invalid.field(name, f"The register_restriction must be one of {choices}.")
        case "timezone":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise Invalid.field(name, f"Unknown time zone {value!r}.") from None
        case "product_price_display_limit" | "widget_community_default_sort_amb_by" if value < 0:
            raise Invalid.field(name, f"The {name} must be at least 0.")
        case "widget_wl_cta_chat_topic" if value < 1:
            raise Invalid.field(name, f"The {name} must be a chat topic id (at least 1).")
        case "brand_config":
            parsed = _json(name, value)
            if not isinstance(parsed, dict):
                raise Invalid.field(name, "The brand_config must be a JSON object.")
            return orjson.dumps(parsed).decode()
        case "available_content_language":
            locales = [part.strip() for part in value.split(",") if part.strip()]
            if not all(LOCALE.match(locale) for locale in locales):
                raise Invalid.field(name, "Give locales such as fr_FR,en_US.")
            return orjson.dumps(locales).decode()
        case "widget_config":
            try:
                stored = StoredWidgetConfig.model_validate(_json(name, value))
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise Invalid.field(name, f"widget_config.{where}: {first['msg']}") from None
            return stored.model_dump_json(by_alias=True)
    return value


def _json(name: str, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise Invalid.field(name, f"The {name} must be valid JSON.") from None
