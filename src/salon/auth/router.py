from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from salon.ambassadors.schemas import AmbassadorFull
from salon.api.deps import (
    CurrentAmbassador,
    DatabaseDep,
    RateLimiterDep,
    SessionDep,
    SettingsDep,
    bearer,
)
from salon.api.errors import error_responses
from salon.api.routing import SalonRoute
from salon.auth import service
from salon.auth.passwords import PasswordHashing
from salon.auth.schemas import ApiKeyRequest, LoginOut, LoginRequest, TokenOut
from salon.clock import utcnow

router = APIRouter(route_class=SalonRoute, prefix="/auth", tags=["auth"])

DomainHeader = Annotated[
    str | None,
    Header(alias="X-Popsell-Domain", description="The domain of the brand, e.g. example.com"),
]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _password_hashing(request: Request) -> PasswordHashing:
    hashing: PasswordHashing = request.app.state.password_hashing
    return hashing


PasswordHashingDep = Annotated[PasswordHashing, Depends(_password_hashing)]


@router.post(
    "/login",
    summary="Login with email and password (public)",
    response_description="Return the complete user and the Token",
    responses=error_responses(401, 422, 503),
)
async def login(
    body: LoginRequest,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    hashing: PasswordHashingDep,
    domain: DomainHeader = None,
) -> LoginOut:
    # No SessionDep: the service opens two short transactions around the password check.
    token, ambassador = await service.login(
        database,
        limiter,
        hashing,
        settings,
        domain=domain,
        email=body.email,
        password=body.password,
        client_ip=client_ip(request),
    )
    user = AmbassadorFull.of_full(ambassador, now=utcnow(), online_window=settings.online_window)
    return LoginOut(token=token, user=user)


@router.post(
    "/token",
    summary="Get a token from api key (public)",
    responses=error_responses(401, 422),
)
async def token_from_api_key(
    body: ApiKeyRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> TokenOut:
    token = await service.exchange_api_key(
        session, limiter, settings, body.api_key, client_ip(request)
    )
    return TokenOut(token=token)


@router.post(
    "/guest",
    summary="Create a guest user to use the API",
    responses=error_responses(401),
)
async def guest(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    domain: DomainHeader = None,
) -> TokenOut:
    token = await service.create_guest(session, limiter, settings, domain, client_ip(request))
    return TokenOut(token=token)


@router.delete(
    "/token",
    status_code=204,
    summary="Revoke the token of this request",
    responses=error_responses(401),
)
async def revoke(
    _: CurrentAmbassador,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    assert credentials is not None  # CurrentAmbassador has already refused a missing token
    await service.revoke_token(session, credentials.credentials)
    return Response(status_code=204)
