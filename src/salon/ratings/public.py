"""The rater's link: `GET` and `PUT /public/ratings/{token}` read and answer one rating without
signing in (a shopper who left the chat). The token is the credential: opaque, stored hashed,
bound to one rating, expiring (`SALON_RATING_LINK_DAYS`), dead once its rating is deleted or
replaced. Each link and each client address has a budget (429 past it)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from limits import RateLimitItemPerMinute
from pydantic import BaseModel, Field

from salon.api.deps import Public
from salon.api.errors import error_responses
from salon.api.responses import JSON, ok
from salon.api.routing import SalonRoute
from salon.api.wire import WireDateTime
from salon.auth.router import client_ip
from salon.auth.tokens import hash_token
from salon.clock import format_wire_datetime
from salon.config import Settings
from salon.ratelimit import RateLimiter
from salon.ratings import repository, service
from salon.ratings.schemas import RatingOut, RatingSubmission, rating_wire

router = APIRouter(route_class=SalonRoute, tags=["ratings"])

LinkToken = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The token of the rater's link (`rating.link.token`)",
    ),
]


class RatedPerson(BaseModel):
    firstname: str
    image: str | None


class BrandLabel(BaseModel):
    label: str


class LinkedRating(BaseModel):
    """What the rater's page shows: the rating, who asked, for which brand, until when."""

    rating: RatingOut
    rated: RatedPerson = Field(description="The ambassador being rated")
    brand: BrandLabel
    link_expires_at: WireDateTime


def linked_wire(found: repository.Linked) -> dict[str, Any]:
    return {
        "rating": rating_wire(found.rating),
        "rated": {"firstname": found.rated_firstname, "image": found.rated_image},
        "brand": {"label": found.brand_label},
        "link_expires_at": format_wire_datetime(found.link_expires_at),
    }


async def _spend(request: Request, token: str) -> None:
    """One use of the link's budget and of the client address's."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    per_link = RateLimitItemPerMinute(settings.rating_link_attempts_per_minute)
    per_address = RateLimitItemPerMinute(settings.public_requests_per_ip_per_minute)
    await limiter.spend(per_address, "public-ip", client_ip(request))
    await limiter.spend(per_link, "rating-link", hash_token(token))


GONE_RULES = (
    f"410 with `{service.LINK_EXPIRED}`, `{service.REQUEST_EXPIRED}` (unanswered too long), "
    f"`{service.LINK_WITHDRAWN}` (deleted, or the rater's account disabled) or "
    f"`{service.LINK_REPLACED}`; 404 for a link that never existed"
)


@router.get(
    "/public/ratings/{token:str}",
    response_model=LinkedRating,
    summary="Read a rating through its rater's link (no authentication)",
    operation_id="getRatingByLink",
    description=f"For the rater's page. {GONE_RULES}.",
    responses=error_responses(404, 410, 429),
)
async def read_by_link(token: LinkToken, request: Request, tx: Public) -> JSON:
    await _spend(request, token)
    settings: Settings = request.app.state.settings
    return ok(linked_wire(await service.linked_rating(tx, settings, token)))


@router.put(
    "/public/ratings/{token:str}",
    response_model=LinkedRating,
    summary="Rate through the rater's link (no authentication)",
    operation_id="rateByLink",
    description=(
        "The rater submits or changes the score (0-5) and comment with the rules of "
        f"`PATCH /chat/ratings/{{rating}}`: the same 422s. {GONE_RULES}."
    ),
    responses=error_responses(404, 410, 429),
    openapi_extra={"requestBody": {"required": True}},
)
async def rate_by_link(
    token: LinkToken,
    request: Request,
    tx: Public,
    body: Annotated[RatingSubmission, Body(default_factory=RatingSubmission)],
) -> JSON:
    await _spend(request, token)
    settings: Settings = request.app.state.settings
    return ok(linked_wire(await service.submit_by_link(tx, settings, token, body)))
