from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from limits import (
    RateLimitItem,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    RateLimitItemPerSecond,
)

from salon.ambassadors import repository as ambassadors
from salon.auth import repository
from salon.auth.passwords import PasswordHashing, hash_password, verify_password
from salon.auth.tokens import generate_api_key, generate_token, hash_token
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Database, Transaction
from salon.errors import Forbidden, Unauthorized
from salon.provisioning import repository as brands
from salon.provisioning import service as provisioning
from salon.ratelimit import RateLimiter
from salon.realtime import outbox
from salon.records import Ambassador, AmbassadorStatus, Profile


async def authenticate(
    tx: Transaction, token: str | None, brand_header: str | None, settings: Settings
) -> Ambassador:
    """The ambassador behind a bearer token, or Unauthorized (see `identify`)."""
    ambassador, _ = await identify(tx, token, brand_header, settings)
    return ambassador


async def identify(
    tx: Transaction, token: str | None, brand_header: str | None, settings: Settings
) -> tuple[Ambassador, bool]:
    """The ambassador behind a bearer token, or Unauthorized; and whether their brand has an
    enabled webhook endpoint (known at no cost here, asked for by every write).

    `X-Popsell-Brand`, when sent, must name the token's brand (Forbidden otherwise).
    A disabled account (`active` < 0) is Unauthorized. `last_action_date` is refreshed only
    when it is older than `last_action_refresh_seconds`, so not every request writes.
    """
    if not token:
        raise Unauthorized
    found = await repository.find_owner_of_live_token(tx, hash_token(token))
    if found is None or found[0].active < 0:
        raise Unauthorized
    ambassador, brand_has_webhooks = found
    if brand_header is not None and brand_header.strip() != str(ambassador.id_brand):
        raise Forbidden
    now = utcnow()
    refresh = timedelta(seconds=settings.last_action_refresh_seconds)
    if ambassador.last_action_date is None or now - ambassador.last_action_date >= refresh:
        ambassador = await repository.touch_last_action(tx, ambassador, now)
    return ambassador, brand_has_webhooks


async def token_owner(tx: Transaction, token: str) -> Ambassador | None:
    """Who a live token belongs to (whatever their `active`), or None."""
    found = await repository.find_owner_of_live_token(tx, hash_token(token))
    return None if found is None else found[0]


async def password_matches(tx: Transaction, ambassador: Ambassador, password: str) -> bool:
    """Whether `password` is this person's (one Argon2 check, in a thread)."""
    if ambassador.email is None:
        return False
    found = await repository.find_by_email(tx, ambassador.id_brand, ambassador.email)
    return (
        found is not None
        and found[0].id_ambassador == ambassador.id_ambassador
        and (await verify_password(password, found[1]))
    )


async def issue_token(tx: Transaction, ambassador: Ambassador, label: str = "") -> str:
    """Create a token for `ambassador`; the clear token is returned once and never stored."""
    token = generate_token()
    await repository.add_token(tx, ambassador, hash_token(token), label, utcnow())
    return token


async def revoke_token(tx: Transaction, token: str) -> bool:
    """Revoke a token; once committed, its open sockets close on every process."""
    token_hash = hash_token(token)
    revoked = await repository.revoke_token(tx, token_hash, utcnow())
    if revoked:
        outbox.revoke(tx, [token_hash])
    return revoked


async def revoke_tokens(tx: Transaction, id_ambassador: int, label: str | None = None) -> int:
    """Revoke a person's live tokens (those with `label` when given), and so their sockets."""
    token_hashes = await repository.revoke_tokens(
        tx, utcnow(), id_ambassador=id_ambassador, label=label
    )
    outbox.revoke(tx, token_hashes)
    return len(token_hashes)


async def revoke_other_tokens(tx: Transaction, id_ambassador: int, kept_token: str) -> int:
    """Revoke a person's live tokens but `kept_token` (a password change keeps the session
    that made it), and so their sockets, once committed."""
    token_hashes = await repository.revoke_other_tokens(
        tx, utcnow(), id_ambassador=id_ambassador, kept=hash_token(kept_token)
    )
    outbox.revoke(tx, token_hashes)
    return len(token_hashes)


INVALID_LOGIN = "Invalid email or password"


@dataclass(frozen=True)
class LoginLimits:
    per_email: RateLimitItem
    per_ip: RateLimitItem

    @classmethod
    def of(cls, settings: Settings) -> "LoginLimits":
        return cls(
            per_email=RateLimitItemPerSecond(
                settings.login_max_failures, settings.login_failure_window_seconds
            ),
            per_ip=RateLimitItemPerMinute(settings.login_attempts_per_ip_per_minute),
        )


async def login(
    database: Database,
    limiter: RateLimiter,
    hashing: PasswordHashing,
    settings: Settings,
    *,
    domain: str | None,
    email: str,
    password: str,
    client_ip: str,
) -> tuple[str, Ambassador, Profile]:
    """A new token for the person with this email and password in the brand of `domain`, the
    person, and the rest of their profile.

    Brute force is refused, not just slowed: each address may try
    `login_attempts_per_ip_per_minute` times a minute, and each email may fail
    `login_max_failures` times per `login_failure_window_seconds` (429 with Retry-After).
    One attempt per email runs at a time, everywhere, so its check of the budget, of the
    password and its count of a failure are one step: concurrent attempts cannot all pass the
    check first.

    The password check (Argon2, ~200 ms) holds no database connection: the person is read in
    one short transaction and the token written in another. Checks are bounded per process
    (`hashing`): beyond its queue a login is refused with Overloaded (503)."""
    limits = LoginLimits.of(settings)
    await limiter.spend(limits.per_ip, "login-ip", client_ip)
    # The domain names the brand without a query; quoted, it holds no "/" (limits' separator),
    # so no made-up domain makes another email's key.
    email_key = (quote((domain or "").strip().lower(), safe=""), email.strip().lower())
    await limiter.ensure_allowed(limits.per_email, "login-email", *email_key)  # waits for none
    async with limiter.exclusive("login-email", *email_key):
        await limiter.ensure_allowed(limits.per_email, "login-email", *email_key)
        with hashing.admit() as checker:
            async with database.transaction() as tx:
                brand = (
                    await brands.find_brand_by_domain(tx, domain.strip().lower())
                    if domain
                    else None
                )
                found = await repository.find_by_email(tx, brand.id_brand, email) if brand else None
            ambassador, hashed = found if found is not None else (None, None)
            matches = await checker.verify(password, hashed)
        if not matches or ambassador is None or hashed is None or ambassador.active < 0:
            await limiter.record(limits.per_email, "login-email", *email_key)
            raise Unauthorized(INVALID_LOGIN)
    async with database.transaction() as tx:
        confirmed = await repository.confirm_login(tx, ambassador, hashed, utcnow())
        if confirmed is None:
            raise Unauthorized(INVALID_LOGIN)
        token = await issue_token(tx, confirmed, "login")
        profile = await ambassadors.profile(tx, confirmed.id_ambassador)
    return token, confirmed, profile


async def exchange_api_key(
    tx: Transaction, limiter: RateLimiter, settings: Settings, api_key: str, client_ip: str
) -> str:
    """A new token for the owner of `api_key`. Each address may try
    `login_attempts_per_ip_per_minute` times a minute, and each key buys
    `api_key_exchanges_per_hour` tokens an hour (429 with Retry-After)."""
    per_ip = RateLimitItemPerMinute(settings.login_attempts_per_ip_per_minute)
    await limiter.spend(per_ip, "api-key-ip", client_ip)
    api_key_hash = hash_token(api_key)
    per_key = RateLimitItemPerHour(settings.api_key_exchanges_per_hour)
    await limiter.spend(per_key, "api-key", api_key_hash)
    ambassador = await repository.find_by_api_key(tx, api_key_hash)
    if ambassador is None or ambassador.active < 0:
        raise Unauthorized
    return await issue_token(tx, ambassador, "api-key")


async def create_guest(
    tx: Transaction,
    limiter: RateLimiter,
    settings: Settings,
    domain: str | None,
    client_ip: str,
) -> str:
    """A temporary visitor (status 8) of the brand of `domain`, and its token.

    Guests are free accounts: each address may create `login_attempts_per_ip_per_minute` a
    minute, and each brand gets at most `guests_per_brand_per_hour` an hour, so that a script
    rotating addresses cannot mint thousands (429 with Retry-After)."""
    per_ip = RateLimitItemPerMinute(settings.login_attempts_per_ip_per_minute)
    await limiter.spend(per_ip, "guest-ip", client_ip)
    brand = await brands.find_brand_by_domain(tx, domain.strip().lower()) if domain else None
    if brand is None:
        raise Unauthorized
    per_brand = RateLimitItemPerHour(settings.guests_per_brand_per_hour)
    await limiter.spend(per_brand, "guest-brand", str(brand.id_brand))
    guest = await provisioning.create_ambassador(tx, brand.id_brand, status=AmbassadorStatus.TEMP)
    return await issue_token(tx, guest, "guest")


async def set_api_key(tx: Transaction, ambassador: Ambassador) -> str:
    """Give `ambassador` a new API key (the previous one stops working); shown once."""
    api_key = generate_api_key()
    await repository.set_api_key_hash(tx, ambassador, hash_token(api_key), utcnow())
    return api_key


async def set_password(tx: Transaction, ambassador: Ambassador, password: str) -> None:
    await repository.set_password_hash(tx, ambassador, await hash_password(password), utcnow())
