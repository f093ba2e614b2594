"""Wire types shared by every schema: dates, int32 ids, and the strict input integers.

Dates in query strings are read here and nowhere else: every well-formed date the schema admits
(years 0001 to 9999, any UTC offset) becomes a bound that the database can compare, so none of
them answers a 500."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from salon.clock import format_wire_datetime
from salon.errors import Invalid

INT32_MAX = 2_147_483_647

WireDateTime = Annotated[
    datetime,
    PlainSerializer(format_wire_datetime, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A UTC date-time serialised as 2023-10-09T12:12:40.220000Z."""

Int32 = Annotated[int, WithJsonSchema({"type": "integer", "format": "int32"})]

NO_NUL = r"^[^\x00]*$"
"""The schema's pattern for text: NUL is refused in every body and query string
(api/guards.py), so the schema says so wherever a client sends free text."""

InputText = Annotated[str, Field(strict=True, json_schema_extra={"pattern": NO_NUL})]
"""Free text in a JSON body: a string (never a number) without NUL."""

NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
"""Text with something to read: at least one character that is not a space, and no NUL."""
Name = Annotated[
    str,
    Field(strict=True, min_length=1, max_length=255, pattern=NOT_BLANK),
    AfterValidator(str.strip),
]
"""A name in a JSON body: not blank, kept without its surrounding spaces."""

IMAGE_URL = r"^[hH][tT][tT][pP][sS]?://[^\x00]+$"
InputImageUrl = Annotated[str, Field(strict=True, max_length=2048, pattern=IMAGE_URL)]
"""An image's address in a JSON body: http(s) only (never `javascript:` or `data:`, which a
page showing it could run or be made to carry)."""


def null_refused(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of an optional field (absent is None) whose explicit `null` the
    server refuses: the schema shows neither the `null` branch nor a `default` of null."""
    schema.pop("default", None)
    branches = schema.pop("anyOf", [])
    kept = [branch for branch in branches if branch.get("type") != "null"]
    if len(kept) == 1:
        schema.update({**kept[0], **schema})
    elif kept:
        schema["anyOf"] = kept


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" for c in word)


SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
InputEmail = Annotated[
    EmailStr,
    Field(
        json_schema_extra={
            "pattern": "^(?!.*[.@](?:"
            + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAINS)
            + ")\\.?$)"
        }
    ),
]
"""An email address a message can reach (Pydantic's `EmailStr`, i.e. email-validator): besides
the syntax (`format: email`), its domain is not one of the special-use names no mail reaches
(RFC 6761: test, invalid, localhost...), which the schema's pattern says."""

InputInt = Annotated[int, Field(strict=True)]
"""An integer in a JSON body: a JSON number without a fractional part, never a string or a
boolean. JSON has one number type and the schema's `integer` (JSON Schema 2020-12, OpenAPI
3.1) admits any number whose fraction is zero, so the body's reader (`api.routing`) reads 2.0
as the integer 2; 2.5 stays a number and is refused."""

InputId = Annotated[InputInt, Field(ge=1, le=INT32_MAX)]
"""An id sent by a client: an `InputInt` in the int32 range."""

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def decimal_text(value: object) -> object:
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise PydanticCustomError("int_parsing", "not a decimal integer")
    return value


def read_as_decimal(field: FieldInfo) -> FieldInfo:
    """A path or query integer (FastAPI's `Path` or `Query`) written in decimal digits only:
    Python's int() also reads "0_1", "01", "+1" and " 1" as 1, and "1_0" as 10."""
    field.metadata.append(BeforeValidator(decimal_text))
    return field


EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def in_utc(value: datetime) -> datetime:
    """A date-time from a query string, in UTC (without a zone it is UTC already).

    An offset can put a well-formed date-time outside the years Python represents
    (0001-01-01T00:00:00+14:00 is in year 0 in UTC): it then stands for the earliest or the
    latest instant, which select the same rows as any instant before or after them."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year == date.min.year else LATEST


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Pydantic would read a number as a Unix time; the API takes ISO 8601 dates only."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise PydanticCustomError("datetime_parsing", "not an ISO 8601 date")
    return value


QueryDateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(in_utc)]
"""A date-time in a query string: 2023-10-09T12:12:40Z (UTC if no zone), never a number; read
as an aware UTC date-time (`in_utc`)."""


def _date_time_text(value: object) -> object:
    """A JSON body's date-time is a string: pydantic would read a number as a Unix time."""
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime string")
    return _not_a_number(value)


InputDateTime = Annotated[
    datetime,
    BeforeValidator(_date_time_text),
    AfterValidator(in_utc),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A date-time in a JSON body: an ISO 8601 string (UTC if no zone), read as an aware UTC
date-time (`in_utc`)."""

QueryDate = Annotated[date, BeforeValidator(_not_a_number)]
"""A day in a query string: 2023-10-09, never a number."""


def days_before(day: date, days: int) -> date:
    """`day` minus `days` days, and never before 0001-01-01."""
    if (day - date.min).days <= days:
        return date.min
    return day - timedelta(days=days)


def previous_period(first: date, last: date) -> tuple[date, date] | None:
    """As many days as `first`..`last`, ending the day before `first` (fewer at the start of
    the calendar); None when `first` is the calendar's first day."""
    if first == date.min:
        return None
    end = first - timedelta(days=1)
    return days_before(end, (last - first).days), end


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days from query strings (`filter[date_from]`, `filter[date_to]`), both
    included. The bounds it hands the database are always representable: the day after
    9999-12-31 does not exist, and a range ending that day has no upper bound."""

    first: date | None = None
    last: date | None = None

    def check(self) -> None:
        if self.first and self.last and self.first > self.last:
            raise Invalid.field(
                "filter[date_from]", "The date_from filter must not be after date_to."
            )

    def or_last_days(self, days: int, today: date) -> tuple[date, date]:
        """(first, last): `last` defaults to today, `first` to `days` days ending on `last`
        (fewer at the start of the calendar)."""
        last = self.last or today
        return self.first or days_before(last, days - 1), last

    @property
    def since(self) -> datetime | None:
        return datetime.combine(self.first, time(), UTC) if self.first else None

    @property
    def until(self) -> datetime | None:
        if self.last is None or self.last == date.max:
            return None
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)
