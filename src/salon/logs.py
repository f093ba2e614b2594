"""Logging: plain lines on a terminal, one JSON object per line elsewhere (`SALON_LOG_FORMAT`:
auto, text or json). Every line written while a request is served carries its request id.
docs/operations.md lists the fields."""

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

# The id of the request being served (api/observe.py sets it), for every line it logs.
REQUEST_ID: ContextVar[str | None] = ContextVar("salon_request_id", default=None)

# What a record carries besides its message: `log.info(..., extra={FIELDS: {...}})`.
FIELDS = "salon_fields"

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every record carries the id of the request it was logged for (None outside one), read
    when it is made: a handler that formats it later, elsewhere, still has it."""
    record = _make_record(*args, **kwargs)
    record.request_id = REQUEST_ID.get()
    return record


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, FIELDS, None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is not None and getattr(record, FIELDS, None) is None:
            line += f" [request {request_id}]"
        return line


class _SalonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler Salon installs on the root logger; replaced, never stacked, when an app is
    built again in the same process."""


class _WithoutQueryStrings(logging.Filter):
    """uvicorn logs a socket's path with its query string, which may hold a token: the path
    alone is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if '"WebSocket %s"' in str(record.msg) and isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def configure(level: str, log_format: str) -> None:
    """Salon's handler on the root logger; uvicorn's own loggers write through it too."""
    logging.setLogRecordFactory(_record_with_request_id)
    as_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    handler = _SalonHandler(sys.stderr)
    handler.setFormatter(JSONFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _SalonHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
        if not any(isinstance(f, _WithoutQueryStrings) for f in uvicorn_logger.filters):
            uvicorn_logger.addFilter(_WithoutQueryStrings())
