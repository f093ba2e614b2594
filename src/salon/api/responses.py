"""Responses built from wire dicts: orjson bytes, no second pass through the response models
(they describe the routes in the OpenAPI schema; tests/conftest.py checks every response the
suite receives against them)."""

from typing import Any

import orjson
from starlette.responses import Response


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok(body: Any) -> JSON:
    return JSON(body)


def created(body: Any) -> JSON:
    return JSON(body, 201)
