"""A real headless Chromium for tests of pages: Debian's `chromium` (`apt-get install -y
chromium`), driven by Playwright (Playwright's own browser download needs a network CI does not
have). Without it a test is skipped, and fails when SALON_TEST_REQUIRE_BROWSER=1 (CI).

Each `visit` is a fresh browser context (its own profile: no cache, no storage) that may reach
only the server under test: any other request is refused and recorded, as are CSP violations,
console errors and uncaught exceptions; `assert_clean` fails on any. `accessibility` runs
axe-core (WCAG 2 A and AA rules, contrast included) on the page as it is.

SALON_SCREENSHOTS=<folder> makes `screenshot` write there too (`make screenshots` refreshes
docs/images this way).
"""

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, ConsoleMessage, Page, Route, async_playwright

REQUIRE_BROWSER = os.environ.get("SALON_TEST_REQUIRE_BROWSER") == "1"
SCREENSHOTS = os.environ.get("SALON_SCREENSHOTS")
INSTALL = "apt-get install -y chromium"
TIMEOUT_MS = 30_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
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
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@dataclass
class Visit:
    """What one browser context did."""

    page: Page
    outside: list[str] = field(default_factory=list)  # requests refused: not to the server
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    # Console errors that the test caused on purpose (a 4xx the page shows, say), by substring.
    expected_errors: list[str] = field(default_factory=list)

    async def assert_clean(self) -> None:
        violations = await self.page.evaluate("window.__violations")
        errors = [e for e in self.errors if not any(x in e for x in self.expected_errors)]
        assert self.outside == [], f"requests to other hosts: {self.outside}"
        assert violations == [], f"CSP violations: {violations}"
        assert errors == [], f"console errors: {errors}"

    async def accessibility(self) -> list[str]:
        """axe-core's violations on the page as it is now: one line per rule and element."""
        results = await Axe().run(self.page, options=AXE_RULES)
        return [
            f"{violation['id']}: {violation['help']} at {node['target']}"
            for violation in results.response["violations"]
            for node in violation["nodes"]
        ]


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = f"Debian's Chromium is not installed ({INSTALL})"
        if REQUIRE_BROWSER:
            pytest.fail(f"SALON_TEST_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return path


@asynccontextmanager
async def launched() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def visit(
    browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP
) -> AsyncIterator[Visit]:
    """A fresh context whose one page may reach `base_url` only."""
    origin = base_url + "/"
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
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


async def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """`name`.png in the test's folder, and in SALON_SCREENSHOTS when set."""
    path = tmp_path / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    if SCREENSHOTS:
        shutil.copyfile(path, Path(SCREENSHOTS) / path.name)
    return path
