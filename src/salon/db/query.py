"""SQL written once, with `:named` parameters, and compiled at import for each driver.

Repositories hold their statements as module-level `Query` objects. SQLite (stdlib `sqlite3`)
takes the named style as it is, with a mapping; asyncpg takes `$1, $2, ...` with positional
arguments, so the PostgreSQL text and the order of its arguments are worked out here, once.
Where the dialects differ (`FOR UPDATE`, date functions, upserts), a query gives each its own
text: `Query(sqlite=..., postgres=...)`; both must name the same parameters.
"""

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

# `:name`, but not PostgreSQL's `::type` casts.
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Query:
    __slots__ = ("names", "postgres", "sqlite")

    def __init__(
        self, text: str | None = None, *, sqlite: str | None = None, postgres: str | None = None
    ) -> None:
        sqlite_text = sqlite if sqlite is not None else text
        postgres_text = postgres if postgres is not None else text
        if sqlite_text is None or postgres_text is None:
            raise ValueError("a query needs its text, or one for each dialect")
        self.sqlite = sqlite_text
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.postgres = _PARAMETER.sub(number, postgres_text)
        self.names = tuple(names)
        if set(_PARAMETER.findall(self.sqlite)) != set(self.names):
            raise ValueError(f"the dialects name different parameters: {self.sqlite!r}")

    def positional(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """asyncpg's arguments, in the order of the PostgreSQL text."""
        return tuple(params[name] for name in self.names)

    def __repr__(self) -> str:
        return f"Query({self.sqlite!r})"


@lru_cache(maxsize=512)
def query(text: str) -> Query:
    """A `Query` for SQL assembled at run time (optional filters, list lengths), compiled once
    per distinct text. The text is made of the repository's own fragments; values are always
    bound parameters."""
    return Query(text)


def in_list(template: str, values: Sequence[Any]) -> tuple[Query, dict[str, Any]]:
    """`template` with its `{ids}` slot made an `IN` list of `values`, one bound parameter each:
    the query (compiled once per length of list) and its parameters, to add others to."""
    params: dict[str, Any] = {}
    return query(template.format(ids=expand(params, "id", values))), params


def expand(params: dict[str, Any], name: str, values: Sequence[Any]) -> str:
    """Bind each of `values` as `:name_0, :name_1, ...` in `params`; the placeholders, for an
    `IN (...)` list (both drivers take one parameter per value)."""
    if not values:
        raise ValueError(f"an empty list for {name}: leave the filter out instead")
    keys = [f"{name}_{position}" for position in range(len(values))]
    params.update(zip(keys, values, strict=True))
    return ", ".join(f":{key}" for key in keys)
