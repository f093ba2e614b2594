"""The brand's public settings, for the shop's pages before anyone signs in: `GET /brand` and
`GET /widget/config`, found by the `X-Popsell-Domain` header (docs/decisions.md)."""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from limits import RateLimitItemPerMinute

from salon.api.deps import Public
from salon.api.errors import error_responses
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.auth.router import client_ip
from salon.brands import service
from salon.brands.schemas import BrandOut, WidgetConfigOut, brand_wire, widget_config_wire
from salon.config import Settings
from salon.ratelimit import RateLimiter

router = APIRouter(route_class=SalonRoute, tags=["brand"])

RequiredDomain = Annotated[
    str,
    Header(
        alias="X-Popsell-Domain",
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]*$",
        description="The shop's domain, e.g. example.com (the brand's `front_office_domain`)",
    ),
]
PUBLIC = error_responses(404, 422, 429)


async def _spend(request: Request) -> None:
    """One request of the client address's public budget (429 past it)."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    per_address = RateLimitItemPerMinute(settings.public_requests_per_ip_per_minute)
    await limiter.spend(per_address, "public-ip", client_ip(request))


@router.get(
    "/brand",
    response_model=BrandOut,
    summary="Get information about the Brand (public)",
    description="The brand of the shop named by `X-Popsell-Domain`: no token needed. An "
    "unknown domain is a 404; a missing header a 422.",
    responses=PUBLIC,
)
async def get_brand(request: Request, tx: Public, domain: RequiredDomain) -> JSON:
    await _spend(request)
    return ok(brand_wire(await service.by_domain(tx, domain)))


@router.get(
    "/widget/config",
    response_model=WidgetConfigOut,
    summary="Get the brand widget configuration (widget)",
    description="What the widget embedded on the shop named by `X-Popsell-Domain` needs: no "
    "token needed. `global.defaultLanguage`, `community.defaultSortBy` and `im.chattopic` "
    "are the brand's `default_language`, `widget_community_default_sort_amb_by` and "
    "`widget_wl_cta_chat_topic`; the rest is the brand's stored widget configuration.",
    responses=PUBLIC,
)
async def get_widget_config(request: Request, tx: Public, domain: RequiredDomain) -> JSON:
    await _spend(request)
    return ok(widget_config_wire(await service.by_domain(tx, domain)))
