"""Laravel's length-aware paginator shape, which the documented lists use.

Repositories return one page of rows and the total; this module turns them into
`{current_page, data, first_page_url, from, last_page, ...}` with URLs that keep the request's
other query parameters."""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from salon.api.query import QueryString
from salon.api.wire import INT32_MAX, decimal_text

T = TypeVar("T")

DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class PageQuery(QueryString):
    """A list's query string: `page` and `per_page`; lists add their sort and filters."""

    # The bounds before the validator: they stay on the integer, and in the schema.
    page: Annotated[
        int,
        Field(ge=1, le=INT32_MAX, description="Page number, from 1"),
        BeforeValidator(decimal_text),
    ] = 1
    per_page: Annotated[
        int,
        Field(ge=1, le=MAX_PER_PAGE, description="Items per page (at most 100)"),
        BeforeValidator(decimal_text),
    ] = DEFAULT_PER_PAGE

    @property
    def page_request(self) -> PageRequest:
        return PageRequest(self.page, self.per_page)


class PageLink(BaseModel):
    url: str | None
    label: str
    active: bool


class Paginated(BaseModel, Generic[T]):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    current_page: int
    data: list[T]
    first_page_url: str
    from_: int | None = Field(alias="from")
    last_page: int
    last_page_url: str
    links: list[PageLink]
    next_page_url: str | None
    path: str
    per_page: int
    prev_page_url: str | None
    to: int | None
    total: int


def paginate(
    request: Request, page: PageRequest, data: list[dict[str, Any]], total: int
) -> dict[str, Any]:
    """A `Paginated` page as sent, around wire dicts already built."""
    last_page = max(1, -(-total // page.per_page))
    here = request.url  # Starlette validates the Host header that links are built from
    path = f"{here.scheme}://{here.netloc}{here.path}" if here.netloc else here.path
    # The request's other parameters as sent, then `page` (as Starlette's
    # include_query_params would put it), encoded once rather than once per link.
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    prefix = f"{path}?{kept}&page=" if kept else f"{path}?page="

    def url(number: int) -> str:
        return f"{prefix}{number}"

    def url_if(number: int) -> str | None:
        return url(number) if 1 <= number <= last_page else None

    links = [{"url": url_if(page.page - 1), "label": "&laquo; Previous", "active": False}]
    links += [
        {"url": url(n) if n else None, "label": str(n) if n else "...", "active": n == page.page}
        for n in _window(page.page, last_page)
    ]
    links.append({"url": url_if(page.page + 1), "label": "Next &raquo;", "active": False})
    return {
        "current_page": page.page,
        "data": data,
        "first_page_url": url(1),
        "from": page.offset + 1 if data else None,
        "last_page": last_page,
        "last_page_url": url(last_page),
        "links": links,
        "next_page_url": url_if(page.page + 1),
        "path": path,
        "per_page": page.per_page,
        "prev_page_url": url_if(page.page - 1),
        "to": page.offset + len(data) if data else None,
        "total": total,
    }


def _window(current: int, last: int, around: int = 3) -> list[int]:
    """Page numbers to link: the first two, the last two, and those near the current page;
    0 stands for an elided run ("...")."""
    shown = sorted(
        n for n in range(1, last + 1) if n <= 2 or n > last - 2 or abs(n - current) <= around
    )
    out: list[int] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(0)
        out.append(n)
    return out
