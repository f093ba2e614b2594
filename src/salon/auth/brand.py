"""`POST /auth/brand`: the brand's site signs its customer in (docs/decisions.md, "Brand
users"). The site authenticates with the API key of one of the brand's staff; the customer is
found or created as a client (status 7) of that brand, by `customer_id` or else by the email
the site vouched for (never by `email_tmp`, which its owner may change: that would hand one
customer's account, chats and ratings to another), their profile refreshed from what the site
sent, and a token issued. Called with a guest's
token, the guest (status 8) is bound to the customer: the customer's chatrooms then include the
guest's."""

from typing import Any

from limits import RateLimitItemPerMinute

from salon.ambassadors import profile as profiles
from salon.ambassadors import repository as ambassadors
from salon.auth import repository
from salon.auth.schemas import BrandUserRequest
from salon.auth.service import issue_token, token_owner
from salon.auth.tokens import hash_token
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Invalid, Unauthorized
from salon.provisioning import repository as brands
from salon.provisioning import service as provisioning
from salon.ratelimit import RateLimiter
from salon.records import Ambassador, AmbassadorStatus

NOT_A_GUEST = "Only a guest's token can be bound to a brand user."
BOUND_ELSEWHERE = "The guest is already bound to another brand user."
# What the site may send besides the customer's names, ids and email.
PROFILE_FIELDS = ("lang", "gender", "dob", "city", "country", "postcode", "image")


async def connect(
    tx: Transaction,
    limiter: RateLimiter,
    settings: Settings,
    body: BrandUserRequest,
    *,
    domain: str | None,
    guest_token: str | None,
    client_ip: str,
) -> str:
    """A token for the brand's customer described by `body`; see the module."""
    per_ip = RateLimitItemPerMinute(settings.login_attempts_per_ip_per_minute)
    await limiter.spend(per_ip, "brand-user-ip", client_ip)
    site = await repository.find_by_api_key(tx, hash_token(body.user_api_key))
    if site is None or site.active < 0 or not site.is_staff:
        raise Unauthorized
    id_brand = site.id_brand
    if domain:
        brand = await brands.find_brand_by_domain(tx, domain.strip().lower())
        if brand is None or brand.id_brand != id_brand:
            raise Unauthorized
    guest = await _guest(tx, guest_token, id_brand)
    customer = await _find_or_create(tx, id_brand, body)
    if guest is not None:
        bound = (await ambassadors.profile(tx, guest.id_ambassador)).id_brand_user
        if bound is not None and bound != customer.id_ambassador:
            raise Invalid.field("Authorization", BOUND_ELSEWHERE)
        if bound is None:
            await profiles.write(tx, guest, {"id_brand_user": customer.id_ambassador})
    return await issue_token(tx, customer, "brand")


async def _guest(tx: Transaction, token: str | None, id_brand: int) -> Ambassador | None:
    """The guest behind the optional bearer token: a token that is not live, or of another
    brand, is Unauthorized; one that is not a guest's cannot be bound (422)."""
    if token is None:
        return None
    guest = await token_owner(tx, token)
    if guest is None or guest.active < 0 or guest.id_brand != id_brand:
        raise Unauthorized
    if guest.status != AmbassadorStatus.TEMP:
        raise Invalid.field("Authorization", NOT_A_GUEST)
    return guest


async def _find_or_create(tx: Transaction, id_brand: int, body: BrandUserRequest) -> Ambassador:
    email_tmp = str(body.email_tmp).strip().lower()
    # Only what the site vouches for identifies its customer: its own id, else the email it
    # sends now (kept apart from `email_tmp`, which the customer may set to anyone's).
    found = None
    if body.customer_id:
        found = await ambassadors.find_client_by_customer_id(tx, id_brand, body.customer_id)
    known_by_email = found is None
    if known_by_email:
        found = await ambassadors.find_brand_user_by_email(tx, id_brand, email_tmp)
    if found is not None and found.active < 0:
        raise Unauthorized
    sent = body.model_fields_set
    changes: dict[str, Any] = {name: getattr(body, name) for name in PROFILE_FIELDS if name in sent}
    if found is None:
        found = await provisioning.create_ambassador(
            tx,
            id_brand,
            status=AmbassadorStatus.CLIENT,
            firstname=body.firstname,
            lastname=body.lastname or "",
            email_tmp=email_tmp,
            customer_id=body.customer_id,
        )
        changes["brand_user_email"] = email_tmp
    else:
        # The site knows its customer best: what it sends replaces what Salon had, the email
        # it vouches for included; a customer it knew by email gets the id it now sends.
        changes |= {
            "firstname": body.firstname,
            "email_tmp": email_tmp,
            "brand_user_email": email_tmp,
        }
        if body.lastname is not None:
            changes["lastname"] = body.lastname
        if known_by_email and body.customer_id:
            changes["customer_id"] = body.customer_id
    if changes:
        found, _ = await profiles.write(tx, found, changes)
    return found
