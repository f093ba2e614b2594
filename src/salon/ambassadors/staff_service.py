"""The rules of the staff's and the platform's views of the brand's people
(docs/decisions.md, "The staff's and the platform's people")."""

from dataclasses import dataclass

from salon.ambassadors import mail
from salon.ambassadors import repository as ambassadors
from salon.ambassadors import staff_repository as repository
from salon.ambassadors.staff_schemas import PlatformStats
from salon.api.listing import Sort
from salon.api.wire import DateRange
from salon.clock import utcnow
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.provisioning import repository as brands
from salon.ratings import service as ratings
from salon.records import VISITOR_STATUSES, Ambassador, Brand

NOT_AWAITING = "The ambassador is not awaiting approval."
"""Approving or declining anyone but a person awaiting approval (active 0)."""
OWN_DECISION = "You cannot approve or decline yourself."


def ensure_staff(caller: Ambassador) -> None:
    if not caller.is_staff:
        raise Forbidden


def ensure_member(caller: Ambassador) -> None:
    """The platform is the members' (status 0-6): shoppers (7, 8) only use the widget."""
    if caller.status in VISITOR_STATUSES:
        raise Forbidden


async def manager_page(
    tx: Transaction,
    caller: Ambassador,
    filters: repository.StaffFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[repository.StaffRow], int]:
    """Every person of the brand with the manager's numbers, for its staff: two statements."""
    ensure_staff(caller)
    return await repository.manager_page(tx, caller.id_brand, filters, sort, offset, limit)


MICRO_ORDER = Sort("id_ambassador", descending=False)


async def micro_page(
    tx: Transaction, caller: Ambassador, statuses: list[int] | None, offset: int, limit: int
) -> tuple[list[Ambassador], int]:
    """The brand's people in the micro form, by id, for its staff."""
    ensure_staff(caller)
    filters = ambassadors.AmbassadorFilters(statuses=statuses)
    return await ambassadors.page(tx, caller.id_brand, filters, MICRO_ORDER, offset, limit)


async def _applicant(tx: Transaction, caller: Ambassador, id_ambassador: int) -> Ambassador:
    """A person of the brand awaiting approval (active 0), for the brand's staff."""
    ensure_staff(caller)
    person = await ambassadors.get_in_brand(tx, id_ambassador, caller.id_brand)
    if person is None:
        raise NotFound("ambassador")
    if person.active != 0:
        raise Invalid.field("id", NOT_AWAITING)
    if person.id_ambassador == caller.id_ambassador:
        raise Invalid.field("id", OWN_DECISION)
    return person


@dataclass(frozen=True)
class Decision:
    """What a decision answers: the mail's HTML when previewed, else nothing to show."""

    preview: str | None


async def approve(
    tx: Transaction, caller: Ambassador, id_ambassador: int, preview: bool
) -> Decision:
    """The person awaiting approval becomes active (1). A preview changes nothing."""
    person = await _applicant(tx, caller, id_ambassador)
    if preview:
        return Decision(mail.approved(person, await _brand(tx, caller)))
    if not await repository.approve(tx, id_ambassador, utcnow()):
        raise Invalid.field("id", NOT_AWAITING)  # decided concurrently
    return Decision(None)


async def decline(
    tx: Transaction, caller: Ambassador, id_ambassador: int, reason: str, preview: bool
) -> Decision:
    """The person awaiting approval is declined: blocked (-1), with the date and the reason.
    A preview changes nothing."""
    person = await _applicant(tx, caller, id_ambassador)
    reason = reason.strip()
    if preview:
        return Decision(mail.declined(person, await _brand(tx, caller), reason))
    if not await repository.decline(tx, id_ambassador, reason, utcnow()):
        raise Invalid.field("id", NOT_AWAITING)
    return Decision(None)


async def _brand(tx: Transaction, caller: Ambassador) -> Brand:
    brand = await brands.get_brand(tx, caller.id_brand)
    assert brand is not None  # the caller's brand
    return brand


async def platform_page(
    tx: Transaction,
    caller: Ambassador,
    filters: repository.PlatformFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[repository.PlatformPerson], int]:
    ensure_member(caller)
    return await repository.platform_page(tx, caller.id_brand, filters, sort, offset, limit)


async def platform_person(
    tx: Transaction, caller: Ambassador, id_ambassador: int
) -> repository.PlatformPerson:
    ensure_member(caller)
    found = await repository.get_with_date(tx, id_ambassador, caller.id_brand)
    if found is None:
        raise NotFound("ambassador")
    return found


async def platform_stats(tx: Transaction, caller: Ambassador, id_ambassador: int) -> PlatformStats:
    """A person's numbers, for that person and the brand's staff: their ratings as
    `GET /chat/ambassadors/{ambassador}/stats` counts them (received, all time), and the
    chatrooms where a dialogue was established."""
    ensure_member(caller)
    received = await ratings.ambassador_stats(tx, caller, id_ambassador, DateRange())
    return PlatformStats(
        gamification_score=0,
        nb_established_conversations=await repository.nb_established_conversations(
            tx, id_ambassador
        ),
        nb_sponsored=0,
        nb_chat_sales=0,
        nb_sales=0,
        nb_ratings=received.nb_ratings,
        nb_asked_ratings=received.nb_asked_ratings,
        avg_rating=received.avg_rating,
        nb_publications=0,
    )
