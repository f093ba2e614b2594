"""/docs and /redoc rendered by a headless Chromium with no network: a real `salon serve`, every
request that is not to it refused (and counted: there must be none), no CSP violation, no
console error, and the rating operation listed. Screenshots go to the test's tmp_path.

Chromium is Debian's, driven by Playwright (tests/browser.py). They run on SQLite only: the
pages do not touch the database, so another engine would prove nothing more.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from tests.browser import Visit
from tests.browser import visit as visiting
from tests.served import Server

RATING_PATH = "/chat/chatrooms/{chatroom}/ratings"
# The pages do not depend on the engine: they run once.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
async def visit(server: Server, browser: Browser) -> AsyncIterator[Visit]:
    """A fresh browser context (its own profile: no cache, no storage) on the server."""
    async with visiting(browser, server.base_url) as seen:
        yield seen


async def rating_operation(server: Server) -> dict[str, Any]:
    """POST /chat/chatrooms/{chatroom}/ratings, as /openapi.json documents it."""
    async with httpx.AsyncClient() as http:
        schema: dict[str, Any] = (await http.get(f"{server.base_url}/openapi.json")).json()
    operation: dict[str, Any] = schema["paths"][RATING_PATH]["post"]
    return operation


async def test_swagger_ui_lists_the_operations_offline(
    server: Server, visit: Visit, tmp_path: Path
) -> None:
    summary = (await rating_operation(server))["summary"]
    page = visit.page
    await page.goto(f"{server.base_url}/docs")
    rating = page.locator(f'.opblock-post:has(.opblock-summary-path[data-path="{RATING_PATH}"])')
    await rating.wait_for()
    assert await rating.locator(".opblock-summary-description").inner_text() == summary
    assert await page.locator(".opblock").count() > 10  # every operation, not only this one
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=tmp_path / "docs.png")
    await visit.assert_clean()


async def test_redoc_lists_the_operations_offline(
    server: Server, visit: Visit, tmp_path: Path
) -> None:
    rating = await rating_operation(server)
    page = visit.page
    await page.goto(f"{server.base_url}/redoc")
    section = page.locator(f'[data-section-id="operation/{rating["operationId"]}"]')
    heading = section.locator("h2")
    await heading.wait_for()
    await heading.scroll_into_view_if_needed()
    assert (await heading.inner_text()).strip() == rating["summary"]
    assert RATING_PATH in await section.inner_text()  # its method and path, on the right
    assert await page.locator("[data-section-id^='operation/']").count() > 10  # all of them
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=tmp_path / "redoc.png")
    await visit.assert_clean()
