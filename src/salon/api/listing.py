"""Query-string conventions of the documented lists: `sort=field|-field`, comma lists."""

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import Query
from pydantic import Field

from salon.errors import Invalid


def sort_pattern(*fields: str) -> str:
    """The OpenAPI pattern of a `sort` parameter: one of the fields, optionally with `-`."""
    return "^-?(" + "|".join(fields) + ")$"


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool


def parse_sort(value: str | None, allowed: set[str], default: str) -> Sort:
    raw = value or default
    field = raw.removeprefix("-")
    if field not in allowed:
        choices = ", ".join(sorted(allowed))
        raise Invalid.field("sort", f"The selected sort is invalid (one of: {choices}, or -field).")
    return Sort(field, raw.startswith("-"))


def decimal_range(minimum: int, maximum: int) -> str:
    """A regular expression for exactly the integers `minimum`..`maximum` (≥ 0) written in
    decimal digits, without sign or leading zeros: one alternative per run of numbers that
    share their length and leading digits (1..2147483647 takes 19)."""
    parts: list[str] = []
    low = minimum
    while low <= maximum:
        high = min(maximum, 10 ** len(str(low)) - 1)
        parts += _same_length(str(low), str(high))
        low = high + 1
    return "|".join(parts)


def _same_length(low: str, high: str) -> list[str]:
    """Alternatives for low..high, two numbers written with as many digits."""
    if len(low) == 1:
        return [_digit(low, high)]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _same_length(low[1:], high[1:])]
    width = len(low) - 1
    first, last = int(low[0]), int(high[0])
    head: list[str] = []
    tail: list[str] = []
    if low[1:] != "0" * width:
        head = [low[0] + rest for rest in _same_length(low[1:], "9" * width)]
        first += 1
    if high[1:] != "9" * width:
        tail = [high[0] + rest for rest in _same_length("0" * width, high[1:])]
        last -= 1
    middle = []
    if first <= last:
        any_digits = "[0-9]" if width == 1 else f"[0-9]{{{width}}}"
        middle = [_digit(str(first), str(last)) + any_digits]
    return head + middle + tail


def _digit(low: str, high: str) -> str:
    return low if low == high else f"[{low}-{high}]"


@dataclass(frozen=True)
class IntList:
    """A comma list filter such as `filter[status]=7,8`: its integers lie in
    `minimum`..`maximum`. One regular expression says what is accepted, in the schema (the
    parameter's `pattern`) and on the server (`parse`); an empty value is no filter."""

    name: str
    minimum: int
    maximum: int
    regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        number = f"(?:{decimal_range(self.minimum, self.maximum)})"
        object.__setattr__(self, "regex", re.compile(f"(?:{number}(?:,{number})*)?"))

    @property
    def pattern(self) -> str:
        return f"^{self.regex.pattern}$"

    def query(self, description: str) -> Any:
        """The FastAPI declaration of the parameter."""
        # The pattern is in the schema; `parse` applies it, with a sentence that says more than
        # "the format is invalid".
        return Query(
            alias=self.name, description=description, json_schema_extra={"pattern": self.pattern}
        )

    def field(self, description: str) -> Any:
        """The parameter as a field of a query model (api/query.py)."""
        return Field(
            alias=self.name, description=description, json_schema_extra={"pattern": self.pattern}
        )

    def parse(self, value: str | None) -> list[int] | None:
        """`"7,8"` -> [7, 8]; None when the filter is absent or empty."""
        if not value:
            return None
        if self.regex.fullmatch(value) is None:
            raise Invalid.field(
                self.name,
                f"The {self.name} filter must be a comma-separated list of integers from "
                f"{self.minimum} to {self.maximum}.",
            )
        return [int(part) for part in value.split(",")]
