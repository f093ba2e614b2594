"""/docs and /redoc rendered by a headless Chromium with no network: a real `salon serve`, every
request that is not to it refused (and counted: there must be none), no CSP violation, no
console error, and the rating operation listed. Screenshots go to the test's tmp_path.

Chromium is Debian's (`apt-get install -y chromium`), driven by Playwright: Playwright's own
browser download needs a network that CI does not have. Without it the tests are skipped, and
fail when SALON_TEST_REQUIRE_BROWSER=1 (CI). They run on SQLite only: the pages do not touch
the database, so another engine would prove nothing more.
"""

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Route, async_playwright

from salon.config import Settings
from tests.served import Server, serving

REQUIRE_BROWSER = os.environ.get("SALON_TEST_REQUIRE_BROWSER") == "1"
INSTALL = "apt-get install -y chromium"
RATING_PATH = "/chat/chatrooms/{chatroom}/ratings"
TIMEOUT_MS = 30_000
# The pages do not depend on the engine: they run once.
pytestmark = pytest.mark.sqlite_only
# As root (CI), Chromium runs only without its sandbox. No background traffic of its own, and
# no name resolves but the server's address: nothing could leave even past the interception.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Registered before any script of the page runs (Playwright's init scripts are not subject to
# the page's CSP): every violation the page reports, kept for the test to read.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
      `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@dataclass
class Visit:
    """What one page did in the browser."""

    page: Page
    outside: list[str] = field(default_factory=list)  # requests refused: not to the server
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions

    async def assert_clean(self) -> None:
        violations = await self.page.evaluate("window.__violations")
        assert self.outside == [], f"requests to other hosts: {self.outside}"
        assert violations == [], f"CSP violations: {violations}"
        assert self.errors == [], f"console errors: {self.errors}"


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = f"Debian's Chromium is not installed ({INSTALL})"
        if REQUIRE_BROWSER:
            pytest.fail(f"SALON_TEST_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def docs_server(settings: Settings) -> Iterator[Server]:
    chromium()  # skip (or fail) before starting a server for nothing
    with serving(settings.database_url) as server:
        yield server


@pytest.fixture(scope="module")
async def browser(docs_server: Server) -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def visit(docs_server: Server, browser: Browser) -> AsyncIterator[Visit]:
    """A fresh browser context (its own profile: no cache, no storage) on the server."""
    origin = docs_server.base_url + "/"
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    seen = Visit(page)

    async def only_the_server(route: Route) -> None:
        url = route.request.url
        if url.startswith(origin):
            await route.continue_()
        else:
            seen.outside.append(url)
            await route.abort("blockedbyclient")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.errors.append(f"{message.text} ({message.location.get('url')})")

    await context.route("**/*", only_the_server)
    await context.add_init_script(RECORD_VIOLATIONS)
    page.on("console", console)
    page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))
    try:
        yield seen
    finally:
        await context.close()


async def rating_operation(server: Server) -> dict[str, Any]:
    """POST /chat/chatrooms/{chatroom}/ratings, as /openapi.json documents it."""
    async with httpx.AsyncClient() as http:
        schema: dict[str, Any] = (await http.get(f"{server.base_url}/openapi.json")).json()
    operation: dict[str, Any] = schema["paths"][RATING_PATH]["post"]
    return operation


async def test_swagger_ui_lists_the_operations_offline(
    docs_server: Server, visit: Visit, tmp_path: Path
) -> None:
    summary = (await rating_operation(docs_server))["summary"]
    page = visit.page
    await page.goto(f"{docs_server.base_url}/docs")
    rating = page.locator(f'.opblock-post:has(.opblock-summary-path[data-path="{RATING_PATH}"])')
    await rating.wait_for()
    assert await rating.locator(".opblock-summary-description").inner_text() == summary
    assert await page.locator(".opblock").count() > 10  # every operation, not only this one
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=tmp_path / "docs.png")
    await visit.assert_clean()


async def test_redoc_lists_the_operations_offline(
    docs_server: Server, visit: Visit, tmp_path: Path
) -> None:
    rating = await rating_operation(docs_server)
    page = visit.page
    await page.goto(f"{docs_server.base_url}/redoc")
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
