"""/ui/chat in a real headless Chromium (tests/browser.py) against a real `salon serve`: two
browser contexts, a visitor and an ambassador, hold a conversation; the ambassador asks for a
rating; the visitor rates from the card in the conversation; the ambassador's page shows it
without a reload. And the page resumes its live feed after the server drops its socket.

The assertions read what is on the page; the API is asked only to confirm what was stored. The
pages do not depend on the engine: SQLite only.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Locator, Page, WebSocket, expect

from salon.config import Settings
from tests.browser import PHONE, Visit, chromium, screenshot, visit
from tests.served import Server, serving
from tests.support import Person, World, run_sql
from tests.web.conftest import SERVED

pytestmark = pytest.mark.sqlite_only
LIFETIME_SECONDS = 3  # the resume test's server closes every socket this often (code 4000)


async def open_chat(seen: Visit, server: Server, who: Person, chatroom: int) -> Page:
    """The chat page signed in by the demo's kind of link (`#token=`), on one chatroom, live."""
    page = seen.page
    await page.goto(f"{server.base_url}/ui/chat#token={who.token}&chatroom={chatroom}")
    await expect(page.locator("#connection")).to_have_text("Live")
    await expect(page.locator("#conversation-heading")).to_contain_text("Chat with")
    assert "token=" not in page.url  # the token left the address at once
    return page


def message(page: Page, text: str) -> Locator:
    return page.locator("#messages .message", has_text=text)


async def test_a_visitor_and_an_ambassador_chat_and_rate_live(
    server: Server,
    browser: Browser,
    world: World,
    brand: int,
    client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    vera = await world.person(brand, 7, name="Vera Visitor")
    ada = await world.person(brand, 0, name="Ada Lovelace")
    chatroom = await world.chatroom(vera, ada)

    async with (
        visit(browser, server.base_url, PHONE) as visitor,
        visit(browser, server.base_url) as ambassador,
    ):
        vera_page = await open_chat(visitor, server, vera, chatroom)
        ada_page = await open_chat(ambassador, server, ada, chatroom)
        await expect(ada_page.locator("#conversation-heading")).to_have_text("Chat with Vera")
        await expect(vera_page.locator("#ask-rating")).to_be_hidden()  # visitors are asked
        # Set in the page: gone if the page reloads. Nothing below may reload either page.
        for page in (vera_page, ada_page):
            await page.evaluate("window.__same_page = true")

        # Vera writes (Enter sends); Ada's page shows it, and Vera's shows that Ada saw it.
        await vera_page.locator("#compose-text").fill("Hello, is the blue scarf in stock?")
        await vera_page.locator("#compose-text").press("Enter")
        await expect(message(ada_page, "blue scarf")).to_contain_text("Vera")
        await expect(message(vera_page, "blue scarf").locator(".seen")).to_have_text("Seen")

        await ada_page.locator("#compose-text").fill("It is! Shall I keep one for you?")
        await ada_page.locator("#compose").get_by_role("button", name="Send").click()
        await expect(message(vera_page, "keep one for you")).to_contain_text("Ada")
        assert await message(vera_page, "keep one for you").count() == 1  # answer and event: once

        # Ada asks for a rating; Vera gets the card in the conversation.
        await ada_page.get_by_role("button", name="Ask for a rating").click()
        await expect(ada_page.locator(".rating-card")).to_contain_text("Waiting for Vera")
        card = vera_page.locator(".rating-card")
        await expect(card.get_by_role("heading")).to_have_text(
            "How was your conversation with Ada?"
        )
        await screenshot(vera_page, "chat-rating-card", tmp_path)

        # Vera rates with the keyboard: into the choice, arrows to 4, a comment, send.
        await card.get_by_label("0", exact=True).focus()
        for _ in range(4):
            await vera_page.keyboard.press("ArrowRight")
        assert await card.locator("input[type=radio]:checked").get_attribute("value") == "4"
        await card.get_by_label("Comment (optional)").fill("Quick and kind")
        # A message arriving meanwhile redraws the conversation, not the card being filled in.
        await ada_page.locator("#compose-text").fill("Take your time!")
        await ada_page.locator("#compose-text").press("Enter")
        await expect(message(vera_page, "Take your time")).to_have_count(1)
        assert await card.locator("input[type=radio]:checked").get_attribute("value") == "4"
        assert await card.get_by_label("Comment (optional)").input_value() == "Quick and kind"
        await card.get_by_role("button", name="Send my rating").click()
        await expect(card.locator(".given")).to_have_text("4 / 5")

        # Ada's page shows it as it arrives, with no reload.
        ada_card = ada_page.locator(".rating-card")
        await expect(ada_card.get_by_role("heading")).to_have_text("Vera rated you")
        await expect(ada_card.locator(".given")).to_have_text("4 / 5")
        await expect(ada_card.locator(".comment")).to_have_text("Quick and kind")
        await expect(ada_page.locator("#activity")).to_have_text("New rating: 4 / 5")
        await expect(ada_page.locator("#connection")).to_have_text("Live")
        for page in (vera_page, ada_page):
            assert await page.evaluate("window.__same_page") is True
        await screenshot(ada_page, "chat", tmp_path)

        # What the pages showed is what was stored.
        stored = await client.get(f"/chat/chatrooms/{chatroom}", headers=ada.headers)
        assert stored.json()["last_rating"] == {"value": 4, "comment": "Quick and kind"}

        no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
        assert await vera_page.evaluate(no_overflow), "the phone-sized page scrolls sideways"
        for seen in (visitor, ambassador):
            assert await seen.accessibility() == []
            await seen.assert_clean()


async def test_a_signed_out_page_signs_in_with_email_and_password(
    server: Server,
    browser: Browser,
    app: FastAPI,
    world: World,
    brand: int,
    client: httpx.AsyncClient,
) -> None:
    ada = await world.person(brand, 0, name="Ada Lovelace")
    await run_sql(
        app, "UPDATE brand SET domain = 'shop.example.test' WHERE id_brand = :id", {"id": brand}
    )
    await world.set_password(ada, "correct horse battery")
    async with visit(browser, server.base_url) as seen:
        page = seen.page
        seen.expected_errors.append("401")  # the page's first GET /widget/me, signed out
        await page.goto(f"{server.base_url}/ui/chat")
        form = page.locator("form", has=page.get_by_label("Password", exact=True))
        assert await seen.accessibility() == []
        email = (await client.get("/widget/me", headers=ada.headers)).json()["email"]
        await page.get_by_label("Email", exact=True).fill(email)
        await page.get_by_label("Password", exact=True).fill("wrong")
        await page.get_by_label("Brand domain").fill("shop.example.test")
        await form.get_by_role("button", name="Sign in").click()
        await expect(page.locator("#signin-status")).not_to_be_empty()
        await page.get_by_label("Password", exact=True).fill("correct horse battery")
        await form.get_by_role("button", name="Sign in").click()
        await expect(page.locator("#who")).to_contain_text("Ada")
        await expect(page.locator("#connection")).to_have_text("Live")
        await seen.assert_clean()


@pytest.fixture(scope="module")
def short_lived_server(settings: Settings) -> Iterator[Server]:
    """A server that closes every socket after LIFETIME_SECONDS (4000): clients reconnect."""
    chromium()
    env = SERVED | {"SALON_WS_MAX_LIFETIME_SECONDS": str(LIFETIME_SECONDS)}
    with serving(settings.database_url, env=env) as served:
        yield served


async def test_the_page_resumes_after_its_socket_is_dropped(
    short_lived_server: Server,
    browser: Browser,
    world: World,
    brand: int,
) -> None:
    vera = await world.person(brand, 7, name="Vera Visitor")
    ada = await world.person(brand, 0, name="Ada Lovelace")
    chatroom = await world.chatroom(vera, ada)
    async with visit(browser, short_lived_server.base_url) as seen:
        sockets: list[WebSocket] = []
        seen.page.on("websocket", lambda socket: sockets.append(socket))
        page = await open_chat(seen, short_lived_server, ada, chatroom)
        first = sockets[0]
        closed = asyncio.Event()
        first.on("close", lambda _: closed.set())
        await asyncio.wait_for(closed.wait(), LIFETIME_SECONDS * 3)
        # Written while the page has no socket, to the server that holds it (the in-process app
        # has a broker of its own): only the resume can bring it.
        async with httpx.AsyncClient(base_url=short_lived_server.base_url) as http:
            sent = await http.post(
                f"/chat/chatrooms/{chatroom}/messages",
                headers=vera.headers,
                json={"id_ambassador": vera.id, "content": "Sent while away", "type_message": 0},
            )
        assert sent.status_code == 201, sent.text
        await expect(message(page, "Sent while away")).to_have_count(1)
        resumed = sockets[1].url
        assert "after=" in resumed
        assert "epoch=" in resumed
        await expect(page.locator("#connection")).to_have_text("Live")
        await seen.assert_clean()


async def test_a_token_link_signs_in_only_where_the_server_allows_it(
    settings: Settings, browser: Browser, world: World, brand: int
) -> None:
    """Without SALON_UI_TOKEN_LINKS (the demo's), a link carrying someone's token would sign a
    shopper's tab in as that someone, who would read what the shopper then writes: the page
    ignores it (and still takes it out of the address)."""
    attacker = await world.person(brand, 8, name="Guest Attacker")
    with serving(settings.database_url) as plain:
        async with visit(browser, plain.base_url) as seen:
            seen.expected_errors.append("401")  # the page asks who is signed in: nobody
            page = seen.page
            await page.goto(f"{plain.base_url}/ui/chat#token={attacker.token}")
            await expect(page.get_by_label("Email", exact=True)).to_be_visible()
            assert "token=" not in page.url
            assert await page.evaluate("sessionStorage.length") == 0
            assert await page.locator("#who").inner_text() == ""
            await seen.assert_clean()
