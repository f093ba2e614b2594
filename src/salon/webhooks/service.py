"""The rules of webhook endpoints: brand staff manage their brand's, nobody sees another's.

Every operation acts within one brand: the routes take it from the caller, once
`brand_of_staff` has checked the caller is staff; the CLI takes it from the operator."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from salon.api.pagination import PageRequest
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Transaction
from salon.errors import Forbidden, Invalid, NotFound
from salon.realtime import outbox
from salon.records import (
    Ambassador,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from salon.webhooks import address, repository, signing
from salon.webhooks.events import EVENT_TYPES, TEST_EVENT, envelope, new_event_id
from salon.webhooks.repository import DeliveryFilters, NewDelivery
from salon.webhooks.schemas import RATING_BOUNDS, WebhookCreate, WebhookUpdate

TOO_MANY = "The brand already has {limit} webhook endpoints, the most it may have."
NOTHING_SENT = "Send at least one field to change."
QUEUED = "The delivery is still queued (pending or paused): it will be sent without asking."
DUPLICATE_TYPES = "The event_types field has a duplicate value."


def brand_of_staff(caller: Ambassador) -> int:
    """The brand whose endpoints the caller manages: brand staff only."""
    if not caller.is_staff:
        raise Forbidden
    return caller.id_brand


async def _endpoint(
    tx: Transaction, brand: int, id_webhook: int, *, for_update: bool = False
) -> WebhookEndpoint:
    endpoint = await repository.get_endpoint(tx, id_webhook, brand, for_update=for_update)
    if endpoint is None:
        raise NotFound("webhook")
    return endpoint


def _check_url(url: str, settings: Settings) -> None:
    try:
        address.check_url(url, settings.webhook_allowed_networks)
    except address.Refused as refused:
        raise Invalid.field("url", refused.sentence) from None


def _event_types(types: Sequence[str] | None) -> str:
    if types is None:
        return ",".join(EVENT_TYPES)
    if len(set(types)) != len(types):
        raise Invalid.field("event_types", DUPLICATE_TYPES)
    return ",".join(t for t in EVENT_TYPES if t in types)


def _refuse_nulls(body: BaseModel, *fields: str) -> None:
    """Fields whose explicit null the schema does not admit (absent is another matter)."""
    for field in fields:
        if field in body.model_fields_set and getattr(body, field) is None:
            raise Invalid.field(field, f"The {field} field must not be null.")


def _check_bounds(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise Invalid.field(RATING_BOUNDS[0], RATING_BOUNDS[1])


async def create(
    tx: Transaction, settings: Settings, brand: int, body: WebhookCreate
) -> WebhookEndpoint:
    _refuse_nulls(body, "event_types")
    event_types = _event_types(body.event_types)
    _check_bounds(body.rating_value_min, body.rating_value_max)
    limit = settings.webhook_endpoints_per_brand
    if await repository.count_endpoints_locked(tx, brand) >= limit:
        raise Invalid.field("url", TOO_MANY.format(limit=limit))
    _check_url(body.url, settings)
    return await repository.insert_endpoint(
        tx,
        id_brand=brand,
        url=body.url,
        description=body.description,
        event_types=event_types,
        rating_value_min=body.rating_value_min,
        rating_value_max=body.rating_value_max,
        enabled=body.enabled,
        secret=signing.new_secret(),
        now=utcnow(),
    )


async def page(tx: Transaction, brand: int, page: PageRequest) -> tuple[list[WebhookEndpoint], int]:
    total = await repository.count_endpoints(tx, brand)
    endpoints = await repository.page_of_endpoints(tx, brand, page.per_page, page.offset)
    return endpoints, total


async def get(tx: Transaction, brand: int, id_webhook: int) -> WebhookEndpoint:
    return await _endpoint(tx, brand, id_webhook)


async def update(
    tx: Transaction, settings: Settings, brand: int, id_webhook: int, body: WebhookUpdate
) -> WebhookEndpoint:
    endpoint = await _endpoint(tx, brand, id_webhook, for_update=True)
    sent = body.model_fields_set
    if not sent:
        raise Invalid.field("url", NOTHING_SENT)
    _refuse_nulls(body, "url", "description", "event_types", "enabled")
    changes: dict[str, Any] = {}
    if body.url is not None:
        _check_url(body.url, settings)
        changes["url"] = body.url
    if body.description is not None:
        changes["description"] = body.description
    if body.event_types is not None:
        changes["event_types"] = _event_types(body.event_types)
    for bound in ("rating_value_min", "rating_value_max"):
        if bound in sent:
            changes[bound] = getattr(body, bound)
    if body.enabled is not None:
        changes["enabled"] = body.enabled
        if body.enabled:
            # Enabled again by staff: a fresh start, and the deliveries it kept resume.
            changes["disabled_reason"] = None
            changes["failing_since"] = None
    endpoint = endpoint._replace(**changes, date_update=utcnow())
    _check_bounds(endpoint.rating_value_min, endpoint.rating_value_max)
    await repository.update_endpoint(tx, endpoint)
    if body.enabled is False:
        await repository.pause(tx, endpoint.id_webhook)
    elif body.enabled:
        await repository.resume(tx, endpoint.id_webhook)
        outbox.deliveries_due(tx)  # what it kept while disabled is due
    return endpoint


async def delete(tx: Transaction, brand: int, id_webhook: int) -> None:
    endpoint = await _endpoint(tx, brand, id_webhook, for_update=True)
    await repository.delete_endpoint(tx, endpoint.id_webhook)


async def rotate_secret(
    tx: Transaction, settings: Settings, brand: int, id_webhook: int
) -> WebhookEndpoint:
    """A new secret; the current one keeps signing too (a second signature) for the grace
    period, so receivers switch without missing a delivery."""
    endpoint = await _endpoint(tx, brand, id_webhook, for_update=True)
    now = utcnow()
    grace = timedelta(hours=settings.webhook_secret_grace_hours)
    endpoint = endpoint._replace(
        secret=signing.new_secret(),
        previous_secret=endpoint.secret if grace else None,
        previous_secret_expires=now + grace if grace else None,
        date_update=now,
    )
    await repository.update_endpoint(tx, endpoint)
    return endpoint


async def send_test(tx: Transaction, brand: int, id_webhook: int) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint only, delivered like any other: signed, retried,
    recorded (a disabled endpoint keeps it until it is enabled)."""
    endpoint = await _endpoint(tx, brand, id_webhook, for_update=True)
    now = utcnow()
    body = envelope(
        TEST_EVENT,
        now,
        {"id_webhook": endpoint.id_webhook, "message": "A test event sent by brand staff."},
    )
    delivery = await repository.insert_delivery(
        tx,
        NewDelivery(endpoint.id_webhook, endpoint.id_brand, new_event_id(), TEST_EVENT, body),
        now,
        paused=not endpoint.enabled,
    )
    outbox.deliveries_due(tx)
    return delivery


async def deliveries(
    tx: Transaction,
    brand: int,
    id_webhook: int,
    filters: DeliveryFilters,
    page: PageRequest,
) -> tuple[list[WebhookDelivery], int]:
    endpoint = await _endpoint(tx, brand, id_webhook)
    return await repository.page_of_deliveries(
        tx, endpoint.id_webhook, filters, page.per_page, page.offset
    )


async def _delivery_of(
    tx: Transaction, endpoint: WebhookEndpoint, id_delivery: int
) -> WebhookDelivery:
    found = await repository.get_delivery(tx, endpoint.id_webhook, id_delivery)
    if found is None:
        raise NotFound("delivery")
    return found


async def delivery(
    tx: Transaction, brand: int, id_webhook: int, id_delivery: int
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    endpoint = await _endpoint(tx, brand, id_webhook)
    found = await _delivery_of(tx, endpoint, id_delivery)
    return found, await repository.attempts(tx, found.id_delivery)


async def redeliver(
    tx: Transaction, brand: int, id_webhook: int, id_delivery: int
) -> WebhookDelivery:
    """Due again now, from the start of the retry schedule, with the same `webhook-id` (a
    receiver that has it already can tell)."""
    endpoint = await _endpoint(tx, brand, id_webhook, for_update=True)
    found = await _delivery_of(tx, endpoint, id_delivery)
    if found.status in (DeliveryStatus.PENDING, DeliveryStatus.PAUSED):
        # It is queued (or being attempted): a second copy in the queue would be sent twice.
        raise Invalid.field("delivery", QUEUED)
    redelivered = await repository.redeliver(
        tx, found.id_delivery, utcnow(), paused=not endpoint.enabled
    )
    outbox.deliveries_due(tx)
    return redelivered
