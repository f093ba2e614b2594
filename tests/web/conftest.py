"""What the browser tests share: one real `salon serve` on the test database per module, and
one headless Chromium (tests/browser.py)."""

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser

from salon.config import Settings
from tests.browser import chromium, launched
from tests.served import Server, serving

# The served process delivers no webhook (the in-process app does, to the tests' receivers)
# and runs out of no budget unless a test means it to.
SERVED = {
    "SALON_UI_TOKEN_LINKS": "true",  # the demo's sign-in links
    "SALON_WEBHOOK_WORKER": "false",
    "SALON_RATING_LINK_ATTEMPTS_PER_MINUTE": "100000",
    "SALON_PUBLIC_REQUESTS_PER_IP_PER_MINUTE": "100000",
}


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[Server]:
    chromium()  # skip (or fail) before starting a server for nothing
    with serving(settings.database_url, env=SERVED) as served:
        yield served


@pytest.fixture(scope="module")
async def browser(server: Server) -> AsyncIterator[Browser]:
    async with launched() as chromium_browser:
        yield chromium_browser
