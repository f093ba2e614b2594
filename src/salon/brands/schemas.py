"""The brand's public settings on the wire: `GET /brand` and `GET /widget/config`, and what
`salon brand set` accepts for the stored parts (docs/decisions.md, "The brand's public
settings")."""

from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from salon.brands.repository import BrandSettings

Url = Annotated[str | None, Field(max_length=2048)]


class BrandOut(BaseModel):
    """`GET /brand`."""

    id_brand: int
    label: str
    default_language: str = Field(description="A locale, e.g. fr_FR")
    url: str | None
    program_label: str | None
    front_office_domain: str | None = Field(description="The shop's domain (X-Popsell-Domain)")
    register_restriction: str = Field(description="e.g. MANUALLY")
    product_price_display_limit: int
    widget_wl_cta_chat_topic: int | None = Field(
        description="The chat topic the widget's waiting-list button proposes"
    )
    widget_community_default_sort_amb_by: int
    brand_config: dict[str, Any] = Field(description="A free object, as the brand sets it")
    available_content_language: list[str] = Field(description='Locales, e.g. ["fr_FR"]')
    timezone: str = Field(description="e.g. Europe/Paris")


def brand_wire(brand: BrandSettings) -> dict[str, Any]:
    return {
        "id_brand": brand.id_brand,
        "label": brand.label,
        "default_language": brand.default_language,
        "url": brand.url,
        "program_label": brand.program_label,
        "front_office_domain": brand.domain,
        "register_restriction": brand.register_restriction,
        "product_price_display_limit": brand.product_price_display_limit,
        "widget_wl_cta_chat_topic": brand.widget_wl_cta_chat_topic,
        "widget_community_default_sort_amb_by": brand.widget_community_default_sort_amb_by,
        "brand_config": orjson.loads(brand.brand_config),
        "available_content_language": orjson.loads(brand.available_content_language),
        "timezone": brand.timezone,
    }


# ---- The widget's configuration: stored as one JSON column, checked by `salon brand set` --


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GlobalUrls(_Stored):
    signInUrl: Url = None
    signUpUrl: Url = None
    ambassadorProfileUrl: Url = None
    ambassadorPostUrl: Url = None
    ambassadorPresentationUrl: Url = None
    customContactUrl: Url = None
    assetsFolder: Url = None
    redirectUrl: Url = None
    sandboxUrl: Url = None


class StoredCommunity(_Stored):
    defaultGeolocation: list[float] = Field(
        default_factory=list, max_length=2, description="[latitude, longitude], or empty"
    )
    locationType: str | None = Field(default=None, max_length=64)


class PickingRule(_Stored):
    """Where the widget finds a product's field on the shop's page."""

    selector: str = Field(default="", max_length=500, description="A CSS selector")
    attribute: str | None = Field(
        default=None, max_length=100, description="The attribute to read (null: the text)"
    )


class Picking(_Stored):
    name: PickingRule = Field(default_factory=PickingRule)
    description: PickingRule = Field(default_factory=PickingRule)
    image: PickingRule = Field(default_factory=PickingRule)
    price: PickingRule = Field(default_factory=PickingRule)
    sku: PickingRule = Field(default_factory=PickingRule)


class StoredWidgetConfig(_Stored):
    """The brand's `widget_config` column. Every part is optional; what is left out is null
    (URLs), empty, or an empty selector."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    global_: GlobalUrls = Field(default_factory=GlobalUrls, alias="global")
    community: StoredCommunity = Field(default_factory=StoredCommunity)
    picking: Picking = Field(default_factory=Picking)


class WidgetGlobal(GlobalUrls):
    defaultLanguage: str = Field(description="The brand's default_language")


class WidgetCommunity(StoredCommunity):
    defaultSortBy: int = Field(description="The brand's widget_community_default_sort_amb_by")


class WidgetIm(BaseModel):
    chattopic: int | None = Field(description="The brand's widget_wl_cta_chat_topic")


class WidgetConfigOut(BaseModel):
    """`GET /widget/config`."""

    model_config = ConfigDict(populate_by_name=True)

    global_: WidgetGlobal = Field(alias="global")
    community: WidgetCommunity
    im: WidgetIm
    picking: Picking


def widget_config_wire(brand: BrandSettings) -> dict[str, Any]:
    stored = StoredWidgetConfig.model_validate_json(brand.widget_config)
    return {
        "global": stored.global_.model_dump() | {"defaultLanguage": brand.default_language},
        "community": stored.community.model_dump()
        | {"defaultSortBy": brand.widget_community_default_sort_amb_by},
        "im": {"chattopic": brand.widget_wl_cta_chat_topic},
        "picking": stored.picking.model_dump(),
    }
