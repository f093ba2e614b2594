"""`/chat/waiting-list`: visitors waiting for a member of the brand (docs/decisions.md, "The
waiting list")."""

from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import Field

from salon.api.deps import Authenticated, id_path
from salon.api.errors import described, error_responses
from salon.api.query import QueryId, QueryString
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.waiting_list import repository, service
from salon.waiting_list.schemas import JoinBody, TransferBody, WaitingListEntry, entry_wire

router = APIRouter(route_class=SalonRoute, prefix="/chat/waiting-list", tags=["waiting list"])

EntryId = Annotated[int, id_path("The waiting list entry id (`id_waiting_list`)")]


class WaitingListQuery(QueryString):
    id_user: Annotated[
        QueryId | None, Field(alias="filter[id_user]", description="The visitor's id")
    ] = None
    date_handled: Annotated[
        Literal["null", "not_null"] | None,
        Field(
            alias="filter[date_handled]",
            description="null (default): the entries still waiting; not_null: those taken, "
            "newest taken first",
        ),
    ] = None
    id_chat_topic: Annotated[
        QueryId | None, Field(alias="filter[id_chat_topic]", description="A chat topic id")
    ] = None

    def filters(self) -> repository.Filters:
        return repository.Filters(
            id_user=self.id_user,
            handled=self.date_handled == "not_null",
            id_chat_topic=self.id_chat_topic,
        )


@router.get(
    "",
    response_model=list[WaitingListEntry],
    summary="Get the waiting list",
    description="The brand's entries, for its members (not visitors): a plain array, not "
    "paginated, as documented; the entries still waiting first come first (at most "
    f"{repository.LIST_LIMIT}). Entries a visitor left are never shown.",
    openapi_extra={"parameters": WaitingListQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def get_waiting_list(request: Request, call: Authenticated) -> JSON:
    query = WaitingListQuery.read(request)
    entries = await service.list_entries(call.tx, call.caller, query.filters())
    return ok([entry_wire(entry) for entry in entries])


@router.post(
    "",
    status_code=201,
    response_model=WaitingListEntry,
    summary="Join the waiting list",
    description=described(
        "A visitor (status 7 or 8) asks for the first available member of the brand. Salon's "
        "addition: the reference documents no way in. A visitor has one entry waiting at a "
        "time: joining again answers it (200), unchanged.",
        ("content", service.BLANK, "it holds only spaces"),
        (
            "id_chat_topic",
            service.UNKNOWN_TOPIC,
            "it is not an active chat topic of the brand",
        ),
    ),
    response_description="The new entry (201), or the visitor's entry already waiting (200)",
    responses=error_responses(
        401,
        403,
        422,
        also={200: {"model": WaitingListEntry, "description": "The entry already waiting"}},
    ),
)
async def join_waiting_list(body: JoinBody, call: Authenticated) -> JSON:
    entry, created = await service.join(call.tx, call.caller, body)
    return JSON(entry_wire(entry), 201 if created else 200)


@router.post(
    "/{entry}/take",
    response_model=WaitingListEntry,
    summary="Take a waiting list entry",
    description="A member of the brand answers the visitor: the entry gets the member "
    "(`id_ambassador`), `date_handled` and the chatroom of the two (`source` 1, waiting_list; "
    "their existing one-to-one chatroom when they have one). Of members taking the same entry "
    "at once, one wins; the others get 409.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def take_entry(entry: EntryId, call: Authenticated) -> JSON:
    taken = await service.take(call.tx, call.settings, call.caller, entry)
    return ok(entry_wire(taken))


@router.post(
    "/{entry}/transfer",
    response_model=WaitingListEntry,
    summary="Transfer a waiting list entry",
    description=described(
        "The member who holds a taken entry (or brand staff) hands it to another member: the "
        "visitor's chatroom with that member opens (`source` 1) or is reused "
        "(`id_chatroom_transferred`); `id_transferrer` is the caller, `id_ambassador` the new "
        "member, `id_chatroom` stays the first chatroom. 409 while it is not taken.",
        ("id_ambassador", service.NOT_A_MEMBER, "not an active member (status 0-6) of the brand"),
        ("id_ambassador", service.ALREADY_HOLDS, "the entry is already theirs"),
    ),
    responses=error_responses(401, 403, 404, 409, 422),
)
async def transfer_entry(entry: EntryId, body: TransferBody, call: Authenticated) -> JSON:
    moved = await service.transfer(call.tx, call.settings, call.caller, entry, body)
    return ok(entry_wire(moved))


@router.delete(
    "/{entry}",
    status_code=204,
    summary="Leave the waiting list",
    description="The visitor leaves while waiting (`date_delete`); the entry is no longer "
    "shown. Only its visitor (403 for others); 409 once a member took it.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def leave_waiting_list(entry: EntryId, call: Authenticated) -> Response:
    await service.leave(call.tx, call.caller, entry)
    return Response(status_code=204)
