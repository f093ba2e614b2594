"""`Idempotency-Key` on authenticated POST routes.

A retried request with the same key and the same request answers the first response again and
writes nothing; the same key with another request is a 422. The first response is saved in the
same transaction as the write it reports, so a crash can never keep one without the other.
Keys belong to the person sending them and are kept `SALON_IDEMPOTENCY_RETENTION_HOURS`.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response

from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Database, Transaction, UniqueViolation
from salon.errors import AppError, Invalid
from salon.idempotency import repository
from salon.records import Ambassador

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotentReplay(AppError):
    """Answer with the stored first response."""

    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(f"replay of a {status_code} response")
        self.status_code = status_code
        self.body = body


class KeyTaken(Exception):
    """A concurrent request with the same key saved its response first."""


@dataclass(frozen=True)
class Claim:
    id_brand: int
    id_ambassador: int
    key: str
    request_hash: str


async def claim(
    request: Request, tx: Transaction, caller: Ambassador, key: str, settings: Settings
) -> Claim:
    """Replay, refuse, or let the request run and remember its answer (see module doc)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid.field(HEADER, f"The {HEADER} header must be 1 to 255 printable characters.")
    body = await request.body()
    digest = hashlib.sha256(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(body)
    request_hash = digest.hexdigest()
    found = await repository.find(tx, caller.id_ambassador, key)
    retention = timedelta(hours=settings.idempotency_retention_hours)
    if found is not None and found.date_insert < utcnow() - retention:
        await repository.forget(tx, found)
        found = None
    if found is not None:
        if found.request_hash != request_hash:
            raise Invalid.field(HEADER, f"This {HEADER} was already used for another request.")
        raise IdempotentReplay(found.status_code, found.response_body)
    return Claim(caller.id_brand, caller.id_ambassador, key, request_hash)


async def remember(response: Response, tx: Transaction, pending: Claim) -> None:
    """Before the commit: save the response of a claimed request with its write."""
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        return
    try:
        await repository.add(
            tx,
            id_brand=pending.id_brand,
            id_ambassador=pending.id_ambassador,
            key=pending.key,
            request_hash=pending.request_hash,
            status_code=response.status_code,
            response_body=body.decode(),
            now=utcnow(),
        )
    except UniqueViolation:
        raise KeyTaken from None


async def replay_winner(database: Database, pending: Claim) -> AppError:
    """A concurrent request with the same key committed first: answer what it answered."""
    async with database.transaction() as tx:
        found = await repository.find(tx, pending.id_ambassador, pending.key)
    if found is None or found.request_hash != pending.request_hash:
        return Invalid.field(HEADER, f"This {HEADER} was already used for another request.")
    return IdempotentReplay(found.status_code, found.response_body)
