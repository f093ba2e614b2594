"""Salon's own web pages, served from files shipped in the package (web/pages, web/static):
`/ui/chat` (a chat client), `/ui/ratings` (brand staff's ratings dashboard) and `/r/{token}`
(the rater's public page). No build step, nothing from another host, no inline script: each
page is static HTML that loads its module from `/ui/assets`, and reads where the API is from
its `<body data-api>` (the API may be mounted under `SALON_API_PREFIX`, the app under a root
path). The pages talk to the API exactly as any client would; they hold no rule of their own.
"""

from collections.abc import Awaitable, Callable
from functools import cache
from html import escape
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from salon.api.docs import Assets
from salon.config import Settings

HERE = Path(__file__).parent
ASSETS = "/ui/assets"
# path -> file in web/pages. `/r/{token}`: the token stays in the page's address, read by its
# script; the access log writes the route's template, not the path (api/observe.py).
PAGES = {
    "/ui/chat": "chat.html",
    "/ui/ratings": "ratings.html",
    "/r/{token}": "rate.html",
}


@cache
def _template(name: str) -> str:
    return (HERE / "pages" / name).read_text(encoding="utf-8")


def render(name: str, root: str, api: str, token_links: bool) -> str:
    """The page with where its assets and the API are (`{{assets}}`, `{{api}}`) and whether
    a `#token=` link may sign it in (`{{token_links}}`)."""
    return (
        _template(name)
        .replace("{{assets}}", escape(root + ASSETS))
        .replace("{{api}}", escape(root + api))
        .replace("{{token_links}}", "true" if token_links else "false")
    )


def _root(request: Request) -> str:
    """The prefix the app is served under (ASGI root_path)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _page(name: str, settings: Settings) -> Callable[[Request], Awaitable[HTMLResponse]]:
    async def page(request: Request) -> HTMLResponse:
        html = render(name, _root(request), settings.api_prefix, settings.ui_token_links)
        return HTMLResponse(html)

    return page


def install_pages(app: FastAPI, settings: Settings) -> None:
    """Add the pages and their assets to `app`, after the API's routes."""
    for path, name in PAGES.items():
        # A FastAPI route (not Starlette's add_route): it names itself in the request's scope,
        # so that the access log writes `/r/{token}`, not the token (api/observe.py).
        app.add_api_route(path, _page(name, settings), methods=["GET"], include_in_schema=False)

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{_root(request)}/ui/chat", status_code=307)

    app.add_route("/ui", home, include_in_schema=False)
    app.mount(ASSETS, Assets(directory=HERE / "static"), name="ui-assets")
