"""One place for "now" and for the wire's date format."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_wire_datetime(value: datetime) -> str:
    """UTC, ISO 8601, always six fractional digits and a `Z`: 2023-10-09T12:12:40.220000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
