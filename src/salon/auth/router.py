from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from salon.ambassadors.schemas import full_wire
from salon.api.deps import Authenticated, Public, bearer_token
from salon.api.errors import described, error_responses
from salon.api.openapi import SCHEME
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.auth import brand, service
from salon.auth.schemas import ApiKeyRequest, BrandUserRequest, LoginOut, LoginRequest, TokenOut
from salon.clock import utcnow
from salon.config import Settings
from salon.ratelimit import RateLimiter

router = APIRouter(route_class=SalonRoute, prefix="/auth", tags=["auth"])

DomainHeader = Annotated[
    str | None,
    Header(alias="X-Popsell-Domain", description="The domain of the brand, e.g. example.com"),
]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/login",
    response_model=LoginOut,
    summary="Login with email and password (public)",
    response_description="Return the complete user and the Token",
    responses=error_responses(401, 422, 503),
)
async def login(body: LoginRequest, request: Request, domain: DomainHeader = None) -> JSON:
    # No request transaction: the password check must not hold a connection (service.login).
    state = request.app.state
    settings: Settings = state.settings
    limiter: RateLimiter = state.rate_limiter
    token, ambassador, profile = await service.login(
        state.database,
        limiter,
        state.password_hashing,
        settings,
        domain=domain,
        email=body.email,
        password=body.password,
        client_ip=client_ip(request),
    )
    user = full_wire(ambassador, profile, utcnow(), settings.online_window)
    return ok({"token": token, "user": user})


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Get a token from api key (public)",
    responses=error_responses(401, 422),
)
async def token_from_api_key(body: ApiKeyRequest, request: Request, tx: Public) -> JSON:
    state = request.app.state
    token = await service.exchange_api_key(
        tx, state.rate_limiter, state.settings, body.api_key, client_ip(request)
    )
    return ok({"token": token})


@router.post(
    "/guest",
    response_model=TokenOut,
    summary="Create a guest user to use the API",
    responses=error_responses(401),
)
async def guest(request: Request, tx: Public, domain: DomainHeader = None) -> JSON:
    state = request.app.state
    token = await service.create_guest(
        tx, state.rate_limiter, state.settings, domain, client_ip(request)
    )
    return ok({"token": token})


@router.post(
    "/brand",
    response_model=TokenOut,
    summary="Connect with brand user data",
    description=described(
        "The brand's site signs its customer in: `user_api_key` is the API key of one of the "
        "brand's staff (the site's integration key; any other key is 401), and "
        "`X-Popsell-Domain`, when sent, must be that brand's. The customer is found among the "
        "brand's clients (status 7) by `customer_id`, else by `email_tmp`, or created; what "
        "the site sends replaces what Salon had. With a guest's bearer token (optional), the "
        "guest is bound to the customer once, and the customer's chatrooms include the "
        "guest's. Each address may call it as often as it may log in.",
        ("Authorization", brand.NOT_A_GUEST, "the bearer token is not a guest's"),
        ("Authorization", brand.BOUND_ELSEWHERE, "the guest was bound to another customer"),
    ),
    openapi_extra={"security": [{}, {SCHEME: []}]},
    responses=error_responses(401, 422),
)
async def brand_user(
    body: BrandUserRequest, request: Request, tx: Public, domain: DomainHeader = None
) -> JSON:
    state = request.app.state
    token = await brand.connect(
        tx,
        state.rate_limiter,
        state.settings,
        body,
        domain=domain,
        guest_token=bearer_token(request.headers.get("authorization")),
        client_ip=client_ip(request),
    )
    return ok({"token": token})


@router.delete(
    "/token",
    status_code=204,
    summary="Revoke the token of this request",
    operation_id="revokeToken",
    responses=error_responses(401),
)
async def revoke(request: Request, call: Authenticated) -> Response:
    token = bearer_token(request.headers.get("authorization"))
    assert token is not None  # Authenticated has already refused a missing token
    await service.revoke_token(call.tx, token)
    return Response(status_code=204)
