from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class SalonRoute(APIRoute):
    """Keeps the finished response on `request.state.response`: the transaction dependency
    closes after the handler has built it and before it is sent, and saves idempotent
    responses in the same transaction as the write."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_and_keep(request: Request) -> Response:
            response = await handle(request)
            request.state.response = response
            return response

        return handle_and_keep
