"""Query-string conventions of the documented lists: `sort=field|-field`, comma lists."""

from dataclasses import dataclass

from salon.errors import Invalid

INT_LIST_PATTERN = r"^[0-9]+(,[0-9]+)*$"


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


def parse_int_list(value: str | None, name: str, *, minimum: int, maximum: int) -> list[int] | None:
    """`"7,8"` -> [7, 8]; None when the filter is absent."""
    if value is None or value == "":
        return None
    try:
        numbers = [int(part) for part in value.split(",")]
    except ValueError:
        raise Invalid.field(
            name, f"The {name} filter must be a comma-separated list of integers."
        ) from None
    if any(n < minimum or n > maximum for n in numbers):
        raise Invalid.field(
            name, f"The {name} filter values must be between {minimum} and {maximum}."
        )
    return numbers
