"""Chatrooms: opening them, reading them, and each participant's own view (read marker,
block, archive, flag). See docs/decisions.md."""

from dataclasses import dataclass
from typing import Any

from salon.ambassadors import repository as ambassadors
from salon.api.listing import Sort
from salon.chatrooms import access, repository
from salon.chatrooms.schemas import (
    MANAGER_MESSAGES,
    ChatroomCreate,
    ChatroomUpdate,
    chatroom_wire,
)
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.messages import repository as messages
from salon.provisioning import repository as provisioning_repository
from salon.provisioning import service as provisioning
from salon.realtime import outbox
from salon.realtime.events import EventType
from salon.records import Ambassador, Chatroom, Message, Participant, Rating, Summary

NEWEST_FIRST = Sort("date_insert", descending=True)


@dataclass(frozen=True)
class ChatroomShown:
    """A chatroom with what its answers show besides its own rows."""

    chatroom: Chatroom
    last_rating: Rating | None
    last_summary: Summary | None

    def wire(self, settings: Settings, *, own_state: bool = True) -> dict[str, Any]:
        return chatroom_wire(
            self.chatroom,
            self.last_rating,
            self.last_summary,
            utcnow(),
            settings.online_window,
            own_state=own_state,
        )


async def get_chatroom(tx: Transaction, caller: Ambassador, id_chatroom: int) -> ChatroomShown:
    """A chatroom, its last rating and summary, for its participants and the brand's staff."""
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    access.ensure_can_read(chatroom, caller)
    return await _shown(tx, chatroom)


async def _shown(tx: Transaction, chatroom: Chatroom) -> ChatroomShown:
    ids = [chatroom.id_chatroom]
    ratings = await repository.last_ratings(tx, ids)
    summaries = await repository.last_summaries(tx, ids)
    return ChatroomShown(chatroom, ratings.get(ids[0]), summaries.get(ids[0]))


async def update_chatroom(
    tx: Transaction, caller: Ambassador, id_chatroom: int, body: ChatroomUpdate
) -> ChatroomShown:
    """Brand staff correct when a dialogue was established (null: it was not): the date
    counts in the ambassadors' numbers, so a participant may not set their own."""
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    if not caller.is_staff:
        raise Forbidden
    chatroom = await repository.set_established_dialogue(tx, chatroom, body.established_dialogue)
    return await _shown(tx, chatroom)


async def open_chatroom(
    tx: Transaction, settings: Settings, caller: Ambassador, body: ChatroomCreate
) -> tuple[ChatroomShown, bool]:
    """(chatroom as shown, created). Two people share one one-to-one chatroom: asking
    again for the same pair returns the existing one (created=False). A brand tag opens a new
    group chatroom with the caller and the tag's members."""
    if (body.ids_ambassadors is None) == (body.id_brand_tag is None):
        raise Invalid.field(
            "ids_ambassadors", "Send either ids_ambassadors (two ids) or id_brand_tag, not both."
        )
    if body.ids_ambassadors is not None:
        ids = body.ids_ambassadors
        if ids[0] == ids[1]:
            raise Invalid.field("ids_ambassadors", "The two ids_ambassadors must be different.")
        if caller.id_ambassador not in ids and not caller.is_staff:
            raise Forbidden
        members = await _members(tx, caller.id_brand, ids, "ids_ambassadors")
        return await open_pair(tx, settings, members[0], members[1], body.source)
    else:
        assert body.id_brand_tag is not None
        tag = await provisioning_repository.get_tag(tx, body.id_brand_tag)
        if tag is None or tag.id_brand != caller.id_brand:
            raise Invalid.field("id_brand_tag", "The selected id_brand_tag is invalid.")
        ids = await provisioning_repository.tag_member_ids(tx, tag.id_brand_tag)
        ids = [caller.id_ambassador, *(i for i in ids if i != caller.id_ambassador)]
        if len(ids) < 2:
            raise Invalid.field("id_brand_tag", "The selected brand tag has no other member.")
        members = await _members(tx, caller.id_brand, ids, "id_brand_tag")
        id_chatroom = await provisioning.create_chatroom(
            tx, members, source=body.source, id_brand_tag=tag.id_brand_tag
        )
    shown = ChatroomShown(await chatroom_of_brand(tx, caller, id_chatroom), None, None)
    outbox.enqueue_for_chatroom(
        tx, EventType.CHATROOM_CREATED, shown.chatroom, shown.wire(settings)
    )
    return shown, True


async def open_pair(
    tx: Transaction, settings: Settings, first: Ambassador, second: Ambassador, source: int
) -> tuple[ChatroomShown, bool]:
    """(the one-to-one chatroom of two people of one brand, created): the pair's existing one
    (its `source` unchanged), else a new one opened with `source` and announced to both."""
    existing = await repository.find_one_to_one(
        tx, first.id_brand, first.id_ambassador, second.id_ambassador
    )
    if existing is not None:
        return await _shown(tx, await chatroom_of_brand(tx, first, existing)), False
    id_chatroom = await provisioning.create_chatroom(tx, [first, second], source=source)
    shown = ChatroomShown(await chatroom_of_brand(tx, first, id_chatroom), None, None)
    outbox.enqueue_for_chatroom(
        tx, EventType.CHATROOM_CREATED, shown.chatroom, shown.wire(settings)
    )
    return shown, True


async def mark_read(
    tx: Transaction, caller: Ambassador, id_chatroom: int, id_ambassador: int
) -> Message:
    """Move the participant's read marker to the chatroom's newest message and return it."""
    chatroom, _ = await _own_participant(tx, caller, id_chatroom, id_ambassador)
    newest = await messages.latest(tx, id_chatroom)
    if newest is None:
        raise Invalid.field("chatroom", "The chatroom has no message to mark as read.")
    await repository.set_participant_state(
        tx, id_chatroom, id_ambassador, "last_read_message", newest.id_message
    )
    data: dict[str, object] = {
        "id_ambassador": id_ambassador,
        "last_read_message": newest.id_message,
    }
    outbox.enqueue_for_chatroom(tx, EventType.READ_MARKER_MOVED, chatroom, data)
    return newest


async def set_blocked(
    tx: Transaction, caller: Ambassador, id_chatroom: int, id_ambassador: int, blocked: bool
) -> str:
    await _own_participant(tx, caller, id_chatroom, id_ambassador)
    await repository.set_participant_state(tx, id_chatroom, id_ambassador, "is_blocked", blocked)
    action = "blocked" if blocked else "unblocked"
    return f"chatroom {id_chatroom} {action} successfully for ambassador {id_ambassador}"


async def set_archived(
    tx: Transaction, caller: Ambassador, id_chatroom: int, id_ambassador: int, archived: bool
) -> str:
    await _own_participant(tx, caller, id_chatroom, id_ambassador)
    await repository.set_participant_state(tx, id_chatroom, id_ambassador, "archived", archived)
    return f"Chatroom {'archived' if archived else 'unarchived'} successfully"


async def set_flag(
    tx: Transaction, caller: Ambassador, id_chatroom: int, id_ambassador: int, flag: int | None
) -> str:
    await _own_participant(tx, caller, id_chatroom, id_ambassador)
    await repository.set_participant_state(tx, id_chatroom, id_ambassador, "flag", flag)
    return (
        "Chatroom flagged successfully" if flag is not None else "Chatroom unflagged successfully"
    )


@dataclass(frozen=True)
class ChatroomPage:
    chatrooms: list[Chatroom]
    total: int
    last_messages: dict[int, Message]
    last_ratings: dict[int, Rating]
    last_summaries: dict[int, Summary]


async def list_for_ambassador(
    tx: Transaction,
    caller: Ambassador,
    id_ambassador: int,
    filters: repository.ChatroomFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> ChatroomPage:
    """The chatrooms of an ambassador, for that ambassador and the brand's staff: each with its
    participants, last message and last rating, in a constant number of queries."""
    await ensure_self_or_staff(tx, caller, id_ambassador)
    rooms, total = await repository.page_of_ambassador(
        tx, id_ambassador, filters, sort, offset, limit
    )
    ids = [room.id_chatroom for room in rooms]
    return ChatroomPage(
        rooms,
        total,
        await messages.latest_of_each(tx, ids),
        await repository.last_ratings(tx, ids),
        await repository.last_summaries(tx, ids),
    )


async def list_for_brand(
    tx: Transaction,
    caller: Ambassador,
    filters: repository.ManagerFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> ChatroomPage:
    """Every chatroom of the brand, for its staff: five queries whatever the page size."""
    if not caller.is_staff:
        raise Forbidden
    rooms, total = await repository.page_of_brand(tx, caller.id_brand, filters, sort, offset, limit)
    ids = [room.id_chatroom for room in rooms]
    return ChatroomPage(
        rooms,
        total,
        {},
        await repository.last_ratings(tx, ids),
        await repository.last_summaries(tx, ids),
    )


async def conversation(
    tx: Transaction, caller: Ambassador, id_chatroom: int
) -> tuple[ChatroomShown, list[Message]]:
    """A chatroom of the brand and its newest MANAGER_MESSAGES messages, oldest first, for
    its staff."""
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    if not caller.is_staff:
        raise Forbidden
    newest, _ = await messages.page(
        tx, id_chatroom, messages.MessageFilters(), NEWEST_FIRST, 0, MANAGER_MESSAGES
    )
    return await _shown(tx, chatroom), newest[::-1]


async def ensure_self_or_staff(tx: Transaction, caller: Ambassador, id_ambassador: int) -> None:
    """What is a person's own (their chatrooms, their stats) is for them and brand staff; an
    id that is not of the brand is NotFound."""
    if id_ambassador == caller.id_ambassador:
        return  # the caller is of the brand: no need to look them up
    if await ambassadors.get_in_brand(tx, id_ambassador, caller.id_brand) is None:
        raise NotFound("ambassador")
    if not caller.is_staff:
        raise Forbidden


async def chatroom_of_brand(tx: Transaction, caller: Ambassador, id_chatroom: int) -> Chatroom:
    """The chatroom with its participants, if it is of the caller's brand; else NotFound."""
    chatroom = await repository.get_with_participants(tx, id_chatroom, caller.id_brand)
    if chatroom is None:
        raise NotFound("chatroom")
    return chatroom


async def _own_participant(
    tx: Transaction, caller: Ambassador, id_chatroom: int, id_ambassador: int
) -> tuple[Chatroom, Participant]:
    """A participant's own state may be changed by that participant and by brand staff."""
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    if caller.id_ambassador != id_ambassador and not caller.is_staff:
        raise Forbidden
    for participant in chatroom.participants:
        if participant.id_ambassador == id_ambassador:
            return chatroom, participant
    raise NotFound("ambassador")


async def _members(tx: Transaction, id_brand: int, ids: list[int], field: str) -> list[Ambassador]:
    members = []
    for position, id_ambassador in enumerate(ids):
        member = await ambassadors.get_in_brand(tx, id_ambassador, id_brand)
        if member is None:
            key = f"{field}.{position}" if field == "ids_ambassadors" else field
            raise Invalid.field(key, f"The selected {key} is invalid.")
        members.append(member)
    return members
