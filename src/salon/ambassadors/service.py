"""People of the brand as the chat sees them (docs/decisions.md)."""

from salon.ambassadors import repository
from salon.ambassadors.schemas import AmbassadorUpdate, ShopCustomerRequest
from salon.api.listing import Sort
from salon.auth.service import set_api_key
from salon.clock import utcnow
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.provisioning import service as provisioning
from salon.records import Ambassador, AmbassadorStatus


async def list_ambassadors(
    tx: Transaction,
    caller: Ambassador,
    filters: repository.AmbassadorFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Ambassador], int]:
    """Anyone of the brand may list its people (a widget lists whom to talk to)."""
    return await repository.page(tx, caller.id_brand, filters, sort, offset, limit)


async def update_ambassador(
    tx: Transaction, caller: Ambassador, id_ambassador: int, body: AmbassadorUpdate
) -> Ambassador:
    """The person themselves or brand staff set `email_tmp` (null clears it)."""
    ambassador = await repository.get_in_brand(tx, id_ambassador, caller.id_brand)
    if ambassador is None:
        raise NotFound("ambassador")
    if caller.id_ambassador != id_ambassador and not caller.is_staff:
        raise Forbidden
    if "email_tmp" not in body.model_fields_set:
        raise Invalid.field("email_tmp", "The email_tmp field is required.")
    email_tmp = str(body.email_tmp).lower() if body.email_tmp else None
    return await repository.set_email_tmp(tx, ambassador, email_tmp, utcnow())


async def shop_customer(
    tx: Transaction, caller: Ambassador, body: ShopCustomerRequest
) -> tuple[Ambassador, str | None]:
    """The brand's client (status 7) with this `email_tmp`, created with an API key when new.
    Returns (customer, API key if just created). Brand staff only: this is the shop's
    back-office integration."""
    if not caller.is_staff:
        raise Forbidden
    email_tmp = str(body.email_tmp).lower()
    found = await repository.find_client(tx, caller.id_brand, email_tmp)
    if found is not None:
        return found, None
    customer = await provisioning.create_ambassador(
        tx,
        caller.id_brand,
        status=AmbassadorStatus.CLIENT,
        firstname=body.firstname,
        lastname=body.lastname,
        email_tmp=email_tmp,
    )
    return customer, await set_api_key(tx, customer)
