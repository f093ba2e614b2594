"""Messages: read by participants and staff, posted by participants (docs/decisions.md)."""

import re
from typing import Any

from salon.api.listing import Sort
from salon.chatrooms import access
from salon.chatrooms import repository as chatrooms
from salon.chatrooms.service import chatroom_of_brand
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.messages import repository
from salon.messages.schemas import NEED_CONTENT, VISIBLE, MessageCreate, MessageUpdate, message_wire
from salon.realtime import outbox
from salon.realtime.events import EventType
from salon.records import Ambassador, Chatroom, Message, MessageType

_VISIBLE = re.compile(VISIBLE)  # the schema's pattern for the content of these types


async def readable_chatroom(tx: Transaction, caller: Ambassador, id_chatroom: int) -> Chatroom:
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    access.ensure_can_read(chatroom, caller)
    return chatroom


async def list_messages(
    tx: Transaction,
    caller: Ambassador,
    id_chatroom: int,
    filters: repository.MessageFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Message], int]:
    await readable_chatroom(tx, caller, id_chatroom)
    return await repository.page(tx, id_chatroom, filters, sort, offset, limit)


async def post_message(
    tx: Transaction,
    settings: Settings,
    caller: Ambassador,
    id_chatroom: int,
    body: MessageCreate,
) -> dict[str, Any]:
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    if body.id_ambassador != caller.id_ambassador:
        raise Forbidden  # nobody posts in someone else's name
    access.ensure_can_post(chatroom, caller)
    if body.type_message == MessageType.RATING:
        raise Invalid.field(
            "type_message",
            "The selected type_message is invalid: rating messages are created by "
            "POST /chat/chatrooms/{chatroom}/ratings.",
        )
    if body.type_message in NEED_CONTENT and _VISIBLE.search(body.content) is None:
        raise Invalid.field("content", "The content field is required for this type_message.")
    now = utcnow()
    message = await repository.insert(
        tx,
        id_brand=chatroom.id_brand,
        id_chatroom=chatroom.id_chatroom,
        author=caller,
        type_message=body.type_message,
        content=body.content,
        now=now,
    )
    # A new message brings an archived conversation back for everyone in it. The participants
    # are read already: the UPDATE runs only when someone had archived it.
    if any(participant.archived for participant in chatroom.participants):
        await chatrooms.unarchive(tx, chatroom.id_chatroom)
    await chatrooms.note_message(tx, chatroom, caller.id_ambassador, now)
    return _publish(tx, EventType.MESSAGE_CREATED, chatroom, message, settings)


async def get_message(tx: Transaction, caller: Ambassador, id_message: int) -> Message:
    message = await repository.get(tx, id_message, caller.id_brand)
    if message is None:
        raise NotFound("message")
    await readable_chatroom(tx, caller, message.id_chatroom)
    return message


async def update_message(
    tx: Transaction,
    settings: Settings,
    caller: Ambassador,
    id_message: int,
    body: MessageUpdate,
) -> dict[str, Any]:
    """The author edits `content`; the author or staff hide or show (`active`)."""
    message = await repository.get(tx, id_message, caller.id_brand)
    if message is None:
        raise NotFound("message")
    chatroom = await readable_chatroom(tx, caller, message.id_chatroom)
    sent = body.model_fields_set
    if not sent:
        raise Invalid.field("content", "Send content, active, or both.")
    is_author = message.id_ambassador == caller.id_ambassador
    if "content" in sent:
        if body.content is None:
            raise Invalid.field("content", "The content field must be a string.")
        if message.type_message == MessageType.RATING:
            raise Invalid.field("content", "The content of a rating message cannot be edited.")
        if not is_author:
            raise Forbidden
        message = message._replace(content=body.content)
    if "active" in sent:
        if body.active is None:
            raise Invalid.field("active", "The active field must be true or false.")
        if not is_author and not caller.is_staff:
            raise Forbidden
        message = message._replace(active=body.active)
    await repository.update(tx, message, utcnow())
    return _publish(tx, EventType.MESSAGE_UPDATED, chatroom, message, settings)


def _publish(
    tx: Transaction,
    type_: EventType,
    chatroom: Chatroom,
    message: Message,
    settings: Settings,
) -> dict[str, Any]:
    """Queue the event of a message; the message as sent, which the event carries too."""
    wire = message_wire(message, utcnow(), settings.online_window)
    outbox.enqueue_for_chatroom(tx, type_, chatroom, wire)
    return wire
