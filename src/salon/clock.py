"""One place for "now" and for the wire's date format."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_wire_datetime(value: datetime) -> str:
    """UTC, ISO 8601, always six fractional digits and a `Z`: 2023-10-09T12:12:40.220000Z.

    A response carries dozens of dates: the database layer hands out aware UTC datetimes, and
    for those this is one isoformat call and a slice (several times faster than strftime)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"
