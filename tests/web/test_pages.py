"""Salon's pages (web/pages.py) over HTTP, without a browser (the test_*_browser.py files
render them): shipped files only, under their CSP (api/guards.py), no inline script or style,
the API's place handed to them, and a rater's link never written to the access log."""

import re

import httpx
import pytest
from fastapi import FastAPI

from salon.app import create_app
from salon.config import Settings
from salon.logs import FIELDS
from salon.web.pages import HERE

CSP = "content-security-policy"
PAGES_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGES = ["/ui/chat", "/ui/ratings", "/r/slr_AbC-123_x"]
URLS = re.compile(r'(?:src|href)="([^"]*)"')
IMPORTS = re.compile(r'from "\./([^"]+)"')
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
async def test_pages_load_only_shipped_files_under_their_csp(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers[CSP] == PAGES_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"  # a link's token stays here
    html = response.text
    assert "://" not in html
    assert INLINE.search(html) is None, INLINE.search(html)
    assert 'data-api=""' in html
    assert 'data-token-links="false"' in html  # by default a #token= link signs nothing in
    urls = URLS.findall(html)
    assert any(url.endswith(".js") for url in urls)
    for url in urls:
        if url.startswith("#"):
            continue
        assert url.startswith("/ui/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "no-cache"  # revalidated, not sent each time


async def test_every_module_a_page_imports_is_shipped(client: httpx.AsyncClient) -> None:
    scripts = sorted((HERE / "static").glob("*.js"))
    assert scripts
    for script in scripts:
        for name in IMPORTS.findall(script.read_text(encoding="utf-8")):
            imported = await client.get(f"/ui/assets/{name}")
            assert imported.status_code == 200, f"{script.name} imports {name}"
            assert imported.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in script.read_text(encoding="utf-8"), script.name


async def test_ui_leads_to_the_chat_and_nothing_else_is_served(
    client: httpx.AsyncClient,
) -> None:
    home = await client.get("/ui")
    assert home.status_code == 307
    assert home.headers["location"] == "/ui/chat"
    assert (await client.get("/ui/assets/missing.js")).status_code == 404
    assert (await client.get("/ui/assets/../pages.py")).status_code == 404
    assert (await client.get("/ui/elsewhere")).status_code == 404
    assert (await client.post("/ui/chat")).status_code == 405


async def test_the_pages_find_the_api_under_its_prefix_and_root_path(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"api_prefix": "/api/v2"}))
    transport = httpx.ASGITransport(app=app, root_path="/salon")
    async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
        page = await client.get("/salon/ui/chat")
        assert 'data-api="/salon/api/v2"' in page.text
        for url in URLS.findall(page.text):
            if url.startswith("#"):
                continue
            assert url.startswith("/salon/ui/assets/"), url
            assert (await client.get(url)).status_code == 200, url


async def test_a_rater_s_link_never_reaches_the_access_log(
    client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither from its routes, nor from a request answered before routing (a query string or
    body the guard refuses, a trailing slash redirected), under the API's prefix or not."""
    caplog.set_level("INFO", logger="salon.access")
    token = "slr_n0t-a-real-but-secret-looking-token"
    link = f"/public/ratings/{token}"
    too_big = "x" * (settings.max_body_bytes + 1)
    sent = [
        (await client.get(f"/r/{token}"), 200, "/r/{token}"),
        (await client.get(f"/r/{token}?utm_content=Ren%E9"), 200, "/r/{token}"),  # Latin-1
        (await client.get(f"/r/{token}/"), 307, "/r/{token}"),
        (await client.get(link), 404, "/public/ratings/{token}"),
        (await client.put(link, json={"value": 5}), 404, "/public/ratings/{token}"),
        (await client.put(f"{link}?x=%00", json={"value": 5}), 422, "/public/ratings/{token}"),
        (await client.put(link, content=too_big), 413, "/public/ratings/{token}"),
        (await client.put(link, content=b"\xef\xbb\xbf{}"), 422, "/public/ratings/{token}"),
    ]
    assert [r.status_code for r, _, _ in sent] == [status for _, status, _ in sent]
    lines = [record for record in caplog.records if record.name == "salon.access"]
    assert [getattr(line, FIELDS)["path"] for line in lines] == [path for _, _, path in sent]
    salon = [r for r in caplog.records if r.name.startswith("salon")]  # not the test's client
    assert not any(token in f"{r.getMessage()} {getattr(r, FIELDS, '')}" for r in salon)
