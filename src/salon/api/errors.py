"""Every error leaves the service here, in the documented shapes."""

import logging
import re
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response

from salon.api.idempotency import IdempotentReplay
from salon.errors import (
    AppError,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    Overloaded,
    TooManyRequests,
    Unauthorized,
)

log = logging.getLogger(__name__)

UNAUTHORIZED = "Unauthorized."
FORBIDDEN = "Forbidden - You don't have permission to access this route"
TOO_MANY = "Too Many Requests."
UNAVAILABLE = "Service Unavailable."
SERVER_ERROR = "Server Error."


class MessageBody(BaseModel):
    message: str


class ValidationBody(BaseModel):
    message: str
    errors: dict[str, list[str]]


def error_responses(
    *statuses: int, also: dict[int | str, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the documented error statuses (and `also`)."""
    described = {
        401: (MessageBody, UNAUTHORIZED),
        403: (MessageBody, FORBIDDEN),
        404: (MessageBody, "Not found"),
        409: (MessageBody, "Conflict: another request changed it first"),
        410: (MessageBody, "Gone: the link expired, or its rating was withdrawn or replaced"),
        413: (MessageBody, "Payload Too Large."),
        422: (ValidationBody, "Unprocessable Content"),
        429: (MessageBody, TOO_MANY + " Retry after the seconds in the Retry-After header."),
        503: (MessageBody, UNAVAILABLE + " Busy: retry after the seconds in Retry-After."),
    }
    entries: dict[int | str, dict[str, Any]] = {
        s: {"model": described[s][0], "description": described[s][1]} for s in statuses
    }
    for status in {429, 503} & set(statuses):
        entries[status]["headers"] = {"Retry-After": RETRY_AFTER}
    return entries | (also or {})


RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 1},
}

RULES_HEADING = (
    "**Refused with 422 by rules the schema cannot state** (they depend on the data, on who "
    "calls, or compare two fields); each line is `field`: the sentence the server answers."
)


def described(text: str, *rules: tuple[str, str, str]) -> str:
    """An operation's description: `text`, then its documented 422 rules as
    "- `field`: sentence — when". A request the schema admits is refused only by one of these
    (tests/hardening/test_contract_fuzz.py holds the server to it)."""
    if not rules:
        return text
    lines = [f"- `{field}`: {sentence} — {when}" for field, sentence, when in rules]
    return "\n\n".join([text, RULES_HEADING, "\n".join(lines)])


def json_response(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def validation_response(errors: dict[str, list[str]]) -> Response:
    """The Laravel shape: the first message, "(and N more errors)", and every message by field."""
    messages = [m for field_messages in errors.values() for m in field_messages]
    message = messages[0]
    more = len(messages) - 1
    if more:
        message += f" (and {more} more error{'s' if more > 1 else ''})"
    return json_response(422, {"message": message, "errors": errors})


def _render_app_error(_: Request, error: Exception) -> Response:
    match error:
        case Unauthorized(message=message):
            return json_response(401, {"message": message}, {"WWW-Authenticate": "Bearer"})
        case Forbidden():
            return json_response(403, {"message": FORBIDDEN})
        case NotFound(resource=resource):
            return json_response(404, {"message": f"Not found - The {resource} does not exist"})
        case Conflict(message=message):
            return json_response(409, {"message": f"Conflict - {message}"})
        case Gone(message=message):
            return json_response(410, {"message": message})
        case Invalid(errors=errors):
            return validation_response(errors)
        case TooManyRequests(retry_after_seconds=seconds):
            return json_response(429, {"message": TOO_MANY}, {"Retry-After": str(seconds)})
        case Overloaded(retry_after_seconds=seconds):
            return json_response(503, {"message": UNAVAILABLE}, {"Retry-After": str(seconds)})
        case IdempotentReplay(status_code=status, body=body):
            return Response(
                body, status, {"Idempotent-Replayed": "true"}, media_type="application/json"
            )
    raise error


def _render_request_validation(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors: dict[str, list[str]] = {}
    for detail in error.errors():
        field, sentence = describe_validation_error(detail)
        errors.setdefault(field, []).append(sentence)
    return validation_response(errors)


def _render_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:
        # The framework's "error parsing the body" (e.g. not UTF-8): the documented answer to a
        # body that is not JSON is a 422.
        return validation_response({"body": [_BODY_SENTENCES["json_invalid"]]})
    if error.status_code == 405:
        allow = ", ".join(sorted(_methods_of_path(request)))
        return json_response(405, {"message": "Method Not Allowed."}, {"Allow": allow})
    messages = {404: "Not found", 413: "Payload Too Large."}
    message = messages.get(error.status_code, str(error.detail))
    return json_response(error.status_code, {"message": message}, error.headers)


def _methods_of_path(request: Request) -> set[str]:
    """Every method the API documents at this path (the router only knows it found one route
    with another method); path parameters are ids, digits only (api/routing.py), but for those
    whose schema lists their values (`/{environment}/me`: GET for three, PATCH for two)."""
    path = request.url.path
    spec = request.app.openapi()
    for template, item in spec["paths"].items():
        pattern = re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template)
        found = re.fullmatch(pattern, path)
        if found is None:
            continue
        methods = {
            method.upper()
            for method, operation in item.items()
            if all(
                _admits(spec, parameter, found.group(parameter["name"]))
                for parameter in operation.get("parameters", ())
                if parameter["in"] == "path"
            )
        }
        if methods:
            return methods
    return set()


def _admits(spec: dict[str, Any], parameter: dict[str, Any], value: str) -> bool:
    schema = parameter.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "enum" in schema:
        return value in schema["enum"]
    return value.isdigit()


def _render_unexpected(request: Request, error: Exception) -> Response:
    """What api/observe.py has not answered itself (an error outside it)."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return json_response(500, {"message": SERVER_ERROR})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _render_app_error)
    app.add_exception_handler(RequestValidationError, _render_request_validation)
    app.add_exception_handler(HTTPException, _render_http_error)
    app.add_exception_handler(Exception, _render_unexpected)


def describe_validation_error(detail: Any) -> tuple[str, str]:
    """(field as sent, one human sentence) for one Pydantic error."""
    location = [part for part in detail["loc"] if part not in ("body", "path", "query", "header")]
    kind: str = detail["type"]
    context: dict[str, Any] = detail.get("ctx") or {}
    if not location or kind == "json_invalid":  # a JSON error's location is a byte offset
        return "body", _BODY_SENTENCES.get(kind, "The request body is invalid.")
    field = ".".join(str(part) for part in location)
    template = _FIELD_SENTENCES.get(kind, "The {field} field is invalid.")
    return field, template.format(field=field, **context)


_BODY_SENTENCES = {
    "json_invalid": "The request body must be valid JSON.",
    "model_attributes_type": "The request body must be a JSON object.",
    "dict_type": "The request body must be a JSON object.",
    "missing": "The request body is required.",
}

_FIELD_SENTENCES = {
    "missing": "The {field} field is required.",
    "extra_forbidden": "The {field} field is not allowed.",
    "int_type": "The {field} field must be an integer.",
    "int_parsing": "The {field} field must be an integer.",
    "int_from_float": "The {field} field must be an integer.",
    "string_type": "The {field} field must be a string.",
    "bool_type": "The {field} field must be true or false.",
    "bool_parsing": "The {field} field must be true or false.",
    "greater_than_equal": "The {field} field must be at least {ge}.",
    "greater_than": "The {field} field must be greater than {gt}.",
    "less_than_equal": "The {field} field must not be greater than {le}.",
    "less_than": "The {field} field must be less than {lt}.",
    "string_too_long": "The {field} field must not be greater than {max_length} characters.",
    "string_too_short": "The {field} field must be at least {min_length} characters.",
    "literal_error": "The selected {field} is invalid.",
    "string_pattern_mismatch": "The {field} format is invalid.",
    "enum": "The selected {field} is invalid.",
    "value_error": "The {field} field is invalid.",
    "datetime_from_date_parsing": "The {field} field must be a date.",
    "datetime_parsing": "The {field} field must be a date.",
    "datetime_type": "The {field} field must be a date.",
    "list_type": "The {field} field must be an array.",
    "too_short": "The {field} field must have at least {min_length} items.",
    "too_long": "The {field} field must not have more than {max_length} items.",
}


def links(status: int, **targets: tuple[str, str, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links from this response to operations that take one of its ids:
    name=(path, method, {parameter: runtime expression} as "param=expression")."""
    described: dict[str, Any] = {}
    for name, (path, method, binding) in targets.items():
        parameter, expression = binding.split("=", 1)
        pointer = path.replace("~", "~0").replace("/", "~1")
        described[name] = {
            "operationRef": f"#/paths/{pointer}/{method}",
            "parameters": {parameter: expression},
        }
    return {status: {"links": described}}
