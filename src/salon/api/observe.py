"""What an operator sees of each request, outermost, so that even the requests the request
guard refuses are seen: an `X-Request-ID` (the caller's, when it is a sane one, else a new
one) on the answer and on every log line written while serving it; one access log line
(`salon.access`, at INFO); and, when `/metrics` is served, the request metrics. Never a token,
a query string or a body (docs/operations.md)."""

import logging
import random
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon import metrics
from salon.api import deps
from salon.api.errors import SERVER_ERROR, json_response
from salon.db.database import DB_TIME
from salon.logs import FIELDS, REQUEST_ID

access_log = logging.getLogger("salon.access")
log = logging.getLogger(__name__)

# A request id taken from the caller: short, and nothing that could forge a log line.
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Requests that matched no route, or were refused before routing, share one label; methods
# other than these, one label too: scanners cannot grow the number of series.
UNMATCHED = "(unmatched)"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_PATH = 1024  # of a path in a log line
SECRET_IN_PATH = "{token}"  # noqa: S105 (a path parameter that is a credential)
# The same routes by the shape of a path, under any prefix: what follows is the token.
LINK_PATH = re.compile(r"(/r|/public/ratings)/[^/]+.*$", re.DOTALL)
CLIENT_GONE = 499


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            if _SANE_ID.fullmatch(value):
                return value.decode()
            break
    return f"{random.getrandbits(128):032x}"


class Observer:
    def __init__(self, app: ASGIApp, *, with_metrics: bool, with_access_log: bool) -> None:
        self.app = app
        self.with_metrics = with_metrics
        self.with_access_log = with_access_log
        # Label children by (method, route, status): prometheus-client's lookup costs more.
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope["headers"])
        header = (b"x-request-id", request_id.encode())
        status: int | None = None  # until the answer starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        context = REQUEST_ID.set(request_id)
        database_time = [0.0]
        timing = DB_TIME.set(database_time)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Here, and not in Starlette's outer handler: the line carries the request id,
            # and so does the answer.
            route = getattr(scope.get("route"), "path_format", None) or UNMATCHED
            path = loggable_path(scope["path"], route)
            log.exception("unhandled error on %s %s", scope["method"], path)
            if status is not None:
                raise  # the answer had begun: all that is left is to drop the connection
            await json_response(500, {"message": SERVER_ERROR})(scope, receive, send_with_id)
        finally:
            DB_TIME.reset(timing)
            REQUEST_ID.reset(context)
            seconds = time.perf_counter() - started
            # No answer at all: the client went away first (nginx's 499), not a server error.
            answered = CLIENT_GONE if status is None else status
            self._observe(scope, answered, seconds, database_time[0], request_id)

    def _observe(
        self, scope: Scope, status: int, seconds: float, db_seconds: float, request_id: str
    ) -> None:
        route = scope.get("route")
        template: str = getattr(route, "path_format", None) or UNMATCHED
        method: str = scope["method"]
        if self.with_metrics:
            label = method if method in METHODS else "OTHER"
            self._count(label, template, status, seconds, db_seconds)
        if self.with_access_log and access_log.isEnabledFor(logging.INFO):
            call = scope.get(deps.CALL)
            client = scope.get("client")
            fields = {
                "method": method,
                "route": template,
                "path": loggable_path(scope["path"], template),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "db_ms": round(db_seconds * 1000, 2),
                "caller": None if call is None else call.caller.id_ambassador,
                "client": None if client is None else client[0],
                "request_id": request_id,
            }
            access_log.info(
                "%s %s %d %.1f ms", method, template, status, seconds * 1000, extra={FIELDS: fields}
            )

    def _count(
        self, method: str, template: str, status: int, seconds: float, db_seconds: float
    ) -> None:
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            children = (
                metrics.REQUESTS.labels(method, template, str(status)),
                metrics.REQUEST_SECONDS.labels(method, template),
                metrics.REQUEST_DB_SECONDS.labels(method, template),
            )
            self._children[key] = children
        requests, duration, database = children
        requests.inc()
        duration.observe(seconds)
        if db_seconds:  # requests that never reached the database would only skew it
            database.observe(db_seconds)
        if status == 429:
            metrics.RATE_LIMITED.labels(template).inc()


def loggable_path(path: str, template: str) -> str:
    """The path as logged. A route that carries a credential in its path (the rater's link,
    `/public/ratings/{token}` and its page `/r/{token}`) is logged by its template; so is any
    path shaped like one that was answered before routing (a refused query string or body,
    a redirect of its trailing slash), found by its shape."""
    if SECRET_IN_PATH in template:
        return template
    shaped = LINK_PATH.search(path) if template == UNMATCHED else None
    if shaped is not None:
        return path[: shaped.start()] + shaped.group(1) + "/{token}"
    return path[:MAX_PATH]
