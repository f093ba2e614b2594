import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


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


class SalonRoute(APIRoute):
    """Reads JSON bodies with `json_number`, and keeps the finished response on
    `request.state.response`: the transaction dependency closes after the handler has built it
    and before it is sent, and saves idempotent responses in the same transaction as the
    write."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_and_keep(request: Request) -> Response:
            request = SalonRequest(request.scope, request.receive)
            response = await handle(request)
            request.state.response = response
            return response

        return handle_and_keep
