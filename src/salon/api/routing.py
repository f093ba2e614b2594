import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from salon.api.errors import error_responses


def json_number(text: str) -> int | float:
    """A JSON number written with a fraction or an exponent. JSON has one number type, and
    JSON Schema 2020-12 (the language of the OpenAPI schema) counts a number whose fraction is
    zero as an integer: 2.0 and 2e0 are the integer 2, which strict integer fields then take.
    Read as a float first, so 1e999999 is infinity rather than a million-digit integer."""
    value = float(text)
    return int(value) if value.is_integer() else value


class SalonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=json_number)
        return self._json


# Methods whose bodies the request guard reads (413 above SALON_MAX_BODY_BYTES), and the
# writes that spend the per-token write limit (429).
BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class SalonRoute(APIRoute):
    """Declares the statuses that every route of its kind can answer, reads JSON bodies with
    `json_number`, and keeps the finished response on `request.state.response`: the
    transaction dependency closes after the handler has built it and before it is sent, and
    saves idempotent responses in the same transaction as the write."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # The request guard answers 422 to any request before routing (a query string with
        # NUL), 413 to any body too large; writes are rate-limited (429). Routers declare the
        # rest; what they declare wins.
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        implied = [422]
        if methods & BODY_METHODS:
            implied.append(413)
        if methods & WRITE_METHODS:
            implied.append(429)
        kwargs["responses"] = error_responses(*implied) | (kwargs.get("responses") or {})
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_and_keep(request: Request) -> Response:
            request = SalonRequest(request.scope, request.receive)
            response = await handle(request)
            request.state.response = response
            return response

        return handle_and_keep
