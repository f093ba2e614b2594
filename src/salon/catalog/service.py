"""The rules of brand tags and chat topics: brand staff manage their brand's, nobody sees
another brand's (404). Every i18n list holds each language once."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from salon.ambassadors.repository import like_pattern
from salon.api.listing import Sort
from salon.api.pagination import PageRequest
from salon.catalog import repository
from salon.catalog.repository import (
    TAG_IMAGES,
    TAG_NAMES,
    TOPIC_CONTENTS,
    I18nItem,
    NameTaken,
    Tag,
    TagFilters,
    Topic,
    TopicFilters,
)
from salon.catalog.schemas import (
    DUPLICATE_LANG,
    DUPLICATE_ROLE,
    NAME_TAKEN,
    ROLE_NAMES,
    BrandTagCreate,
    BrandTagUpdate,
    ChatTopicCreate,
    ChatTopicUpdate,
    I18nImage,
    I18nText,
)
from salon.clock import utcnow
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.records import Ambassador

NOTHING_SENT = "Send at least one field to change."


def brand_of_staff(caller: Ambassador) -> int:
    """The brand whose tags and topics the caller manages: brand staff only."""
    if not caller.is_staff:
        raise Forbidden
    return caller.id_brand


def _refuse_nulls(body: BaseModel) -> None:
    """A PATCH sends the fields to change; none of them may be null."""
    if not body.model_fields_set:
        raise Invalid.field(next(iter(type(body).model_fields)), NOTHING_SENT)
    for field in body.model_fields_set:
        if getattr(body, field) is None:
            raise Invalid.field(field, f"The {field} field must not be null.")


def _items(field: str, items: Sequence[I18nText | I18nImage]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    for item in items:
        if item.lang in seen:
            raise Invalid.field(field, DUPLICATE_LANG.format(field=field))
        seen.add(item.lang)
    return [(item.lang, item.content) for item in items]


# brand tags --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownTag:
    tag: Tag
    names: list[I18nItem]
    images: list[I18nItem]
    members: list[Ambassador]


async def _show_tags(tx: Transaction, tags: list[Tag]) -> list[ShownTag]:
    """The tags with their names, images and members: two queries for any number of tags."""
    ids = [tag.id_brand_tag for tag in tags]
    contents = await repository.contents_of(tx, (TAG_NAMES, TAG_IMAGES), ids)
    members = await repository.members_of(tx, ids)
    return [
        ShownTag(
            tag,
            contents.get((TAG_NAMES, tag.id_brand_tag), []),
            contents.get((TAG_IMAGES, tag.id_brand_tag), []),
            members.get(tag.id_brand_tag, []),
        )
        for tag in tags
    ]


async def list_tags(
    tx: Transaction, caller: Ambassador, filters: TagFilters, sort: Sort, page: PageRequest
) -> tuple[list[ShownTag], int]:
    brand = brand_of_staff(caller)
    tags, total = await repository.page_of_tags(
        tx, brand, filters, sort, page.offset, page.per_page
    )
    return await _show_tags(tx, tags), total


async def create_tag(tx: Transaction, caller: Ambassador, body: BrandTagCreate) -> ShownTag:
    brand = brand_of_staff(caller)
    names = _items("names", body.names)
    images = _items("images", body.images)
    try:
        tag = await repository.insert_tag(tx, brand, names[0][1], body.visibility_chat, utcnow())
    except NameTaken:
        raise Invalid.field("names", NAME_TAKEN) from None
    await repository.set_contents(tx, brand, TAG_NAMES, tag.id_brand_tag, names)
    if images:
        await repository.set_contents(tx, brand, TAG_IMAGES, tag.id_brand_tag, images)
    return (await _show_tags(tx, [tag]))[0]


async def update_tag(
    tx: Transaction, caller: Ambassador, id_brand_tag: int, body: BrandTagUpdate
) -> ShownTag:
    brand = brand_of_staff(caller)
    tag = await repository.get_tag(tx, id_brand_tag, brand, for_update=True)
    if tag is None:
        raise NotFound("brand tag")
    _refuse_nulls(body)
    names = None if body.names is None else _items("names", body.names)
    images = None if body.images is None else _items("images", body.images)
    changed = tag._replace(
        visibility_chat=body.visibility_chat or tag.visibility_chat,
        name=names[0][1] if names else tag.name,
    )
    if changed != tag:
        try:
            await repository.update_tag(tx, changed)
        except NameTaken:
            raise Invalid.field("names", NAME_TAKEN) from None
    if names is not None:
        await repository.set_contents(tx, brand, TAG_NAMES, tag.id_brand_tag, names)
    if images is not None:
        await repository.set_contents(tx, brand, TAG_IMAGES, tag.id_brand_tag, images)
    return (await _show_tags(tx, [changed]))[0]


# chat topics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownTopic:
    topic: Topic
    contents: list[I18nItem]


async def _show_topics(tx: Transaction, topics: list[Topic]) -> list[ShownTopic]:
    ids = [topic.id_chat_topic for topic in topics]
    contents = await repository.contents_of(tx, (TOPIC_CONTENTS,), ids)
    return [
        ShownTopic(topic, contents.get((TOPIC_CONTENTS, topic.id_chat_topic), []))
        for topic in topics
    ]


def _roles(roles: Sequence[str]) -> str:
    if len(set(roles)) != len(roles):
        raise Invalid.field("roles", DUPLICATE_ROLE)
    return ",".join(role for role in ROLE_NAMES if role in roles)


def topic_filters(search: str | None, active: bool | None) -> TopicFilters:
    return TopicFilters(search=like_pattern(search) if search else None, active=active)


async def list_topics(
    tx: Transaction, caller: Ambassador, filters: TopicFilters, sort: Sort, page: PageRequest
) -> tuple[list[ShownTopic], int]:
    brand = brand_of_staff(caller)
    topics, total = await repository.page_of_topics(
        tx, brand, filters, sort, page.offset, page.per_page
    )
    return await _show_topics(tx, topics), total


async def get_topic(tx: Transaction, caller: Ambassador, id_chat_topic: int) -> ShownTopic:
    brand = brand_of_staff(caller)
    topic = await repository.get_topic(tx, id_chat_topic, brand)
    if topic is None:
        raise NotFound("chat topic")
    return (await _show_topics(tx, [topic]))[0]


async def create_topic(tx: Transaction, caller: Ambassador, body: ChatTopicCreate) -> ShownTopic:
    brand = brand_of_staff(caller)
    contents = _items("contents", body.contents)
    topic = await repository.insert_topic(
        tx,
        id_brand=brand,
        color=body.color.upper(),
        position=body.position,
        active=body.active,
        roles=_roles(body.roles),
        now=utcnow(),
    )
    await repository.set_contents(tx, brand, TOPIC_CONTENTS, topic.id_chat_topic, contents)
    return (await _show_topics(tx, [topic]))[0]


async def update_topic(
    tx: Transaction, caller: Ambassador, id_chat_topic: int, body: ChatTopicUpdate
) -> ShownTopic:
    brand = brand_of_staff(caller)
    topic = await repository.get_topic(tx, id_chat_topic, brand, for_update=True)
    if topic is None:
        raise NotFound("chat topic")
    _refuse_nulls(body)
    contents = None if body.contents is None else _items("contents", body.contents)
    changes: dict[str, Any] = {}
    if body.active is not None:
        changes["active"] = body.active
    if body.position is not None:
        changes["position"] = body.position
    if body.color is not None:
        changes["color"] = body.color.upper()
    if body.roles is not None:
        changes["roles"] = _roles(body.roles)
    topic = topic._replace(**changes, date_update=utcnow())
    await repository.update_topic(tx, topic)
    if contents is not None:
        await repository.set_contents(tx, brand, TOPIC_CONTENTS, topic.id_chat_topic, contents)
    return (await _show_topics(tx, [topic]))[0]
