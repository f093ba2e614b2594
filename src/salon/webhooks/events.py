"""The events webhooks carry, and their deliveries written in the transaction of the change.

A change queues its real-time events in the transaction's outbox (salon.realtime.outbox). Just
before the commit, `record` turns those a brand's endpoints subscribe to into delivery rows, in
the same transaction: a committed change always has its deliveries, a rolled-back one never.
"""

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from salon.clock import format_wire_datetime, utcnow
from salon.db.database import Transaction
from salon.realtime import outbox
from salon.realtime.events import Event, EventType
from salon.webhooks import repository
from salon.webhooks.repository import NewDelivery, Subscription

# What an endpoint can subscribe to, in the order docs/webhooks.md lists them.
EVENT_TYPES: tuple[str, ...] = (
    EventType.RATING_REQUESTED,
    EventType.RATING_SUBMITTED,
    EventType.RATING_CHANGED,
    EventType.RATING_DELETED,
    EventType.MESSAGE_CREATED,
    EventType.CHATROOM_CREATED,
)
SUBSCRIBABLE = frozenset(EVENT_TYPES)
# The events that carry a score: an endpoint's rating filter applies to them.
SCORED = frozenset({EventType.RATING_SUBMITTED, EventType.RATING_CHANGED})
# Sent only by `POST /manager/webhooks/{webhook}/test`, to that endpoint.
TEST_EVENT = "webhook.test"


def new_event_id() -> str:
    """`webhook-id`: unique per event, the same for each endpoint and each retry. 128 random
    bits: an id, not a secret, so the process's own generator serves (seeded from the system's,
    and again in each forked child); `secrets` asks the kernel for each id, a system call that
    was 2% of a rating request with two events in a profile under load."""
    return f"msg_{random.getrandbits(128):032x}"


def envelope(type_: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The body of a delivery: `{"type", "timestamp", "data"}`, as Standard Webhooks suggests;
    `data` is the object the REST API answers for the same thing."""
    return orjson.dumps(
        {"type": type_, "timestamp": format_wire_datetime(timestamp), "data": data}
    ).decode()


def wants(subscription: Subscription, event: Event) -> bool:
    if event.type not in subscription.event_types.split(","):
        return False
    if event.type in SCORED:
        value = event.data.get("value")
        low, high = subscription.rating_value_min, subscription.rating_value_max
        if value is None or (low is not None and value < low):
            return False
        if high is not None and value > high:
            return False
    return True


async def record(tx: Transaction, without_endpoints: Iterable[int] = ()) -> None:
    """Before the commit: a delivery row per (event in the outbox, endpoint that wants it).
    `without_endpoints`: brands known to have no enabled endpoint (the caller's, learnt with
    its token), whose endpoints are not asked for again. An endpoint enabled while the request
    runs gets the events of requests that begin after it is committed."""
    events = [item for item in tx.outbox if isinstance(item, Event) and item.type in SUBSCRIBABLE]
    if not events:
        return
    endpoints: dict[int, list[Subscription]] = {brand: [] for brand in without_endpoints}
    deliveries: list[NewDelivery] = []
    now = utcnow()
    for event in events:
        brand = endpoints.get(event.id_brand)
        if brand is None:
            brand = endpoints[event.id_brand] = await repository.subscriptions(tx, event.id_brand)
        wanting = [s for s in brand if wants(s, event)]
        if not wanting:
            continue
        event_id = new_event_id()
        body = envelope(event.type, now, event.webhook_data or event.data)
        deliveries += [
            NewDelivery(s.id_webhook, event.id_brand, event_id, event.type, body) for s in wanting
        ]
    if deliveries:
        await repository.insert_deliveries(tx, deliveries, now)
        outbox.deliveries_due(tx)
