from collections.abc import Sequence
from datetime import datetime

from salon.ambassadors.repository import ambassador_of
from salon.ambassadors.repository import columns as ambassador_columns
from salon.db.database import Transaction
from salon.db.query import Query, in_list
from salon.records import Ambassador

# With the owner, whether their brand has an enabled webhook endpoint: an index probe here
# spares a write of a brand without any its own query of the endpoints, a round trip on
# PostgreSQL (webhooks/events.py `record`).
_OWNER_OF_LIVE_TOKEN = Query(
    f"SELECT {ambassador_columns('a')}, EXISTS (SELECT 1 FROM webhook_endpoint w "
    "WHERE w.id_brand = a.id_brand AND w.enabled) FROM api_token t "
    "JOIN ambassador a ON a.id_ambassador = t.id_ambassador "
    "WHERE t.token_hash = :token_hash AND t.date_revoke IS NULL"
)


async def find_owner_of_live_token(
    tx: Transaction, token_hash: str
) -> tuple[Ambassador, bool] | None:
    """The ambassador whose unrevoked token has this digest, and whether their brand has an
    enabled webhook endpoint."""
    row = await tx.fetchrow(_OWNER_OF_LIVE_TOKEN, {"token_hash": token_hash})
    return None if row is None else (ambassador_of(row), bool(row[-1]))


_TOUCH = Query("UPDATE ambassador SET last_action_date = :now WHERE id_ambassador = :id")


async def touch_last_action(tx: Transaction, ambassador: Ambassador, now: datetime) -> Ambassador:
    await tx.execute(_TOUCH, {"now": now, "id": ambassador.id_ambassador})
    return ambassador._replace(last_action_date=now)


_CONFIRM_LOGIN = Query(
    "UPDATE ambassador SET last_action_date = :now "
    "WHERE id_ambassador = :id AND active >= 0 AND password_hash = :password_hash"
)


async def confirm_login(
    tx: Transaction, ambassador: Ambassador, password_hash: str, now: datetime
) -> Ambassador | None:
    """Refresh `last_action_date` of a login checked outside this transaction, if the account
    is still enabled with the password that was checked (a change made during the check wins);
    None otherwise."""
    params = {"now": now, "id": ambassador.id_ambassador, "password_hash": password_hash}
    if not await tx.execute(_CONFIRM_LOGIN, params):
        return None
    return ambassador._replace(last_action_date=now)


_ADD_TOKEN = Query(
    "INSERT INTO api_token (id_brand, id_ambassador, token_hash, label, date_insert) "
    "VALUES (:id_brand, :id_ambassador, :token_hash, :label, :now)"
)


async def add_token(
    tx: Transaction, ambassador: Ambassador, token_hash: str, label: str, now: datetime
) -> None:
    params = {
        "id_brand": ambassador.id_brand,
        "id_ambassador": ambassador.id_ambassador,
        "token_hash": token_hash,
        "label": label,
        "now": now,
    }
    await tx.execute(_ADD_TOKEN, params)


_REVOKE_TOKENS = Query(
    "UPDATE api_token SET date_revoke = :now "
    "WHERE id_ambassador = :id_ambassador AND date_revoke IS NULL RETURNING token_hash"
)
_REVOKE_LABELLED_TOKENS = Query(
    "UPDATE api_token SET date_revoke = :now "
    "WHERE id_ambassador = :id_ambassador AND date_revoke IS NULL AND label = :label "
    "RETURNING token_hash"
)


async def revoke_tokens(
    tx: Transaction, now: datetime, *, id_ambassador: int, label: str | None = None
) -> list[str]:
    """Revoke a person's live tokens (with `label` when given); the digests of those revoked."""
    if label is None:
        rows = await tx.fetch(_REVOKE_TOKENS, {"now": now, "id_ambassador": id_ambassador})
    else:
        params = {"now": now, "id_ambassador": id_ambassador, "label": label}
        rows = await tx.fetch(_REVOKE_LABELLED_TOKENS, params)
    return [row[0] for row in rows]


_REVOKE_OTHER_TOKENS = Query(
    "UPDATE api_token SET date_revoke = :now WHERE id_ambassador = :id_ambassador "
    "AND date_revoke IS NULL AND token_hash <> :kept RETURNING token_hash"
)


async def revoke_other_tokens(
    tx: Transaction, now: datetime, *, id_ambassador: int, kept: str
) -> list[str]:
    """Revoke a person's live tokens but the one whose digest is `kept`; the digests revoked."""
    params = {"now": now, "id_ambassador": id_ambassador, "kept": kept}
    return [row[0] for row in await tx.fetch(_REVOKE_OTHER_TOKENS, params)]


_REVOKE_TOKEN = Query(
    "UPDATE api_token SET date_revoke = :now WHERE token_hash = :token_hash AND date_revoke IS NULL"
)


async def revoke_token(tx: Transaction, token_hash: str, now: datetime) -> bool:
    return await tx.execute(_REVOKE_TOKEN, {"token_hash": token_hash, "now": now}) > 0


_BY_EMAIL = Query(
    f"SELECT {ambassador_columns('a')}, a.password_hash FROM ambassador a "
    "WHERE a.id_brand = :id_brand AND a.email = :email"
)


async def find_by_email(
    tx: Transaction, id_brand: int, email: str
) -> tuple[Ambassador, str | None] | None:
    """The brand's person with this email (trimmed, lower case), and their password hash."""
    row = await tx.fetchrow(_BY_EMAIL, {"id_brand": id_brand, "email": email.strip().lower()})
    return None if row is None else (ambassador_of(row), row[-1])


_BY_API_KEY = Query(
    f"SELECT {ambassador_columns('a')} FROM ambassador a WHERE a.api_key_hash = :api_key_hash"
)


async def find_by_api_key(tx: Transaction, api_key_hash: str) -> Ambassador | None:
    row = await tx.fetchrow(_BY_API_KEY, {"api_key_hash": api_key_hash})
    return None if row is None else ambassador_of(row)


_SET_API_KEY = Query(
    "UPDATE ambassador SET api_key_hash = :api_key_hash, date_update = :now "
    "WHERE id_ambassador = :id"
)


async def set_api_key_hash(
    tx: Transaction, ambassador: Ambassador, api_key_hash: str, now: datetime
) -> None:
    params = {"api_key_hash": api_key_hash, "now": now, "id": ambassador.id_ambassador}
    await tx.execute(_SET_API_KEY, params)


_SET_PASSWORD = Query(
    "UPDATE ambassador SET password_hash = :password_hash, date_update = :now "
    "WHERE id_ambassador = :id"
)


async def set_password_hash(
    tx: Transaction, ambassador: Ambassador, password_hash: str, now: datetime
) -> None:
    params = {"password_hash": password_hash, "now": now, "id": ambassador.id_ambassador}
    await tx.execute(_SET_PASSWORD, params)


_PASSWORD_HASH = Query("SELECT password_hash FROM ambassador WHERE id_ambassador = :id")


async def password_hash_of(tx: Transaction, id_ambassador: int) -> str | None:
    """The person's Argon2 hash; None when they have no password."""
    found: str | None = await tx.fetchval(_PASSWORD_HASH, {"id": id_ambassador})
    return found


_SWAP_PASSWORD = Query(
    "UPDATE ambassador SET password_hash = :new, date_update = :now "
    "WHERE id_ambassador = :id AND password_hash = :old"
)
_SET_FIRST_PASSWORD = Query(
    "UPDATE ambassador SET password_hash = :new, date_update = :now "
    "WHERE id_ambassador = :id AND password_hash IS NULL"
)


async def swap_password_hash(
    tx: Transaction, id_ambassador: int, old: str | None, new: str, now: datetime
) -> bool:
    """Set the hash to `new` if it still is `old` (checked outside this transaction): False
    when it changed in between (a change made meanwhile wins)."""
    params = {"new": new, "now": now, "id": id_ambassador}
    if old is None:
        return await tx.execute(_SET_FIRST_PASSWORD, params) > 0
    return await tx.execute(_SWAP_PASSWORD, params | {"old": old}) > 0


_LIVE_TOKENS = (
    "SELECT t.token_hash FROM api_token t JOIN ambassador a ON a.id_ambassador = t.id_ambassador "
    "WHERE t.token_hash IN ({ids}) AND t.date_revoke IS NULL AND a.active >= 0"
)
# Bound parameters per statement: far below SQLite's and PostgreSQL's limits (32,766 and 32,767).
LIVE_TOKENS_BATCH = 5000


async def live_token_hashes(tx: Transaction, token_hashes: Sequence[str]) -> set[str]:
    """Of these digests, those of unrevoked tokens whose owner is not disabled (`active` < 0):
    the tokens that still authenticate. One indexed statement per 5,000 digests."""
    live: set[str] = set()
    for start in range(0, len(token_hashes), LIVE_TOKENS_BATCH):
        batch = token_hashes[start : start + LIVE_TOKENS_BATCH]
        rows = await tx.fetch(*in_list(_LIVE_TOKENS, batch))
        live.update(row[0] for row in rows)
    return live
