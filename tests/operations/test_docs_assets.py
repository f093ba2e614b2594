"""/docs and /redoc are built from assets Salon ships (api/docs.py), under a strict CSP of
their own (api/guards.py): checked here over HTTP, without a browser
(tests/web/test_docs_browser.py renders them)."""

import re

import httpx
import pytest
from fastapi import FastAPI

from salon.app import create_app
from salon.config import Settings

CSP = "content-security-policy"
PAGES = {
    "/docs": "default-src 'none'; style-src 'self'; ",
    "/docs/oauth2-redirect": "default-src 'none'; style-src 'self'; ",
    "/redoc": "default-src 'none'; style-src 'self' 'unsafe-inline'; worker-src blob:; ",
}
COMMON = (
    "script-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ATTRIBUTES = re.compile(r'(?:src|href|data-[a-z0-9-]+-url|spec-url)="([^"]*)"')


@pytest.mark.parametrize("page", sorted(PAGES))
async def test_docs_pages_load_only_shipped_assets(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers[CSP] == PAGES[page] + COMMON
    assert "unsafe-eval" not in response.headers[CSP]
    html = response.text
    assert "://" not in html  # no URL to another host, nor an absolute one to this one
    assert "<script>" not in html  # no inline script: the CSP would refuse it
    urls = ATTRIBUTES.findall(html)
    assert urls
    for url in urls:
        assert url.startswith("/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        if url.startswith("/docs/assets/"):
            assert asset.headers["cache-control"] == "no-cache"  # revalidated by its ETag
            assert asset.headers[CSP].startswith("default-src 'none'")
            again = await client.get(url, headers={"if-none-match": asset.headers["etag"]})
            assert again.status_code == 304


async def test_the_api_keeps_its_own_csp(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/openapi.json", "/chat/ambassadors"):
        response = await client.get(path)
        assert response.headers[CSP] == "default-src 'none'; frame-ancestors 'none'", path


async def test_shipped_assets_are_what_the_pages_need(client: httpx.AsyncClient) -> None:
    bundle = await client.get("/docs/assets/swagger-ui/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in bundle.text
    redoc = await client.get("/docs/assets/redoc/redoc.standalone.js")
    assert "cdn.redoc.ly" not in redoc.text  # the attribution's logo (static/README.md)
    css = await client.get("/docs/assets/swagger-ui/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css")
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css.text)
    assert (await client.get("/docs/assets/missing.js")).status_code == 404
    assert (await client.get("/docs/assets/../docs.py")).status_code == 404


async def test_docs_with_the_api_under_a_prefix(settings: Settings) -> None:
    """The API's prefix moves its operations, not the docs nor /openapi.json; an ASGI root_path
    (a proxy's prefix) moves them all."""
    app: FastAPI = create_app(settings.model_copy(update={"api_prefix": "/api/v2"}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
        page = await client.get("/docs")
        assert 'data-openapi-url="/openapi.json"' in page.text
        schema = (await client.get("/openapi.json")).json()
        assert "/api/v2/chat/chatrooms/{chatroom}/ratings" in schema["paths"]
    transport = httpx.ASGITransport(app=app, root_path="/salon")
    async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
        page = await client.get("/salon/redoc")
        assert page.headers[CSP] == PAGES["/redoc"] + COMMON
        assert 'spec-url="/salon/openapi.json"' in page.text
        for url in ATTRIBUTES.findall(page.text):
            assert url.startswith("/salon/"), url
            assert (await client.get(url)).status_code == 200, url
