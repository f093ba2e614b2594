from datetime import datetime
from typing import NamedTuple

from salon.db.database import Transaction
from salon.db.query import Query


class StoredResponse(NamedTuple):
    """The first answer to a POST sent with `Idempotency-Key`, saved with its write."""

    id_idempotency_key: int
    request_hash: str
    status_code: int
    response_body: str
    date_insert: datetime


_FIND = Query(
    "SELECT id_idempotency_key, request_hash, status_code, response_body, date_insert "
    "FROM idempotency_key WHERE id_ambassador = :id_ambassador AND key = :key"
)


async def find(tx: Transaction, id_ambassador: int, key: str) -> StoredResponse | None:
    row = await tx.fetchrow(_FIND, {"id_ambassador": id_ambassador, "key": key})
    return None if row is None else StoredResponse._make(row)


_FORGET = Query("DELETE FROM idempotency_key WHERE id_idempotency_key = :id")


async def forget(tx: Transaction, stored: StoredResponse) -> None:
    await tx.execute(_FORGET, {"id": stored.id_idempotency_key})


_ADD = Query(
    "INSERT INTO idempotency_key (id_brand, id_ambassador, key, request_hash, status_code, "
    "response_body, date_insert) VALUES (:id_brand, :id_ambassador, :key, :request_hash, "
    ":status_code, :response_body, :now)"
)


async def add(
    tx: Transaction,
    *,
    id_brand: int,
    id_ambassador: int,
    key: str,
    request_hash: str,
    status_code: int,
    response_body: str,
    now: datetime,
) -> None:
    """Raises UniqueViolation when a concurrent request with the same key saved first."""
    await tx.execute(
        _ADD,
        {
            "id_brand": id_brand,
            "id_ambassador": id_ambassador,
            "key": key,
            "request_hash": request_hash,
            "status_code": status_code,
            "response_body": response_body,
            "now": now,
        },
    )
