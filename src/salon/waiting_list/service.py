"""The waiting list: visitors wait for the first available member of the brand, a member takes
one (a chatroom opens between them), may hand it over to another member, and a visitor may leave
while waiting. Events go out after the commit (docs/realtime.md). Rules: docs/decisions.md."""

from salon.ambassadors import repository as ambassadors
from salon.catalog import repository as catalog
from salon.chatrooms import service as chatrooms
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Conflict, Forbidden, Invalid, NotFound
from salon.realtime import outbox
from salon.realtime.events import EventType
from salon.records import VISITOR_STATUSES, Ambassador, ChatroomSource
from salon.waiting_list import repository
from salon.waiting_list.repository import Entry, Filters
from salon.waiting_list.schemas import JoinBody, TransferBody, entry_wire

RESOURCE = "waiting list entry"
# `source` of an entry: how the visitor came. Salon's widget is the only way in so far.
SOURCE_WIDGET = 0
BLANK = "The content field must not be blank."
UNKNOWN_TOPIC = "The selected id_chat_topic is invalid."
NOT_A_MEMBER = "The selected id_ambassador is not a member of the brand."
ALREADY_HOLDS = "The selected id_ambassador already holds this entry."
TAKEN = "The waiting list entry was already taken"
NOT_TAKEN = "The waiting list entry is not taken yet"
MOVED = "The waiting list entry was transferred meanwhile"


def is_member(person: Ambassador) -> bool:
    """Who may answer the waiting list: any member of the brand (0-6), not a visitor."""
    return person.status not in VISITOR_STATUSES


async def join(tx: Transaction, caller: Ambassador, body: JoinBody) -> tuple[Entry, bool]:
    """(the visitor's open entry, created). A visitor has one open entry: joining again
    returns it unchanged (created=False)."""
    if is_member(caller):
        raise Forbidden
    content = body.content.strip()
    if not content:
        raise Invalid.field("content", BLANK)
    if body.id_chat_topic is not None:
        # One of the brand's chat topics that is offered (active); another brand's is unknown.
        topic = await catalog.get_topic(tx, body.id_chat_topic, caller.id_brand)
        if topic is None or not topic.active:
            raise Invalid.field("id_chat_topic", UNKNOWN_TOPIC)
    entry = await repository.join(
        tx,
        id_brand=caller.id_brand,
        id_user=caller.id_ambassador,
        id_chat_topic=body.id_chat_topic,
        content=content,
        source=SOURCE_WIDGET,
        now=utcnow(),
    )
    if entry is None:
        existing = await repository.open_of_user(tx, caller.id_ambassador)
        assert existing is not None  # the index that refused the insert holds it
        return existing, False
    await _announce(tx, EventType.WAITING_LIST_JOINED, entry)
    return entry, True


async def list_entries(tx: Transaction, caller: Ambassador, filters: Filters) -> list[Entry]:
    if not is_member(caller):
        raise Forbidden
    return await repository.list_of_brand(tx, caller.id_brand, filters)


async def take(
    tx: Transaction, settings: Settings, caller: Ambassador, id_waiting_list: int
) -> Entry:
    """The member takes the open entry: one member wins (the others: Conflict); the
    one-to-one chatroom of the visitor and the member opens (source 1), or theirs is reused."""
    entry = await _entry(tx, caller, id_waiting_list)
    if not is_member(caller):
        raise Forbidden
    if entry.date_handled is not None:
        raise Conflict(TAKEN)
    visitor = await _person(tx, entry.id_user, caller.id_brand)
    if not await repository.take(tx, entry.id_waiting_list, caller.id_ambassador, utcnow()):
        raise Conflict(TAKEN)
    shown, _ = await chatrooms.open_pair(tx, settings, visitor, caller, ChatroomSource.WAITING_LIST)
    entry = await repository.set_chatroom(tx, entry.id_waiting_list, shown.chatroom.id_chatroom)
    await _announce(tx, EventType.WAITING_LIST_TAKEN, entry, also=(entry.id_user,))
    return entry


async def transfer(
    tx: Transaction,
    settings: Settings,
    caller: Ambassador,
    id_waiting_list: int,
    body: TransferBody,
) -> Entry:
    """The member holding a taken entry (or brand staff) hands it to another member: their
    chatroom with the visitor opens (source 1) or is reused; the entry records who
    transferred it, that chatroom and the comment, and is now the other member's."""
    entry = await _entry(tx, caller, id_waiting_list)
    if caller.id_ambassador != entry.id_ambassador and not caller.is_staff:
        raise Forbidden
    if entry.id_ambassador is None:
        raise Conflict(NOT_TAKEN)
    target = await ambassadors.get_in_brand(tx, body.id_ambassador, caller.id_brand)
    if target is None or not is_member(target) or target.active != 1:
        raise Invalid.field("id_ambassador", NOT_A_MEMBER)
    if target.id_ambassador == entry.id_ambassador:
        raise Invalid.field("id_ambassador", ALREADY_HOLDS)
    visitor = await _person(tx, entry.id_user, caller.id_brand)
    shown, _ = await chatrooms.open_pair(tx, settings, visitor, target, ChatroomSource.WAITING_LIST)
    comment = body.comment.strip() or None if body.comment is not None else None
    moved = await repository.transfer(
        tx,
        entry,
        to=target.id_ambassador,
        by=caller.id_ambassador,
        id_chatroom=shown.chatroom.id_chatroom,
        comment=comment,
        now=utcnow(),
    )
    if moved is None:
        raise Conflict(MOVED)
    recipients = dict.fromkeys([entry.id_user, entry.id_ambassador, target.id_ambassador])
    outbox.enqueue(
        tx,
        EventType.WAITING_LIST_TRANSFERRED,
        id_brand=moved.id_brand,
        id_chatroom=moved.id_chatroom_transferred,
        recipients=[r for r in recipients if r is not None],
        data=entry_wire(moved),
    )
    return moved


async def leave(tx: Transaction, caller: Ambassador, id_waiting_list: int) -> None:
    """The visitor leaves the list while waiting; a taken entry stays (Conflict)."""
    entry = await _entry(tx, caller, id_waiting_list)
    if caller.id_ambassador != entry.id_user:
        raise Forbidden
    if entry.date_handled is not None or not await repository.leave(
        tx, entry.id_waiting_list, utcnow()
    ):
        raise Conflict(TAKEN)
    left = entry._replace(date_delete=utcnow())
    await _announce(tx, EventType.WAITING_LIST_LEFT, left)


async def _entry(tx: Transaction, caller: Ambassador, id_waiting_list: int) -> Entry:
    entry = await repository.get_in_brand(tx, id_waiting_list, caller.id_brand)
    if entry is None:
        raise NotFound(RESOURCE)
    return entry


async def _person(tx: Transaction, id_ambassador: int, id_brand: int) -> Ambassador:
    person = await ambassadors.get_in_brand(tx, id_ambassador, id_brand)
    assert person is not None  # an entry's visitor is of its brand (foreign key, same brand)
    return person


async def _announce(
    tx: Transaction, type_: EventType, entry: Entry, also: tuple[int, ...] = ()
) -> None:
    """An event for the brand's members (who may take entries), and `also`."""
    members = await repository.member_ids(tx, entry.id_brand)
    outbox.enqueue(
        tx,
        type_,
        id_brand=entry.id_brand,
        id_chatroom=entry.id_chatroom,
        recipients=[*members, *also],
        data=entry_wire(entry),
    )
