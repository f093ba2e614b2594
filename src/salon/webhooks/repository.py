"""Every query of webhooks: endpoints, the deliveries written with each change, the workers'
queue, and the record of attempts."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from salon.db.database import Row, Transaction
from salon.db.query import Query, expand, in_list, query
from salon.records import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

ENDPOINT_COLUMNS = ", ".join(WebhookEndpoint._fields)
DELIVERY_COLUMNS = ", ".join(WebhookDelivery._fields)
ATTEMPT_COLUMNS = ", ".join(WebhookAttempt._fields)
PENDING = int(DeliveryStatus.PENDING)
PAUSED = int(DeliveryStatus.PAUSED)
DELIVERED = int(DeliveryStatus.DELIVERED)
FAILED = int(DeliveryStatus.FAILED)


def endpoint_of(row: Row) -> WebhookEndpoint:
    return WebhookEndpoint._make(row)


def delivery_of(row: Row) -> WebhookDelivery:
    return WebhookDelivery._make(row)


# ---- Endpoints ----------------------------------------------------------------------------

_INSERT_ENDPOINT = Query(
    "INSERT INTO webhook_endpoint (id_brand, url, description, event_types, rating_value_min, "
    "rating_value_max, enabled, secret, date_create, date_update) VALUES (:id_brand, :url, "
    ":description, :event_types, :rating_value_min, :rating_value_max, :enabled, :secret, "
    f":now, :now) RETURNING {ENDPOINT_COLUMNS}"
)


async def insert_endpoint(
    tx: Transaction,
    *,
    id_brand: int,
    url: str,
    description: str,
    event_types: str,
    rating_value_min: int | None,
    rating_value_max: int | None,
    enabled: bool,
    secret: str,
    now: datetime,
) -> WebhookEndpoint:
    row = await tx.fetchrow(
        _INSERT_ENDPOINT,
        {
            "id_brand": id_brand,
            "url": url,
            "description": description,
            "event_types": event_types,
            "rating_value_min": rating_value_min,
            "rating_value_max": rating_value_max,
            "enabled": enabled,
            "secret": secret,
            "now": now,
        },
    )
    assert row is not None
    return endpoint_of(row)


_COUNT_ENDPOINTS = Query("SELECT count(*) FROM webhook_endpoint WHERE id_brand = :id_brand")
_PAGE_OF_ENDPOINTS = Query(
    f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoint WHERE id_brand = :id_brand "
    "ORDER BY id_webhook LIMIT :limit OFFSET :offset"
)


async def count_endpoints(tx: Transaction, id_brand: int) -> int:
    count: int = await tx.fetchval(_COUNT_ENDPOINTS, {"id_brand": id_brand})
    return count


# Two concurrent creations must not both see room for one more endpoint: on PostgreSQL the
# brand's row is locked until the transaction ends (SQLite's write lock already orders them).
_LOCK_BRAND = Query(
    sqlite="SELECT id_brand FROM brand WHERE id_brand = :id_brand",
    postgres="SELECT id_brand FROM brand WHERE id_brand = :id_brand FOR UPDATE",
)


async def count_endpoints_locked(tx: Transaction, id_brand: int) -> int:
    """How many endpoints the brand has, with no other creation counting at the same time."""
    await tx.fetchval(_LOCK_BRAND, {"id_brand": id_brand})
    return await count_endpoints(tx, id_brand)


async def page_of_endpoints(
    tx: Transaction, id_brand: int, limit: int, offset: int
) -> list[WebhookEndpoint]:
    rows = await tx.fetch(
        _PAGE_OF_ENDPOINTS, {"id_brand": id_brand, "limit": limit, "offset": offset}
    )
    return [endpoint_of(row) for row in rows]


_GET_ENDPOINT = Query(
    f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoint "
    "WHERE id_webhook = :id_webhook AND id_brand = :id_brand"
)


_GET_ENDPOINT_FOR_UPDATE = Query(
    sqlite=_GET_ENDPOINT.sqlite,
    postgres=f"{_GET_ENDPOINT.sqlite} FOR UPDATE",
)


async def get_endpoint(
    tx: Transaction, id_webhook: int, id_brand: int, *, for_update: bool = False
) -> WebhookEndpoint | None:
    """`for_update`: locked until the transaction ends (PostgreSQL; SQLite's write lock already
    orders writers), so a change made from what was read cannot undo a concurrent one (the
    worker disabling it), and the endpoint is locked before its deliveries, as everywhere."""
    statement = _GET_ENDPOINT_FOR_UPDATE if for_update else _GET_ENDPOINT
    row = await tx.fetchrow(statement, {"id_webhook": id_webhook, "id_brand": id_brand})
    return None if row is None else endpoint_of(row)


_UPDATE_ENDPOINT = Query(
    "UPDATE webhook_endpoint SET url = :url, description = :description, "
    "event_types = :event_types, rating_value_min = :rating_value_min, "
    "rating_value_max = :rating_value_max, enabled = :enabled, "
    "disabled_reason = :disabled_reason, failing_since = :failing_since, secret = :secret, "
    "previous_secret = :previous_secret, previous_secret_expires = :previous_secret_expires, "
    "date_update = :date_update WHERE id_webhook = :id_webhook"
)


async def update_endpoint(tx: Transaction, endpoint: WebhookEndpoint) -> None:
    """Write every changeable field of `endpoint` as it is now."""
    await tx.execute(
        _UPDATE_ENDPOINT,
        {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "rating_value_min": endpoint.rating_value_min,
            "rating_value_max": endpoint.rating_value_max,
            "enabled": endpoint.enabled,
            "disabled_reason": endpoint.disabled_reason,
            "failing_since": endpoint.failing_since,
            "secret": endpoint.secret,
            "previous_secret": endpoint.previous_secret,
            "previous_secret_expires": endpoint.previous_secret_expires,
            "date_update": endpoint.date_update,
            "id_webhook": endpoint.id_webhook,
        },
    )


_DELETE_ENDPOINT = Query("DELETE FROM webhook_endpoint WHERE id_webhook = :id_webhook")


async def delete_endpoint(tx: Transaction, id_webhook: int) -> None:
    """With its deliveries and their attempts (the foreign keys cascade)."""
    await tx.execute(_DELETE_ENDPOINT, {"id_webhook": id_webhook})


class Subscription(NamedTuple):
    """What deciding who gets an event needs of an enabled endpoint."""

    id_webhook: int
    event_types: str
    rating_value_min: int | None
    rating_value_max: int | None


_SUBSCRIPTIONS = Query(
    "SELECT id_webhook, event_types, rating_value_min, rating_value_max FROM webhook_endpoint "
    "WHERE id_brand = :id_brand AND enabled"
)


async def subscriptions(tx: Transaction, id_brand: int) -> list[Subscription]:
    rows = await tx.fetch(_SUBSCRIPTIONS, {"id_brand": id_brand})
    return [Subscription._make(row) for row in rows]


# ---- Deliveries ---------------------------------------------------------------------------

_INSERT_DELIVERY_TEXT = (
    "INSERT INTO webhook_delivery (id_webhook, id_brand, event_id, event_type, payload, status, "
    "attempts, step, next_attempt_at, date_create) VALUES (:id_webhook, :id_brand, :event_id, "
    ":event_type, :payload, :status, 0, 0, :now, :now)"
)
_INSERT_DELIVERY = Query(_INSERT_DELIVERY_TEXT)
_INSERT_DELIVERY_RETURNING = Query(f"{_INSERT_DELIVERY_TEXT} RETURNING {DELIVERY_COLUMNS}")


class NewDelivery(NamedTuple):
    id_webhook: int
    id_brand: int
    event_id: str
    event_type: str
    payload: str


async def insert_deliveries(tx: Transaction, deliveries: list[NewDelivery], now: datetime) -> None:
    """Pending, due now."""
    rows = [d._asdict() | {"now": now, "status": PENDING} for d in deliveries]
    if len(rows) == 1:
        await tx.execute(_INSERT_DELIVERY, rows[0])
    else:
        await tx.executemany(_INSERT_DELIVERY, rows)


async def insert_delivery(
    tx: Transaction, delivery: NewDelivery, now: datetime, *, paused: bool
) -> WebhookDelivery:
    """One delivery; `paused` when its endpoint is disabled."""
    status = PAUSED if paused else PENDING
    row = await tx.fetchrow(
        _INSERT_DELIVERY_RETURNING, delivery._asdict() | {"now": now, "status": status}
    )
    assert row is not None
    return delivery_of(row)


class DeliveryFilters(NamedTuple):
    status: int | None
    event_type: str | None


def _delivery_where(id_webhook: int, filters: DeliveryFilters) -> tuple[str, dict[str, Any]]:
    clauses = ["id_webhook = :id_webhook"]
    params: dict[str, Any] = {"id_webhook": id_webhook}
    if filters.status is not None:
        clauses.append("status = :status")
        params["status"] = filters.status
    if filters.event_type is not None:
        clauses.append("event_type = :event_type")
        params["event_type"] = filters.event_type
    return " AND ".join(clauses), params


async def page_of_deliveries(
    tx: Transaction, id_webhook: int, filters: DeliveryFilters, limit: int, offset: int
) -> tuple[list[WebhookDelivery], int]:
    """Newest first, and how many match."""
    where, params = _delivery_where(id_webhook, filters)
    total: int = await tx.fetchval(
        query(f"SELECT count(*) FROM webhook_delivery WHERE {where}"), params
    )
    rows = await tx.fetch(
        query(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE {where} "
            "ORDER BY id_delivery DESC LIMIT :limit OFFSET :offset"
        ),
        params | {"limit": limit, "offset": offset},
    )
    return [delivery_of(row) for row in rows], total


_GET_DELIVERY = Query(
    f"SELECT {DELIVERY_COLUMNS} FROM webhook_delivery "
    "WHERE id_delivery = :id_delivery AND id_webhook = :id_webhook"
)
_ATTEMPTS = Query(
    f"SELECT {ATTEMPT_COLUMNS} FROM webhook_attempt WHERE id_delivery = :id_delivery "
    "ORDER BY number"
)


async def get_delivery(
    tx: Transaction, id_webhook: int, id_delivery: int
) -> WebhookDelivery | None:
    row = await tx.fetchrow(_GET_DELIVERY, {"id_webhook": id_webhook, "id_delivery": id_delivery})
    return None if row is None else delivery_of(row)


async def attempts(tx: Transaction, id_delivery: int) -> list[WebhookAttempt]:
    rows = await tx.fetch(_ATTEMPTS, {"id_delivery": id_delivery})
    return [WebhookAttempt._make(row) for row in rows]


_REDELIVER = Query(
    "UPDATE webhook_delivery SET status = :status, step = 0, next_attempt_at = :now, "
    f"date_done = NULL WHERE id_delivery = :id_delivery RETURNING {DELIVERY_COLUMNS}"
)


async def redeliver(
    tx: Transaction, id_delivery: int, now: datetime, *, paused: bool
) -> WebhookDelivery:
    """Due again now, at the start of the retry schedule; earlier attempts stay on record.
    Paused instead when its endpoint is disabled."""
    status = PAUSED if paused else PENDING
    row = await tx.fetchrow(_REDELIVER, {"id_delivery": id_delivery, "now": now, "status": status})
    assert row is not None
    return delivery_of(row)


_PAUSE = Query(
    f"UPDATE webhook_delivery SET status = {PAUSED} "
    f"WHERE id_webhook = :id_webhook AND status = {PENDING}"
)
_RESUME = Query(
    f"UPDATE webhook_delivery SET status = {PENDING} "
    f"WHERE id_webhook = :id_webhook AND status = {PAUSED}"
)


async def pause(tx: Transaction, id_webhook: int) -> None:
    """The endpoint is disabled: its pending deliveries leave the queue (the workers' look
    for due rows never walks them), and keep their place in the retry schedule."""
    await tx.execute(_PAUSE, {"id_webhook": id_webhook})


async def resume(tx: Transaction, id_webhook: int) -> None:
    """The endpoint is enabled again: its paused deliveries are due when they were."""
    await tx.execute(_RESUME, {"id_webhook": id_webhook})


# ---- The workers' queue -------------------------------------------------------------------


class Job(NamedTuple):
    """A due delivery, with what sending it needs from its endpoint."""

    id_delivery: int
    id_webhook: int
    id_brand: int
    event_id: str
    payload: str
    attempts: int
    step: int
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_expires: datetime | None


_DUE = (
    "SELECT d.id_delivery, d.id_webhook, d.id_brand, d.event_id, d.payload, d.attempts, d.step, "
    "e.url, e.secret, e.previous_secret, e.previous_secret_expires "
    "FROM webhook_delivery d JOIN webhook_endpoint e ON e.id_webhook = d.id_webhook "
    f"WHERE d.status = {PENDING} AND d.next_attempt_at <= :now AND e.enabled "
    "AND d.id_webhook NOT IN ({endpoints}) AND d.id_brand NOT IN ({brands}) "
    "ORDER BY d.next_attempt_at LIMIT :limit"
)


async def due(
    tx: Transaction,
    now: datetime,
    limit: int,
    busy_endpoints: Sequence[int],
    busy_brands: Sequence[int],
) -> list[Job]:
    """Up to `limit` due deliveries, oldest due first, leaving out the endpoints and brands
    given (at their limit of attempts). On PostgreSQL the rows are locked, and rows another
    process has locked are skipped: two processes never take the same one. (On SQLite the
    transaction holds the write lock: one taker at a time.)"""
    template = _DUE + (" FOR UPDATE OF d SKIP LOCKED" if tx.dialect == "postgresql" else "")
    params: dict[str, Any] = {"now": now, "limit": limit}
    # 0 is no endpoint's or brand's id: the lists are never empty.
    statement = query(
        template.format(
            endpoints=expand(params, "endpoint", [0, *busy_endpoints]),
            brands=expand(params, "brand", [0, *busy_brands]),
        )
    )
    rows = await tx.fetch(statement, params)
    return [Job._make(row) for row in rows]


async def lease(tx: Transaction, ids: Sequence[int], until: datetime) -> None:
    """Taken: not due again before `until` (the attempt's timeout and a margin), so a process
    killed during the attempt leaves the delivery to be taken again then."""
    statement, params = in_list(
        "UPDATE webhook_delivery SET next_attempt_at = :until, attempts = attempts + 1 "
        "WHERE id_delivery IN ({ids})",
        ids,
    )
    await tx.execute(statement, params | {"until": until})


class Outcome(NamedTuple):
    """How an attempt went, and what it leaves the delivery as."""

    id_delivery: int
    id_webhook: int
    number: int
    date_attempt: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str
    status: int
    step: int
    next_attempt_at: datetime
    date_done: datetime | None

    @property
    def succeeded(self) -> bool:
        return self.status == DeliveryStatus.DELIVERED


# An outcome settles the delivery only while the lease it was taken with holds (`attempts`
# counts the takings): a delivery deleted with its endpoint, or taken again by another
# process once the lease had ended, is left as it is. A failure that leaves a delivery
# pending keeps it paused if its endpoint was disabled meanwhile.
_SETTLE = Query(
    f"UPDATE webhook_delivery SET status = CASE WHEN status = {PAUSED} AND :status = {PENDING} "
    f"THEN {PAUSED} ELSE :status END, step = :step, "
    "next_attempt_at = :next_attempt_at, last_status_code = :status_code, last_error = :error, "
    "date_done = :date_done WHERE id_delivery = :id_delivery AND attempts = :number"
)
_RECORD_ATTEMPT = Query(
    "INSERT INTO webhook_attempt (id_delivery, number, date_attempt, duration_ms, status_code, "
    "error, response_excerpt) SELECT :id_delivery, :number, :date_attempt, :duration_ms, "
    ":status_code, :error, :response_excerpt WHERE EXISTS (SELECT 1 FROM webhook_delivery "
    "WHERE id_delivery = :id_delivery AND attempts = :number)"
)
_SUCCEEDED = Query(
    "UPDATE webhook_endpoint SET failing_since = NULL "
    "WHERE id_webhook = :id_webhook AND failing_since IS NOT NULL"
)
_FAILED = Query(
    "UPDATE webhook_endpoint SET failing_since = :now "
    "WHERE id_webhook = :id_webhook AND failing_since IS NULL"
)
# Endpoints before their deliveries, in id order, in every transaction that writes both: two
# processes settling, or staff disabling an endpoint while it is settled, never wait on each
# other in a circle (PostgreSQL; SQLite has one writer at a time).
_LOCK_ENDPOINTS = (
    "SELECT id_webhook FROM webhook_endpoint WHERE id_webhook IN ({ids}) "
    "ORDER BY id_webhook FOR UPDATE"
)
_DISABLE_IF_FAILING = Query(
    "UPDATE webhook_endpoint SET enabled = FALSE, disabled_reason = :reason, "
    "date_update = :now WHERE id_webhook = :id_webhook AND enabled "
    "AND failing_since <= :failing_before"
)
_PAUSE_IF_DISABLED = Query(
    f"UPDATE webhook_delivery SET status = {PAUSED} WHERE id_webhook = :id_webhook "
    f"AND status = {PENDING} AND EXISTS (SELECT 1 FROM webhook_endpoint e "
    "WHERE e.id_webhook = :id_webhook AND NOT e.enabled)"
)


async def settle(
    tx: Transaction,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    failing_before: datetime,
    reasons: dict[int, str],
) -> None:
    """Record attempts and their deliveries' new state; then each endpoint's health, from its
    last outcome here: a success clears `failing_since`, a failure sets it if unset and
    disables the endpoint if it was set before `failing_before` (`reasons` says why, per
    endpoint)."""
    if tx.dialect == "postgresql":
        statement, params = in_list(_LOCK_ENDPOINTS, sorted({o.id_webhook for o in outcomes}))
        await tx.fetch(statement, params)
    outcomes = sorted(outcomes, key=lambda o: o.id_delivery)
    settled = [
        {
            "status": o.status,
            "step": o.step,
            "next_attempt_at": o.next_attempt_at,
            "status_code": o.status_code,
            "error": o.error,
            "date_done": o.date_done,
            "id_delivery": o.id_delivery,
            "number": o.number,
        }
        for o in outcomes
    ]
    await tx.executemany(_SETTLE, settled)
    await tx.executemany(
        _RECORD_ATTEMPT,
        [
            {
                "id_delivery": o.id_delivery,
                "number": o.number,
                "date_attempt": o.date_attempt,
                "duration_ms": o.duration_ms,
                "status_code": o.status_code,
                "error": o.error,
                "response_excerpt": o.response_excerpt,
            }
            for o in outcomes
        ],
    )
    last: dict[int, Outcome] = {}
    for o in sorted(outcomes, key=lambda o: o.date_attempt):
        last[o.id_webhook] = o
    healthy = [{"id_webhook": i} for i, o in last.items() if o.succeeded]
    failing = [i for i, o in last.items() if not o.succeeded]
    if healthy:
        await tx.executemany(_SUCCEEDED, healthy)
    if failing:
        await tx.executemany(_FAILED, [{"id_webhook": i, "now": now} for i in failing])
        await tx.executemany(
            _DISABLE_IF_FAILING,
            [
                {
                    "reason": reasons[i],
                    "now": now,
                    "id_webhook": i,
                    "failing_before": failing_before,
                }
                for i in failing
            ],
        )
        await tx.executemany(_PAUSE_IF_DISABLED, [{"id_webhook": i} for i in failing])


_PRUNE = Query(
    f"DELETE FROM webhook_delivery WHERE id_delivery IN (SELECT id_delivery FROM "
    f"webhook_delivery WHERE status IN ({DELIVERED}, {FAILED}) AND date_create < :before "
    "LIMIT :limit)"
)


async def prune(tx: Transaction, before: datetime, limit: int) -> int:
    """Delete up to `limit` delivered or failed deliveries made before `before`."""
    return await tx.execute(_PRUNE, {"before": before, "limit": limit})
