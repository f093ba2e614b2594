"""Wire models of brand tags, chat topics and their i18n items (reference 3.9, 13, 14)."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from salon.ambassadors.schemas import AmbassadorMicro, micro_wire
from salon.api.wire import (
    IMAGE_URL,
    INT32_MAX,
    InputInt,
    Int32,
    Name,
    WireDateTime,
    null_refused,
)
from salon.catalog.repository import I18nItem, Tag, Topic
from salon.clock import format_wire_datetime
from salon.records import Ambassador, AmbassadorStatus

# A locale as the reference writes them (en_GB, fr_FR, es_ES, de_DE): language, country.
LANG = r"^[a-z]{2}_[A-Z]{2}$"
ITEMS_MAX = 20
NAME_MAX = 255
URL_MAX = 2048
COLOR = r"^#[0-9A-Fa-f]{6}$"

Lang = Annotated[
    str,
    Field(
        strict=True,
        pattern=LANG,
        description="A locale: language and country, e.g. en_GB, fr_FR, es_ES, de_DE",
        examples=["en_GB"],
    ),
]


class I18nText(BaseModel):
    """An i18n item as sent: a text in one language."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang
    content: Name


class I18nImage(BaseModel):
    """An i18n item as sent whose content is an image's URL (a brand tag's `images`)."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang
    content: Annotated[
        str,
        Field(
            strict=True,
            max_length=URL_MAX,
            pattern=IMAGE_URL,
            description="The image's http(s) URL",
        ),
    ]


REPLACES = (
    " (one item per language; a list sent replaces the previous one: a language not sent any "
    "more is removed)"
)
Names = Annotated[
    list[I18nText],
    Field(
        min_length=1,
        max_length=ITEMS_MAX,
        description="The tag's name; the first item is its default `name`" + REPLACES,
    ),
]
Images = Annotated[
    list[I18nImage],
    Field(min_length=0, max_length=ITEMS_MAX, description="The tag's image" + REPLACES),
]
Contents = Annotated[
    list[I18nText],
    Field(min_length=1, max_length=ITEMS_MAX, description="The topic's label" + REPLACES),
]


class I18nContentOut(BaseModel):
    """The documented i18n item."""

    id_i18n_content: Int32
    lang: str = Field(examples=["en_GB"])
    content: str


def i18n_wire(items: list[I18nItem]) -> list[dict[str, Any]]:
    return [
        {"id_i18n_content": item.id_i18n_content, "lang": item.lang, "content": item.content}
        for item in items
    ]


# brand tags --------------------------------------------------------------------------------

Visibility = Annotated[
    InputInt,
    Field(
        ge=1,
        le=2,
        description="1 or 2 (the reference does not say what each means; Salon stores it and "
        "filters on it)",
        json_schema_extra={"enum": [1, 2]},
    ),
]

DUPLICATE_LANG = "The {field} field holds a language more than once."
NAME_TAKEN = "The brand already has a tag with this name."


class BrandTagCreate(BaseModel):
    """Body of `POST /manager/brand-tags`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "visibility_chat": 1,
                    "names": [
                        {"lang": "en_GB", "content": "Experts"},
                        {"lang": "fr_FR", "content": "Experts"},
                    ],
                    "images": [{"lang": "en_GB", "content": "https://cdn.example.com/x.png"}],
                }
            ]
        },
    )

    visibility_chat: Visibility = 1
    names: Names
    images: Images = Field(default_factory=list, json_schema_extra=null_refused)


class BrandTagUpdate(BaseModel):
    """Body of `PATCH /manager/brand-tags/{id}`: the fields to change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"visibility_chat": 2}], "minProperties": 1},
    )

    visibility_chat: Visibility | None = Field(default=None, json_schema_extra=null_refused)
    names: Names | None = Field(default=None, json_schema_extra=null_refused)
    images: Images | None = Field(default=None, json_schema_extra=null_refused)


class BrandTagOut(BaseModel):
    id_brand_tag: Int32
    visibility_chat: Int32 = Field(description="1 or 2 (0 in the reference's example)")
    name: str = Field(
        description="The tag's default name: the first of `names` as last sent (or the name "
        "it was created with outside the API, while it has no `names`)"
    )
    image: str | None = Field(description="The first of `images`' URLs; null when none")
    images: list[I18nContentOut]
    names: list[I18nContentOut]
    members: list[AmbassadorMicro] = Field(
        description="The tag's first 20 members, by id (the reference shows one object; "
        "the whole list is GET /chat/ambassadors?filter[brand_tag]={id})"
    )


def tag_wire(
    tag: Tag,
    names: list[I18nItem],
    images: list[I18nItem],
    members: list[Ambassador],
    now: datetime,
    online_window: timedelta,
) -> dict[str, Any]:
    return {
        "id_brand_tag": tag.id_brand_tag,
        "visibility_chat": tag.visibility_chat,
        "name": tag.name,
        "image": images[0].content if images else None,
        "images": i18n_wire(images),
        "names": i18n_wire(names),
        "members": [micro_wire(member, now, online_window) for member in members],
    }


# chat topics -------------------------------------------------------------------------------

RoleName = Literal[
    "ambassador",
    "employee",
    "administrator",
    "seller",
    "shop_manager",
    "manager",
    "expert",
    "client",
    "temp",
]
ROLE_NAMES: tuple[str, ...] = RoleName.__args__  # type: ignore[attr-defined]
assert tuple(status.name.lower() for status in AmbassadorStatus) == ROLE_NAMES

Roles = Annotated[
    list[RoleName],
    Field(
        max_length=len(ROLE_NAMES),
        description="The roles (the `status` enum's names) the topic is meant for; empty: "
        "every role",
    ),
]


def _unique_roles(schema: dict[str, Any]) -> None:
    """`roles` is never null, and lists each role once (the server refuses a duplicate)."""
    null_refused(schema)
    schema["uniqueItems"] = True


Color = Annotated[
    str,
    Field(strict=True, pattern=COLOR, description="#RRGGBB, sent back in capitals"),
]
Position = Annotated[
    InputInt, Field(ge=0, le=INT32_MAX, description="Where the topic is shown, ascending")
]
DUPLICATE_ROLE = "The roles field has a duplicate value."


class ChatTopicCreate(BaseModel):
    """Body of `POST /manager/chat-topics`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "active": True,
                    "position": 1,
                    "color": "#FF0000",
                    "contents": [
                        {"lang": "en_GB", "content": "Product advice"},
                        {"lang": "fr_FR", "content": "Conseil produit"},
                    ],
                    "roles": ["expert", "seller"],
                }
            ]
        },
    )

    active: StrictBool
    position: Position
    color: Color
    contents: Contents
    roles: Roles = Field(default_factory=list, json_schema_extra=_unique_roles)


class ChatTopicUpdate(BaseModel):
    """Body of `PATCH /manager/chat-topics/{id}`: the fields to change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"active": False}], "minProperties": 1},
    )

    active: StrictBool | None = Field(default=None, json_schema_extra=null_refused)
    position: Position | None = Field(default=None, json_schema_extra=null_refused)
    color: Color | None = Field(default=None, json_schema_extra=null_refused)
    contents: Contents | None = Field(default=None, json_schema_extra=null_refused)
    roles: Roles | None = Field(default=None, json_schema_extra=_unique_roles)


class ChatTopicOut(BaseModel):
    id_chat_topic: Int32
    color: str = Field(examples=["#FF0000"])
    contents: list[I18nContentOut]
    position: Int32
    date_insert: WireDateTime
    roles: list[RoleName]
    date_update: WireDateTime
    active: bool


def topic_wire(topic: Topic, contents: list[I18nItem]) -> dict[str, Any]:
    return {
        "id_chat_topic": topic.id_chat_topic,
        "color": topic.color,
        "contents": i18n_wire(contents),
        "position": topic.position,
        "date_insert": format_wire_datetime(topic.date_insert),
        "roles": topic.roles.split(",") if topic.roles else [],
        "date_update": format_wire_datetime(topic.date_update),
        "active": topic.active,
    }
