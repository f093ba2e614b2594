"""The one writer of a person's profile, and the rules of who edits what (docs/decisions.md,
"The ambassador's profile"): the person themselves (`PATCH /{environment}/me`), brand staff
(`POST`/`PATCH /manager/ambassadors`), the brand's site (`POST /auth/brand`). One schema of
the editable fields (`ProfileChanges`), one service (`changes_of`, `write`), one UPDATE
(`repository.update`)."""

from typing import Any

from salon.ambassadors import repository
from salon.ambassadors.schemas import (
    NOT_NULL_FIELDS,
    ManagerCreate,
    ManagerUpdate,
    MeUpdate,
    ProfileChanges,
)
from salon.auth import repository as auth_repository
from salon.auth import service as auth
from salon.auth.passwords import PasswordHashing
from salon.auth.service import LoginLimits
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.provisioning import service as provisioning
from salon.ratelimit import RateLimiter
from salon.records import VISITOR_STATUSES, Ambassador, AmbassadorStatus, Profile

# The wire's name of a column whose name differs.
WIRE_NAMES = {"linkedin_account": "linkedIn_account"}


def changes_of(body: ProfileChanges, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The columns a body sets: the fields it sent (less `exclude`, fields the caller handles
    itself), each checked: a field whose column is not nullable takes no null."""
    sent = body.model_dump(exclude_unset=True, exclude=set(exclude))
    errors: dict[str, list[str]] = {}
    for name in sorted(NOT_NULL_FIELDS & sent.keys()):
        if sent[name] is None:
            wire = WIRE_NAMES.get(name, name)
            errors[wire] = [f"The {wire} field must not be null."]
    if errors:
        raise Invalid(errors)
    if sent.get("email") is not None:
        sent["email"] = str(sent["email"]).strip().lower()
    return sent


async def write(
    tx: Transaction, ambassador: Ambassador, changes: dict[str, Any]
) -> tuple[Ambassador, Profile]:
    """Apply `changes` (columns) to the person: an email is unique in the brand (422 on a
    clash). The person and their profile as they now are."""
    email = changes.get("email")
    if email is not None and await repository.email_taken(
        tx, ambassador.id_brand, email, ambassador.id_ambassador
    ):
        raise Invalid.field("email", "The email has already been taken.")
    updated = await repository.update(tx, ambassador.id_ambassador, changes, utcnow())
    return updated, await repository.profile(tx, ambassador.id_ambassador)


async def shown(tx: Transaction, ambassador: Ambassador) -> tuple[Ambassador, Profile]:
    return ambassador, await repository.profile(tx, ambassador.id_ambassador)


# PATCH /{environment}/me

SECRET_FIELDS = frozenset({"password", "password_confirmation", "current_password"})
VISITOR_SIGN_IN = "A guest or a shop customer signs in through the brand, not with a password."


def needs_current_password(body: MeUpdate) -> bool:
    """A new password or a new sign-in email asks for the current password (of a person who
    has one): both hand the account to whoever holds the token."""
    return body.password is not None or "email" in body.model_fields_set


def check_me(caller: Ambassador, body: MeUpdate) -> dict[str, Any]:
    """The columns `PATCH /me` sets, once the password fields are consistent. The password
    itself is checked and hashed by the caller, outside any transaction."""
    changes = changes_of(body, exclude=SECRET_FIELDS)
    if caller.status in VISITOR_STATUSES and "email" in changes:
        # A sign-in email without a password signs no one in; it would only squat the
        # address of someone the brand adds later. Their contact address is `email_tmp`.
        raise Invalid.field("email", VISITOR_SIGN_IN)
    if body.password is not None:
        if caller.status in VISITOR_STATUSES:
            raise Invalid.field("password", VISITOR_SIGN_IN)
        if body.password_confirmation is None:
            raise Invalid.field(
                "password_confirmation",
                "The password confirmation field is required when password is present.",
            )
        if body.password_confirmation != body.password:
            raise Invalid.field("password", "The password field confirmation does not match.")
        if changes.get("email", caller.email) is None:
            raise Invalid.field("password", "A password needs an email to sign in with.")
    elif body.password_confirmation is not None:
        raise Invalid.field("password", "The password field is required with its confirmation.")
    return changes


async def stored_password(tx: Transaction, caller: Ambassador, body: MeUpdate) -> str | None:
    """The person's password hash, to check later outside the transaction: a person with a
    password sends it to change their password or email."""
    stored_hash = await auth_repository.password_hash_of(tx, caller.id_ambassador)
    if stored_hash is not None and not body.current_password:
        raise Invalid.field(
            "current_password",
            "The current password field is required to change the password or the email.",
        )
    return stored_hash


WRONG_PASSWORD = "The current password is incorrect."  # noqa: S105 (a message)
CHANGED_MEANWHILE = "The password or the email changed meanwhile: send the change again."


async def check_secrets(
    limiter: RateLimiter,
    hashing: PasswordHashing,
    settings: Settings,
    caller: Ambassador,
    body: MeUpdate,
    stored_hash: str | None,
) -> str | None:
    """Outside any transaction: check the current password against `stored_hash` (wrong ones
    count like failed logins: 429 past the limit) and hash the new one; its hash, if any.
    One check at a time per person, as logins per email: parallel guesses would all pass the
    budget before any failure is counted. Both run on the bounded hashing threads."""
    person = str(caller.id_ambassador)
    async with limiter.exclusive("me-password", person):
        with hashing.admit() as checker:
            if stored_hash is not None:
                failures = LoginLimits.of(settings).per_email
                await limiter.ensure_allowed(failures, "me-password", person)
                if not await checker.verify(body.current_password or "", stored_hash):
                    await limiter.record(failures, "me-password", person)
                    raise Invalid.field("current_password", WRONG_PASSWORD)
            return await checker.hash(body.password) if body.password is not None else None


async def write_with_secrets(
    tx: Transaction,
    caller: Ambassador,
    changes: dict[str, Any],
    stored_hash: str | None,
    new_hash: str | None,
    kept_token: str,
) -> tuple[Ambassador, Profile]:
    """The second transaction of a password or email change: only if the stored hash is still
    the one checked (a change made meanwhile wins), write the changes and the new hash; a new
    password revokes every other token of the person (and, once committed, their sockets)."""
    if new_hash is not None or stored_hash is not None:
        kept = new_hash if new_hash is not None else stored_hash
        assert kept is not None
        swapped = await auth_repository.swap_password_hash(
            tx, caller.id_ambassador, stored_hash, kept, utcnow()
        )
        if not swapped:
            raise Invalid.field("current_password", CHANGED_MEANWHILE)
    written = await write(tx, caller, changes)
    if new_hash is not None:
        await auth.revoke_other_tokens(tx, caller.id_ambassador, kept_token)
    return written


async def get_in_brand(tx: Transaction, caller: Ambassador, id_ambassador: int) -> Ambassador:
    """A person of the caller's brand, or NotFound (another brand's id is not confirmed)."""
    found = await repository.get_in_brand(tx, id_ambassador, caller.id_brand)
    if found is None:
        raise NotFound("ambassador")
    return found


# The manager's writes: brand staff only, on people of their brand.

SELF_DEACTIVATION = "You cannot deactivate or unsubscribe your own account."
NOT_REVIVED = (
    "The ambassador was declined, blocked or unsubscribed: active only moves an unactivated "
    "or active person."
)
OWN_EMAIL = "Change your own email at PATCH /{environment}/me, with your current password."
ACTIVE_AND_UNSUBSCRIBE = "The active field cannot be sent with unsubscribe."
UNSUBSCRIBED_BY_BRAND = -3


async def create_by_staff(
    tx: Transaction, caller: Ambassador, body: ManagerCreate
) -> tuple[Ambassador, Profile, str]:
    """A new person of the caller's brand, without a password: their API key (returned once)
    is how they first sign in (POST /auth/token)."""
    if not caller.is_staff:
        raise Forbidden
    status = body.roles[0].status if body.roles else AmbassadorStatus.AMBASSADOR
    changes = changes_of(body, exclude=frozenset({"roles", "firstname", "lastname", "email"}))
    email = str(body.email).strip().lower()
    if await repository.email_taken(tx, caller.id_brand, email, 0):
        raise Invalid.field("email", "The email has already been taken.")
    created = await provisioning.create_ambassador(
        tx,
        caller.id_brand,
        status=status,
        firstname=body.firstname,
        lastname=body.lastname,
        email=email,
    )
    api_key = await auth.set_api_key(tx, created)
    updated, profile = await write(tx, created, changes)
    return updated, profile, api_key


async def update_by_staff(
    tx: Transaction, caller: Ambassador, id_ambassador: int, body: ManagerUpdate
) -> tuple[Ambassador, Profile]:
    """Brand staff change anyone of their brand (another brand's id: NotFound). `active`
    true/false is 1/0, for a person who is neither declined, blocked nor unsubscribed;
    `unsubscribe` makes the person unsubscribed by the brand (-3) and revokes their tokens, so
    their sockets close. Staff cannot disable themselves, nor change their own email here."""
    target = await get_in_brand(tx, caller, id_ambassador)
    if not caller.is_staff:
        raise Forbidden
    changes = changes_of(body, exclude=frozenset({"active", "unsubscribe"}))
    sent = body.model_fields_set
    if "active" in sent and "unsubscribe" in sent:
        raise Invalid.field("active", ACTIVE_AND_UNSUBSCRIBE)
    unsubscribing = body.unsubscribe is not None
    if body.active is not None:
        changes["active"] = 1 if body.active else 0
    if unsubscribing:
        changes["active"] = UNSUBSCRIBED_BY_BRAND
    myself = target.id_ambassador == caller.id_ambassador
    if myself and (unsubscribing or body.active is False):
        raise Invalid.field("unsubscribe" if unsubscribing else "active", SELF_DEACTIVATION)
    # A decision (declined -1), a block or an unsubscription is not undone by a flag: the
    # person's old tokens would all work again.
    if body.active is not None and target.active < 0:
        raise Invalid.field("active", NOT_REVIVED)
    # One's own sign-in email needs one's password (PATCH /me): a stolen staff token must not
    # be enough to move the account to another address.
    if myself and "email" in changes and changes["email"] != target.email:
        raise Invalid.field("email", OWN_EMAIL)
    updated, profile = await write(tx, target, changes)
    if unsubscribing:
        await auth.revoke_tokens(tx, target.id_ambassador)
    return updated, profile


# The widget's card of an ambassador.


async def card(
    tx: Transaction, caller: Ambassador, id_ambassador: int
) -> tuple[Ambassador, Profile]:
    """Anyone signed in to the brand sees the card of its members (status 0-6); a shopper's
    (7, 8) only they see: another's is NotFound, like another brand's."""
    target = await get_in_brand(tx, caller, id_ambassador)
    if target.status in VISITOR_STATUSES and target.id_ambassador != caller.id_ambassador:
        raise NotFound("ambassador")
    return target, await repository.profile(tx, target.id_ambassador)
