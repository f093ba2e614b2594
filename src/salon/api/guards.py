"""Request limits and security headers, before any routing: a body larger than
`max_body_bytes` is refused with 413 without being read to the end, JSON nested deeper than
`max_json_depth` with 422 (it would otherwise exhaust the parser's recursion).

Text is checked here too, once for every route: a body must be JSON in UTF-8 (RFC 8259; no
byte order mark, no UTF-16, whose bytes would also hide its nesting from the depth check), and
neither a body nor a percent-decoded query string may hold NUL or bytes that are not UTF-8.
PostgreSQL cannot store NUL in text, and a parser that replaces bad bytes reads the request
loosely. The checks are C-level scans (`in`, `isascii`, `decode`, `count`); a body that holds
a `\\u` escape is also parsed by orjson, to find NUL and lone surrogates and name the field."""

import codecs
import json
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# The API serves data, never pages.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The interactive docs (api/docs.py) are pages, built from assets this server ships: the same
# default, and only what each page needs from this server; no inline script, no eval, no other
# host. Each allowance below was found needed: without it Chromium reports a violation, and
# tests/web/test_docs_browser.py fails on any.
_DOCS_COMMON = (
    # The bundle and our start script (Swagger UI), the standalone bundle (ReDoc).
    b"script-src 'self'; "
    # Both draw icons from data: URLs (Swagger UI's stylesheet, ReDoc's components).
    b"img-src 'self' data:; "
    # /openapi.json, and the requests of Swagger UI's "Try it out" to this API.
    b"connect-src 'self'; "
    b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Swagger UI (/docs and the assets under it): its stylesheet, and no inline style.
SWAGGER_UI_CSP = (
    b"content-security-policy",
    b"default-src 'none'; style-src 'self'; " + _DOCS_COMMON,
)
# ReDoc (/redoc): 'unsafe-inline' for styles (never for scripts), which it cannot do without:
# it styles itself with <style> elements that it writes at run time (styled-components), and
# renders nothing when they are refused. Its search index runs in a worker that it makes from
# a blob: of its own code (worker-src blob:); without it, the worker is refused with an error.
REDOC_CSP = (
    b"content-security-policy",
    b"default-src 'none'; style-src 'self' 'unsafe-inline'; worker-src blob:; " + _DOCS_COMMON,
)
DOCS_PATHS = ("/docs", "/redoc")
# Salon's own pages (web/pages.py): scripts, styles and images from this server only, no inline
# script or style, requests (fetch and the WebSocket) to this server only. Forms are sent by the
# pages' scripts, never by the browser itself.
PAGES_CSP = (
    b"content-security-policy",
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; manifest-src 'self'; "
    b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
)
PAGE_PATHS = ("/ui", "/r/")


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_json_depth: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if root := scope.get("root_path"):  # served under a prefix: the path holds it
            path = path.removeprefix(root)
        csp = API_CSP
        page = False
        if path.startswith(DOCS_PATHS):
            csp = REDOC_CSP if path.startswith("/redoc") else SWAGGER_UI_CSP
        elif path.startswith(PAGE_PATHS):
            csp, page = PAGES_CSP, True
        send = _with_headers(send, csp)
        # A page's query string is its script's to read, never the server's: a mailer's
        # tracking parameter in Latin-1 must not turn the rater's page into a JSON 422.
        refused = None if page else query_refusal(scope["query_string"])
        if refused is not None:
            await _refuse(send, *refused)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope["headers"])
        if declared is not None and declared > self.max_body_bytes:
            await _reply(send, 413, {"message": "Payload Too Large."})
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await _reply(send, 413, {"message": "Payload Too Large."})
                return
        refused = body_refusal(body, self.max_json_depth)
        if refused is not None:
            await _refuse(send, *refused)
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def body_refusal(body: bytes | bytearray, max_json_depth: int) -> tuple[str, str] | None:
    """(field, sentence) of the 422 a body gets before routing, or None."""
    refused = encoding_refusal(body)
    if refused is None and too_deep(body, max_json_depth):
        sentence = f"The request body must not be nested more than {max_json_depth} levels."
        refused = "body", sentence
    if refused is None:
        # Only after the depth check: naming the field parses the body.
        refused = escaped_text_refusal(body)
    return refused


def too_deep(body: bytes | bytearray, max_json_depth: int) -> bool:
    """Nested deeper than `max_json_depth`. A body cannot be nested deeper than it has opening
    brackets, which two C-level counts tell; only a body with more of them is scanned."""
    if body.count(b"[") + body.count(b"{") <= max_json_depth:
        return False
    return json_depth(body) > max_json_depth


NOT_UTF8_BODY = "The request body must be JSON encoded in UTF-8, without a byte order mark."
NUL_BODY = "The request body must not contain NUL characters."
BAD_QUERY = "The query string must be percent-encoded UTF-8, without NUL characters."
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's start the same


def nul_sentence(field: str) -> str:
    return f"The {field} field must not contain NUL characters."


def not_utf8_sentence(field: str) -> str:
    return f"The {field} field must be percent-encoded UTF-8."


def encoding_refusal(body: bytes | bytearray) -> tuple[str, str] | None:
    """(field, sentence) when the body is not UTF-8 or holds a raw NUL byte."""
    if body.startswith(BOMS):
        return "body", NOT_UTF8_BODY
    if b"\x00" in body:
        # JSON never holds a raw NUL; UTF-16 and UTF-32 JSON always do.
        utf8 = json.detect_encoding(bytes(body[:4])) == "utf-8"
        return "body", NUL_BODY if utf8 else NOT_UTF8_BODY
    if not body.isascii():
        try:
            body.decode()
        except UnicodeDecodeError:
            return "body", NOT_UTF8_BODY
    return None


def escaped_text_refusal(body: bytes | bytearray) -> tuple[str, str] | None:
    """(field, sentence) when a JSON string of the body holds NUL (`\\u0000`) or half of a
    surrogate pair (`\\ud800` alone), which is not UTF-8 either. Only a body that holds an
    escape is parsed, by orjson (C; it refuses lone surrogates, and json, which reads them,
    then names the field); a body that is not JSON is left to FastAPI's parser."""
    if b"\\u" not in body:
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            document = json.loads(body)
        except ValueError:
            return None
    found = _bad_text(document, [])
    if found is None:
        return None
    path, nul = found
    field = ".".join(path) or "body"
    if nul:
        return field, NUL_BODY if field == "body" else nul_sentence(field)
    return field, NOT_UTF8_BODY if field == "body" else f"The {field} field must be UTF-8 text."


def _bad_text(value: object, path: list[str]) -> tuple[list[str], bool] | None:
    """(path, is NUL) of the first string (or key, then named by its parent) that holds NUL
    or a lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return path, True
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                return path, False
        return None
    if isinstance(value, dict):
        items: Iterable[tuple[str, object]] = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return None
    for key, item in items:
        if isinstance(value, dict) and (found := _bad_text(key, path)) is not None:
            return found
        if (found := _bad_text(item, [*path, key])) is not None:
            return found
    return None


def query_refusal(query: bytes) -> tuple[str, str] | None:
    """(field, sentence) when the query string, percent-decoded, is not UTF-8 or holds NUL;
    raw bytes outside ASCII are refused too (a URL carries them percent-encoded)."""
    if query.isascii() and b"\x00" not in query:
        if b"%" not in query:
            return None
        decoded = unquote_to_bytes(query)
        if b"\x00" not in decoded and _is_utf8(decoded):
            return None
    # Something is wrong: name the parameter, as sent.
    for pair in query.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        name, name_problem = _query_text(raw_name)
        if name_problem is not None:
            return "query", BAD_QUERY
        _, value_problem = _query_text(raw_value)
        if value_problem == "nul":
            return name, nul_sentence(name)
        if value_problem is not None:
            return name, not_utf8_sentence(name)
    return "query", BAD_QUERY


def _query_text(raw: bytes) -> tuple[str, str | None]:
    """(text, None), or ("", "nul" | "encoding")."""
    if not raw.isascii():
        return "", "encoding"
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        return "", "nul"
    if not _is_utf8(decoded):
        return "", "encoding"
    return decoded.decode(), None


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def json_depth(body: bytes | bytearray) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Send, csp: tuple[bytes, bytes]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [h for h in SECURITY_HEADERS if h[0] not in present]
            extra.append(csp)
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers


async def _refuse(send: Send, field: str, sentence: str) -> None:
    """A 422 in the documented shape, before routing."""
    await _reply(send, 422, {"message": sentence, "errors": {field: [sentence]}})


async def _reply(send: Send, status: int, body: dict[str, object]) -> None:
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
