"""The route of every Salon operation: it owns the request's transaction, reads JSON numbers as
the schema does, and declares the statuses every route of its kind can answer.

One transaction per request, around the handler: opened before it (with the caller, for
routes that take `Authenticated`), committed after it has built its response and before the
response is sent, so a 2xx is durable; rolled back on any error. Webhook deliveries of the
events the handler queued are written just before the commit, in the same transaction. What the
transaction queued (real-time events, revocations) is published only after the commit. An
idempotent POST saves its response in the same transaction as its write.
"""

import email.message
import json
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi._compat import ModelField, Undefined
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.convertors import Convertor, register_url_convertor

from salon import metrics
from salon.api import deps, idempotency
from salon.api.errors import error_responses
from salon.db.database import Database, Transaction
from salon.realtime import outbox
from salon.realtime.broker import Broker
from salon.webhooks import events as webhook_events

log = logging.getLogger(__name__)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

# Methods whose bodies the request guard reads (413 above SALON_MAX_BODY_BYTES), and the
# writes that spend the write limit (429).
BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


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


class _Segment(Convertor[str]):
    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


def segment(pattern: str) -> Convertor[str]:
    """A path segment that matches `pattern` only, left as text for the route's own
    validation: a path whose segment does not match names nothing (404)."""
    matching: type[_Segment] = type("Segment", (_Segment,), {"regex": pattern})
    return matching()


# A segment that can be an id: decimal digits (`deps.id_path` then checks no leading zero,
# 1 to 2147483647, with its 422).
register_url_convertor("id", segment("[0-9]+"))
_PARAMETER = re.compile(r"\{(\w+)\}")


def ids_only(path: str) -> str:
    """Every path parameter of the API is an id, so a segment of letters never matches one:
    `PATCH /chat/ratings/stats` is the 405 of a path that exists (`GET` only), not a 422 of
    `PATCH /chat/ratings/{rating}`, and `/chat/ratings/abc` names nothing (404). A route
    whose parameter is no id names its convertor (`{token:str}`) and is left as it is."""
    return _PARAMETER.sub(r"{\1:id}", path)


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


class SalonRoute(APIRoute):
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
        super().__init__(ids_only(path), endpoint, **kwargs)

    def get_route_handler(self) -> Handler:
        handle = _lean_handler(self) or super().get_route_handler()
        if _depends_on(self.dependant, deps.current_call):
            handle = _authenticated(handle)
        elif _depends_on(self.dependant, deps.current_tx):
            handle = _public(handle)
        if self.methods and self.methods & BODY_METHODS:
            # Outermost: one request object, so its body is read once.
            handle = _reading_json_numbers(handle)
        return handle


# What the lean handler gives an endpoint besides its parameters: the route's transaction.
_PROVIDED = {deps.current_call: deps.CALL, deps.current_tx: deps.TX}


def _lean_handler(route: APIRoute) -> Handler | None:
    """The endpoint called without FastAPI's request machinery, for the shapes Salon's routes
    have: path and header parameters, at most one JSON body, the request, and the route's
    transaction (`Authenticated`, `Public`). Query strings are read by the endpoints
    (api/query.py). FastAPI's handler re-derived per request what never changes (the content
    type's parsing, the endpoint's context for errors, per-parameter bookkeeping) and was a
    quarter of a request; this one validates the same fields, with the same errors. Any other
    shape keeps FastAPI's handler. None when the route does not fit."""
    dependant = route.dependant
    provided: list[tuple[str, str]] = []
    for sub in dependant.dependencies:
        key = _PROVIDED.get(sub.call)  # type: ignore[arg-type]
        if key is None or sub.dependencies or sub.name is None:
            return None
        provided.append((sub.name, key))
    if (
        dependant.query_params
        or dependant.cookie_params
        or len(dependant.body_params) > 1
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    ):
        return None
    path_fields = [(field.name, field.alias, field) for field in dependant.path_params]
    header_fields = [(field.name, field.alias, field) for field in dependant.header_params]
    body_field = dependant.body_params[0] if dependant.body_params else None
    request_name = dependant.request_param_name
    endpoint = dependant.call
    assert endpoint is not None

    async def lean(request: Request) -> Response:
        values: dict[str, Any] = {}
        errors: list[Any] = []
        path_params = request.path_params
        for name, alias, field in path_fields:
            _validated(values, errors, name, field, path_params.get(alias, Undefined), "path")
        if header_fields:
            headers = request.headers
            for name, alias, field in header_fields:
                _validated(values, errors, name, field, headers.get(alias, Undefined), "header")
        if body_field is not None:
            body = await _json_body(request)
            _validated(values, errors, body_field.name, body_field, body, "body", top=True)
        if errors:
            raise RequestValidationError(errors)
        if request_name is not None:
            values[request_name] = request
        for name, key in provided:
            values[name] = request.scope[key]
        response = await endpoint(**values)
        assert isinstance(response, Response), "Salon's endpoints answer a Response"
        return response

    return lean


def _validated(
    values: dict[str, Any],
    errors: list[Any],
    name: str,
    field: ModelField,
    value: Any,
    where: str,
    *,
    top: bool = False,
) -> None:
    """FastAPI's validation of one parameter: its field, its location in errors."""
    loc: tuple[str, ...] = (where,) if top else (where, field.alias)
    if value is Undefined:
        if field.field_info.is_required():
            errors.append({"type": "missing", "loc": loc, "msg": "Field required", "input": None})
            return
        value = field.get_default()  # calls a default_factory (an omittable body)
        if not field.field_info.validate_default:
            values[name] = value
            return
    validated, problems = field.validate(value, values, loc=loc)
    if problems:
        errors.extend(problems)
    else:
        values[name] = validated


async def _json_body(request: Request) -> Any:
    """The body as FastAPI reads it for a JSON body parameter: JSON when the content type
    says so, the raw bytes (refused by the model) otherwise, Undefined when empty."""
    raw = await request.body()
    if not raw:
        return Undefined
    content_type = request.headers.get("content-type")
    if not content_type:
        return raw
    if content_type != "application/json":
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        json_subtype = subtype == "json" or subtype.endswith("+json")
        if message.get_content_maintype() != "application" or not json_subtype:
            return raw
    try:
        return await request.json()
    except ValueError as error:  # not JSON (the request guard has refused what is not UTF-8)
        position = error.pos if isinstance(error, json.JSONDecodeError) else 0
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": str(error)},
                }
            ]
        ) from error


def _reading_json_numbers(handle: Handler) -> Handler:
    async def handle_with_json_numbers(request: Request) -> Response:
        return await handle(SalonRequest(request.scope, request.receive))

    return handle_with_json_numbers


def _authenticated(handle: Handler) -> Handler:
    async def handle_as_caller(request: Request) -> Response:
        database: Database = request.app.state.database
        claim: idempotency.Claim | None = None
        try:
            async with database.transaction() as tx:
                call, claim = await deps.open_call(request, tx)
                request.scope[deps.CALL] = call
                response = await handle(request)
                if tx.outbox:
                    brand = call.caller.id_brand
                    await webhook_events.record(tx, () if call.brand_has_webhooks else (brand,))
                if claim is not None:
                    await idempotency.remember(response, tx, claim)
        except idempotency.KeyTaken:
            # A concurrent request with the same key committed first: answer what it answered.
            assert claim is not None
            raise await idempotency.replay_winner(database, claim) from None
        await publish(request, tx)
        return response

    return handle_as_caller


def _public(handle: Handler) -> Handler:
    async def handle_in_transaction(request: Request) -> Response:
        database: Database = request.app.state.database
        async with database.transaction() as tx:
            request.scope[deps.TX] = tx
            response = await handle(request)
            if tx.outbox:
                await webhook_events.record(tx)
        await publish(request, tx)
        return response

    return handle_in_transaction


async def publish(request: Request, tx: Transaction) -> None:
    """After the commit: the events the request queued, the tokens it revoked, and word to
    this process's webhook worker."""
    if not tx.outbox:
        return
    events, revoked, deliveries_due = outbox.take(tx)
    if events:
        metrics.EVENTS_PUBLISHED.inc(len(events))
    if deliveries_due:
        request.app.state.webhooks.wake()
    broker: Broker = request.app.state.broker
    if revoked:
        try:
            await broker.revoke(revoked)
        except Exception:
            # The revocation is committed: answer as such. Each process's recheck of its
            # sockets' tokens closes them, and a broken Redis feed has closed them anyway.
            log.warning("could not announce a revocation", exc_info=True)
    if events:
        await broker.publish(events)
