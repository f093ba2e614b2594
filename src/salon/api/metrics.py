"""`GET /metrics`: Prometheus' text format, served only with `SALON_METRICS=true`, and behind
`SALON_METRICS_TOKEN` when it is set. Not in the API schema: it is for the scraper."""

import hmac

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon import metrics
from salon.api.deps import bearer_token
from salon.api.errors import UNAUTHORIZED, json_response

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def exposition(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = bearer_token(request.headers.get("authorization")) or ""
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            return json_response(401, {"message": UNAUTHORIZED}, {"WWW-Authenticate": "Bearer"})
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
