"""One place for "now" and for the wire's date format."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_wire_datetime(value: datetime) -> str:
    """UTC, ISO 8601, always six fractional digits and a `Z`: 2023-10-09T12:12:40.220000Z."""
    if value.utcoffset():  # naive values are UTC already; so are zero offsets
        value = value.astimezone(UTC)
    # isoformat is several times faster than strftime, and a response carries dozens of dates.
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
