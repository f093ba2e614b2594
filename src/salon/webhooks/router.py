"""Webhook endpoints of a brand, managed by its staff (docs/webhooks.md)."""

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Header, Request, Response
from pydantic import BaseModel, Field

from salon.api.deps import Authenticated, Call, id_path
from salon.api.errors import described, error_responses
from salon.api.pagination import PageQuery, Paginated, paginate
from salon.api.responses import JSON, created, ok
from salon.api.routing import SalonRoute
from salon.config import Settings
from salon.webhooks import address, service
from salon.webhooks.repository import DeliveryFilters
from salon.webhooks.schemas import (
    RATING_BOUNDS,
    STATUS_VALUES,
    ChatroomCreatedEvent,
    DeliveryDetail,
    DeliveryOut,
    DeliveryStatusName,
    EventTypeName,
    MessageCreatedEvent,
    RatingChangedEvent,
    RatingDeletedEvent,
    RatingRequestedEvent,
    RatingSubmittedEvent,
    TestEvent,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
    WebhookWithSecret,
    delivery_detail_wire,
    delivery_wire,
    webhook_wire,
)

router = APIRouter(route_class=SalonRoute, prefix="/manager/webhooks", tags=["webhooks"])


def staff_brand(call: Call) -> int:
    return service.brand_of_staff(call.caller)


WebhookId = Annotated[int, id_path("The webhook endpoint id")]
DeliveryId = Annotated[int, id_path("The delivery id")]
ENDPOINTS_PER_BRAND = Settings.model_fields["webhook_endpoints_per_brand"].default
STAFF = "Brand staff only (status 2, 4 or 5); another brand's endpoint is a 404."
URL_RULES = (
    ("url", address.FORM, "the URL has credentials or a fragment, or is not http(s)"),
    ("url", address.HTTPS, "plain http to an address outside the allowed networks"),
    ("url", address.PRIVATE, "the host is or resolves to a private or reserved address"),
)


@router.post(
    "",
    status_code=201,
    response_model=WebhookWithSecret,
    summary="Create a webhook endpoint",
    description=described(
        f"Deliveries of the chosen events are POSTed to `url`, signed with the secret this "
        f"answer holds (the only time it is shown). {STAFF}",
        *URL_RULES,
        (
            "url",
            service.TOO_MANY.format(limit=ENDPOINTS_PER_BRAND),
            "the brand has as many endpoints as it may (SALON_WEBHOOK_ENDPOINTS_PER_BRAND)",
        ),
        RATING_BOUNDS,
    ),
    responses=error_responses(401, 403, 422),
)
async def create_webhook(body: WebhookCreate, call: Authenticated) -> JSON:
    endpoint = await service.create(call.tx, call.settings, staff_brand(call), body)
    return created(webhook_wire(endpoint, with_secret=True))


@router.get(
    "",
    response_model=Paginated[WebhookOut],
    summary="List the brand's webhook endpoints",
    operation_id="listWebhookEndpoints",
    description=STAFF,
    openapi_extra={"parameters": PageQuery.parameters()},
    responses=error_responses(401, 403, 422),
)
async def list_webhooks(request: Request, call: Authenticated) -> JSON:
    page = PageQuery.read(request).page_request
    endpoints, total = await service.page(call.tx, staff_brand(call), page)
    return ok(paginate(request, page, [webhook_wire(e) for e in endpoints], total))


@router.get(
    "/{webhook}",
    response_model=WebhookOut,
    summary="Get a webhook endpoint",
    description=STAFF,
    responses=error_responses(401, 403, 404, 422),
)
async def get_webhook(webhook: WebhookId, call: Authenticated) -> JSON:
    return ok(webhook_wire(await service.get(call.tx, staff_brand(call), webhook)))


@router.patch(
    "/{webhook}",
    response_model=WebhookOut,
    summary="Update a webhook endpoint",
    description=described(
        "Change its URL, events, rating filter, or enable or disable it. Enabling an endpoint "
        f"Salon disabled clears its reason; the deliveries it kept resume. {STAFF}",
        *URL_RULES,
        RATING_BOUNDS,
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def update_webhook(webhook: WebhookId, body: WebhookUpdate, call: Authenticated) -> JSON:
    endpoint = await service.update(call.tx, call.settings, staff_brand(call), webhook, body)
    return ok(webhook_wire(endpoint))


@router.delete(
    "/{webhook}",
    status_code=204,
    summary="Delete a webhook endpoint",
    description=f"With its deliveries and their attempts. {STAFF}",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_webhook(webhook: WebhookId, call: Authenticated) -> Response:
    await service.delete(call.tx, staff_brand(call), webhook)
    return Response(status_code=204)


@router.post(
    "/{webhook}/rotate-secret",
    response_model=WebhookWithSecret,
    summary="Rotate a webhook endpoint's secret",
    operation_id="rotateWebhookSecret",
    description="A new secret, shown once. Deliveries carry a second signature with the "
    "previous secret until `previous_secret_expires` (SALON_WEBHOOK_SECRET_GRACE_HOURS, 24 "
    f"by default), so a receiver can switch without missing one. {STAFF}",
    responses=error_responses(401, 403, 404, 422),
)
async def rotate_webhook_secret(webhook: WebhookId, call: Authenticated) -> JSON:
    endpoint = await service.rotate_secret(call.tx, call.settings, staff_brand(call), webhook)
    return ok(webhook_wire(endpoint, with_secret=True))


@router.post(
    "/{webhook}/test",
    status_code=202,
    response_model=DeliveryOut,
    summary="Send a test event to a webhook endpoint",
    operation_id="testWebhookEndpoint",
    description=f"A `webhook.test` event, delivered like any other: follow it in the "
    f"endpoint's deliveries. {STAFF}",
    responses=error_responses(401, 403, 404, 422),
)
async def test_webhook(webhook: WebhookId, call: Authenticated) -> JSON:
    delivery = await service.send_test(call.tx, staff_brand(call), webhook)
    return JSON(delivery_wire(delivery), 202)


class DeliveriesQuery(PageQuery):
    status: Annotated[DeliveryStatusName | None, Field(alias="filter[status]")] = None
    event_type: Annotated[
        EventTypeName | Literal["webhook.test"] | None,
        Field(alias="filter[event_type]", description="an event type, or webhook.test"),
    ] = None

    @property
    def filters(self) -> DeliveryFilters:
        return DeliveryFilters(
            status=STATUS_VALUES[self.status] if self.status is not None else None,
            event_type=self.event_type,
        )


@router.get(
    "/{webhook}/deliveries",
    response_model=Paginated[DeliveryOut],
    summary="List a webhook endpoint's deliveries",
    operation_id="listWebhookDeliveries",
    description=f"Newest first; delivered and failed ones are kept "
    f"SALON_WEBHOOK_RETENTION_DAYS (30 by default). {STAFF}",
    openapi_extra={"parameters": DeliveriesQuery.parameters()},
    responses=error_responses(401, 403, 404, 422),
)
async def list_deliveries(webhook: WebhookId, request: Request, call: Authenticated) -> JSON:
    query = DeliveriesQuery.read(request)
    page = query.page_request
    found, total = await service.deliveries(
        call.tx, staff_brand(call), webhook, query.filters, page
    )
    return ok(paginate(request, page, [delivery_wire(d) for d in found], total))


@router.get(
    "/{webhook}/deliveries/{delivery}",
    response_model=DeliveryDetail,
    summary="Get a delivery with its attempts",
    operation_id="getWebhookDelivery",
    description=STAFF,
    responses=error_responses(401, 403, 404, 422),
)
async def get_delivery(webhook: WebhookId, delivery: DeliveryId, call: Authenticated) -> JSON:
    found, attempts = await service.delivery(call.tx, staff_brand(call), webhook, delivery)
    return ok(delivery_detail_wire(found, attempts))


@router.post(
    "/{webhook}/deliveries/{delivery}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
    summary="Redeliver a delivery",
    operation_id="redeliverWebhookDelivery",
    description=described(
        "A delivered or failed delivery is due again now, from the start of the retry "
        f"schedule, with the same `webhook-id`; earlier attempts stay on record. {STAFF}",
        ("delivery", service.QUEUED, "the delivery is pending or paused"),
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def redeliver(webhook: WebhookId, delivery: DeliveryId, call: Authenticated) -> JSON:
    redelivered = await service.redeliver(call.tx, staff_brand(call), webhook, delivery)
    return JSON(delivery_wire(redelivered), 202)


# ---- What receivers get (the schema's `webhooks`: typed payloads for generated clients) ---

SIGNED = (
    "POSTed as JSON with the Standard Webhooks headers `webhook-id` (the event id, the same on "
    "every retry), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` "
    "(`v1,<base64 HMAC-SHA256>`; two, space-separated, during a secret's rotation). Answer 2xx "
    "within the timeout (SALON_WEBHOOK_TIMEOUT_SECONDS, 10 s by default); 408, 429, 5xx and "
    "no answer are retried, any other status is final "
    "(docs/webhooks.md)."
)
CATALOGUE: tuple[tuple[str, type[BaseModel]], ...] = (
    ("rating.requested", RatingRequestedEvent),
    ("rating.submitted", RatingSubmittedEvent),
    ("rating.changed", RatingChangedEvent),
    ("rating.deleted", RatingDeletedEvent),
    ("message.created", MessageCreatedEvent),
    ("chatroom.created", ChatroomCreatedEvent),
    ("webhook.test", TestEvent),
)


def document_events(app: FastAPI) -> None:
    """One OpenAPI `webhooks` entry per event type, its body the event's model."""
    for name, model in CATALOGUE:

        async def receive(
            body: model,  # type: ignore[valid-type]
            webhook_id: Annotated[str, Header(alias="webhook-id")],
            webhook_timestamp: Annotated[str, Header(alias="webhook-timestamp")],
            webhook_signature: Annotated[str, Header(alias="webhook-signature")],
        ) -> None:
            """Never called: it describes what Salon sends."""

        app.webhooks.add_api_route(
            name,
            receive,
            methods=["POST"],
            summary=name,
            description=f"{(model.__doc__ or '').strip()}\n\n{SIGNED}",
            operation_id=f"webhook_{name.replace('.', '_')}",
            status_code=200,
        )
