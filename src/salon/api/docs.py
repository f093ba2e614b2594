"""The interactive API docs, `/docs` (Swagger UI) and `/redoc` (ReDoc), from assets shipped with
Salon (api/static, versions and licences in its README.md): they load nothing from another
host, so they work on a closed network and under the docs' Content-Security-Policy
(api/guards.py), which allows scripts from this server only and no inline script.

FastAPI's own pages load their assets from public CDNs and start Swagger UI with an inline
script; these pages hand their URLs to a static start script (static/swagger-init.js) in data-
attributes instead.
"""

import os
from html import escape
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
ASSETS = "/docs/assets"
SWAGGER_UI = "/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
REDOC = "/redoc"


class Assets(StaticFiles):
    """The shipped files, revalidated by their ETag (a 304) rather than sent again on every
    page load: the guard's `cache-control: no-store` would apply to them otherwise."""

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "no-cache"
        return response


def install_docs(app: FastAPI) -> None:
    """Add the docs' pages and assets to `app` (built with docs_url=None, redoc_url=None),
    after its other routes: a request for the API never tries to match them."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        return
    title = escape(app.title)

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request.scope)
        return HTMLResponse(
            f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="{root}{ASSETS}/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}{ASSETS}/swagger-ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}{escape(openapi_url)}"
 data-oauth2-redirect-url="{root}{OAUTH2_REDIRECT}"></div>
<script src="{root}{ASSETS}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{root}{ASSETS}/swagger-init.js"></script>
</body>
</html>
"""
        )

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        root = _root(request.scope)
        return HTMLResponse(
            f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} - Swagger UI: OAuth2 redirect</title></head>
<body>
<script src="{root}{ASSETS}/swagger-ui/oauth2-redirect.js"></script>
</body>
</html>
"""
        )

    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request.scope)
        # No Google Fonts: ReDoc falls back to the fonts on the reader's machine.
        return HTMLResponse(
            f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ReDoc</title>
<link rel="stylesheet" href="{root}{ASSETS}/docs.css">
<link rel="icon" type="image/png" href="{root}{ASSETS}/swagger-ui/favicon-32x32.png">
</head>
<body>
<redoc spec-url="{root}{escape(openapi_url)}"></redoc>
<script src="{root}{ASSETS}/redoc/redoc.standalone.js"></script>
</body>
</html>
"""
        )

    app.add_route(SWAGGER_UI, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC, redoc, include_in_schema=False)
    app.mount(ASSETS, Assets(directory=STATIC), name="docs-assets")


def _root(scope: Scope) -> str:
    """The prefix the app is served under (ASGI root_path), as FastAPI's pages use it."""
    return escape(str(scope.get("root_path", "")).rstrip("/"))
