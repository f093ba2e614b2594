"""The parts of the OpenAPI schema that the request dependency does not declare itself.

`Authenticated` (api/deps.py) reads `Authorization` and `X-Popsell-Brand` from the headers
directly: declaring them as FastAPI parameters would cost two more dependencies to resolve on
every request. The schema says what they are here, once, for every route that uses it.
"""

import re
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from salon.api import deps

SCHEME = "HTTPBearer"
BRAND_HEADER: dict[str, Any] = {
    "name": "X-Popsell-Brand",
    "in": "header",
    "required": False,
    "description": "The id of the target brand; when sent it must be the token's brand",
    "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "X-Popsell-Brand"},
}


def operation_id(route: APIRoute) -> str:
    """A short, stable `operationId`: the operation's title in camelCase, without what its
    parentheses add ("Rate a chatroom" -> `rateAChatroom`, "Login with email and password
    (public)" -> `loginWithEmailAndPassword`). Generated clients name their functions after it;
    FastAPI's default (`rate_a_chatroom_chat_chatrooms__chatroom__ratings_post`) repeats the
    path. A route may set `operation_id=` itself; tests/api/test_openapi.py keeps them unique."""
    title = re.sub(r"\(.*?\)", "", route.summary or "").replace("'s", "s")
    first, *rest = re.findall(r"[A-Za-z0-9]+", title) or [route.name]
    return str(first).lower() + "".join(word[0].upper() + word[1:] for word in rest)


def _authenticated(dependant: Dependant) -> bool:
    return any(
        sub.call is deps.current_call or _authenticated(sub) for sub in dependant.dependencies
    )


def document_authentication(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <token>`",
        }
        for route in app.routes:
            if not isinstance(route, APIRoute) or not _authenticated(route.dependant):
                continue
            path = schema["paths"][route.path_format]
            for method in route.methods or ():
                operation = path.get(method.lower())
                if operation is None:
                    continue
                operation["security"] = [{SCHEME: []}]
                operation.setdefault("parameters", []).append(BRAND_HEADER)
        _describe_receivers(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_receivers(schema: dict[str, Any]) -> None:
    """The `webhooks` operations describe what a brand's receiver answers, not Salon: FastAPI's
    automatic 422 (and its HTTPValidationError, which nothing else uses) is not part of it."""
    for operations in schema.get("webhooks", {}).values():
        for operation in operations.values():
            operation["responses"] = {
                "200": {"description": "Any 2xx status acknowledges the delivery"}
            }
    if "HTTPValidationError" not in str(schema["paths"]):
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
