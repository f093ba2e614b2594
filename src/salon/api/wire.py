"""Wire types shared by every schema: dates, int32 ids, and the strict input integers."""

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

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


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Pydantic would read a number as a Unix time; the API takes ISO 8601 dates only."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise PydanticCustomError("datetime_parsing", "not an ISO 8601 date")
    return value


QueryDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
"""A date-time in a query string: 2023-10-09T12:12:40Z (UTC if no zone), never a number."""

QueryDate = Annotated[date, BeforeValidator(_not_a_number)]
"""A day in a query string: 2023-10-09, never a number."""
