"""Wire types shared by every schema: dates, int32 ids, and the strict input integers."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

from salon.clock import format_wire_datetime

INT32_MAX = 2_147_483_647

WireDateTime = Annotated[
    datetime,
    PlainSerializer(format_wire_datetime, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A UTC date-time serialised as 2023-10-09T12:12:40.220000Z."""

Int32 = Annotated[int, WithJsonSchema({"type": "integer", "format": "int32"})]

InputId = Annotated[int, Field(strict=True, ge=1, le=INT32_MAX)]
"""An id sent by a client: a JSON integer (not a string, float or boolean) in the int32 range."""


def as_utc(value: datetime | None) -> datetime | None:
    """A date-time from a query string: without a zone it is taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
