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


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
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
        request_id = REQUEST_ID.get()
        if request_id is not None and getattr(record, FIELDS, None) is None:
            line += f" [request {request_id}]"
        return line


class _SalonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler Salon installs on the root logger; replaced, never stacked, when an app is
    built again in the same process."""


def configure(level: str, log_format: str) -> None:
    """Salon's handler on the root logger; uvicorn's own loggers write through it too."""
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
