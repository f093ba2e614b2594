"""The rater's page, `/r/{token}`, in a real headless Chromium on a phone-sized screen: a real
`salon serve` on the test database, the link as the brand's mailer receives it (the
`rating.requested` webhook, delivered by the in-process app to a real receiver), and what the
page shows in each state: the form, the thanks, the link expired, withdrawn, unknown, a refused
answer, too many attempts, the server out of reach. Each state: no request to another host, no
CSP violation, no unexpected console error, no axe-core violation, no sideways scrolling.

The page does not depend on the engine: SQLite only.
"""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Request, Route, expect

from salon.clock import utcnow
from salon.config import Settings
from tests.browser import PHONE, Visit, screenshot
from tests.browser import visit as visiting
from tests.ratings.helpers import asked_with_link
from tests.served import Server, serving
from tests.support import Person, World, run_sql
from tests.web.conftest import SERVED
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.sqlite_only

EXPIRED = "This rating link has expired."
WITHDRAWN = "This rating is no longer available."
# What Chromium logs for an answer the page shows on purpose.
LOGGED = {status: f"the server responded with a status of {status}" for status in (404, 410, 422)}


@pytest.fixture
async def brand(world: World) -> int:
    """Named, as the page shows it (and the README's screenshot)."""
    return await world.brand("Maison Verte")


@pytest.fixture
async def ambassador(world: World, brand: int) -> Person:
    return await world.person(brand, status=0, name="Ada Lovelace")


@pytest.fixture
async def visit(server: Server, browser: Browser) -> AsyncIterator[Visit]:
    """A fresh browser context (no cache, no storage) on a phone-sized screen."""
    async with visiting(browser, server.base_url, PHONE) as seen:
        yield seen


async def linked(
    client: httpx.AsyncClient, mailer: Receiver, chatroom: int, asker: Person
) -> dict[str, Any]:
    """The rating as the mailer receives it, with the rater's `link`: the ambassador asks the
    visitor of the one-to-one chatroom."""
    rating: dict[str, Any] = (await asked_with_link(client, mailer, chatroom, asker))["rating"]
    assert rating["link"]["token"]
    return rating


async def read(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """The rating as the API has it (`GET /public/ratings/{token}`)."""
    response = await client.get(f"/public/ratings/{token}")
    assert response.status_code == 200, response.text
    rating: dict[str, Any] = response.json()["rating"]
    return rating


async def names(client: httpx.AsyncClient, token: str) -> tuple[str, str]:
    """The brand's label and the asker's first name, as the page should show them."""
    response = await client.get(f"/public/ratings/{token}")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["brand"]["label"], body["rated"]["firstname"]


async def open_link(visit: Visit, server: Server, token: str) -> Page:
    page = visit.page
    await page.goto(f"{server.base_url}/r/{token}")
    await page.locator("h1").wait_for()
    return page


async def pick(page: Page, score: int) -> None:
    """A tap on the score, as on a phone: the radio is drawn by its label."""
    await page.locator(f'label[for="score-{score}"]').click()
    await expect(page.get_by_role("radio", name=str(score))).to_be_checked()


async def heading(page: Page) -> str:
    return (await page.locator("h1").inner_text()).strip()


async def focused(page: Page) -> str:
    """The focused element's id."""
    return str(await page.evaluate("document.activeElement && document.activeElement.id"))


async def assert_sound(visit: Visit) -> None:
    """The state shown: clean, accessible, no sideways scrolling on the phone."""
    await visit.assert_clean()
    assert await visit.accessibility() == []
    wide = await visit.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the page scrolls sideways: {wide}"


async def test_the_rater_picks_a_score_with_the_keyboard_comments_and_is_thanked(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
    tmp_path: Path,
) -> None:
    token = (await linked(client, mailer, chatroom, ambassador))["link"]["token"]
    label, firstname = await names(client, token)
    page = await open_link(visit, server, token)

    assert await heading(page) == label
    await expect(page.get_by_text(f"{firstname} asks how your conversation went.")).to_be_visible()
    assert await page.title() == f"Rate your conversation with {label} - Salon"
    await expect(page.get_by_role("group", name="Your score, from 0 to 5")).to_be_visible()
    await expect(page.get_by_text("0 means very poor, 5 means excellent.")).to_be_visible()
    assert await page.get_by_role("radio", checked=True).count() == 0
    await expect(page.get_by_role("button", name="Send")).to_be_visible()
    await assert_sound(visit)
    await screenshot(page, "rating-page", tmp_path)

    # The keyboard only: the first score, arrows to 4, Tab to the comment, Tab to Send.
    await page.get_by_role("radio", name="0").focus()
    for _ in range(4):
        await page.keyboard.press("ArrowRight")
    assert await focused(page) == "score-4"
    await page.keyboard.press("Tab")
    assert await focused(page) == "comment"
    comment = "Quick answers, and the size fits."
    await page.keyboard.type(comment)
    await expect(page.get_by_text(f"{len(comment)} of 2000 characters")).to_be_visible()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert await focused(page) == "thanks-title"  # a screen reader says it at once
    assert await page.title() == "Thank you - Salon"
    await expect(page.get_by_text(f"You gave {firstname} a score of 4 out of 5.")).to_be_visible()
    await expect(page.locator("blockquote")).to_have_text(comment)
    await expect(page.get_by_role("button", name="Change my rating")).to_be_visible()
    await assert_sound(visit)
    await screenshot(page, "rating-page-thanks", tmp_path)

    rating = await read(client, token)
    assert (rating["value"], rating["content"]) == (4, comment)


async def test_a_rater_who_has_rated_sees_their_answer_and_changes_it(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
) -> None:
    token = (await linked(client, mailer, chatroom, ambassador))["link"]["token"]
    answered = await client.put(f"/public/ratings/{token}", json={"value": 2, "content": "Slow"})
    assert answered.status_code == 200, answered.text
    page = await open_link(visit, server, token)

    await expect(page.get_by_text("You gave 2 out of 5.", exact=False)).to_be_visible()
    await expect(page.get_by_role("radio", name="2")).to_be_checked()
    await expect(page.get_by_label("Your comment (optional)")).to_have_value("Slow")
    await expect(page.get_by_role("button", name="Update")).to_be_visible()
    await assert_sound(visit)

    await pick(page, 5)
    await page.get_by_label("Your comment (optional)").fill("Slow, but worth it")
    await page.get_by_role("button", name="Update").click()
    await expect(page.get_by_text("a score of 5 out of 5.", exact=False)).to_be_visible()
    rating = await read(client, token)
    assert (rating["value"], rating["content"]) == (5, "Slow, but worth it")

    # From the thanks, back to the form with the answer given: the score's radio has focus.
    await page.get_by_role("button", name="Change my rating").click()
    await expect(page.get_by_role("button", name="Update")).to_be_visible()
    assert await focused(page) == "score-5"
    await page.keyboard.press("ArrowLeft")  # 4
    await page.get_by_label("Your comment (optional)").fill("")  # an empty comment clears it
    await page.get_by_role("button", name="Update").click()
    await expect(page.get_by_text("a score of 4 out of 5.", exact=False)).to_be_visible()
    assert await page.locator("blockquote").count() == 0
    await assert_sound(visit)
    rating = await read(client, token)
    assert (rating["value"], rating["content"]) == (4, None)


async def test_an_expired_link_says_so_with_the_apis_sentence(
    app: FastAPI,
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
    tmp_path: Path,
) -> None:
    rating = await linked(client, mailer, chatroom, ambassador)
    sql = "UPDATE rating SET link_expires_at = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": utcnow() - timedelta(seconds=1), "id": rating["id_rating"]})
    visit.expected_errors.append(LOGGED[410])
    page = await open_link(visit, server, rating["link"]["token"])

    assert await heading(page) == "This link no longer works"
    assert await page.title() == "This link no longer works - Salon"
    await expect(page.get_by_text(EXPIRED)).to_be_visible()
    await expect(
        page.get_by_text("ask the shop that sent you this link for a new one")
    ).to_be_visible()
    assert await page.locator("form").count() == 0
    await assert_sound(visit)
    await screenshot(page, "rating-page-expired", tmp_path)


async def test_a_deleted_ratings_link_is_no_longer_available(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    manager: Person,
    server: Server,
    visit: Visit,
) -> None:
    rating = await linked(client, mailer, chatroom, ambassador)
    deleted = await client.delete(f"/chat/ratings/{rating['id_rating']}", headers=manager.headers)
    assert deleted.status_code in (200, 204), deleted.text
    visit.expected_errors.append(LOGGED[410])
    page = await open_link(visit, server, rating["link"]["token"])

    assert await heading(page) == "This link no longer works"
    await expect(page.get_by_text(WITHDRAWN)).to_be_visible()
    await assert_sound(visit)


async def test_the_page_goes_when_the_rating_is_deleted_while_it_is_open(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    manager: Person,
    server: Server,
    visit: Visit,
) -> None:
    rating = await linked(client, mailer, chatroom, ambassador)
    page = await open_link(visit, server, rating["link"]["token"])
    await client.delete(f"/chat/ratings/{rating['id_rating']}", headers=manager.headers)
    visit.expected_errors.append(LOGGED[410])

    await pick(page, 3)
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert await focused(page) == "title"
    await expect(page.get_by_text(WITHDRAWN)).to_be_visible()
    await assert_sound(visit)


@pytest.mark.parametrize(
    ("token", "status"),
    [("slr_" + "x" * 43, 404), ("not%20a%20token", 422)],
    ids=["unknown", "malformed"],
)
async def test_an_unknown_or_malformed_link_is_not_valid(
    token: str, status: int, server: Server, visit: Visit
) -> None:
    visit.expected_errors.append(LOGGED[status])
    page = await open_link(visit, server, token)

    assert await heading(page) == "This link is not valid"
    assert await page.title() == "This link is not valid - Salon"
    await expect(page.get_by_text("it may have been cut")).to_be_visible()
    await assert_sound(visit)


async def test_sending_without_a_score_says_so_next_to_the_choice(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
) -> None:
    token = (await linked(client, mailer, chatroom, ambassador))["link"]["token"]
    page = await open_link(visit, server, token)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method))

    await page.get_by_label("Your comment (optional)").fill("No score yet")
    await page.get_by_role("button", name="Send").click()
    choice = page.get_by_role("group", name="Your score, from 0 to 5")
    await expect(choice).to_have_accessible_description(
        "0 means very poor, 5 means excellent. Pick a score from 0 to 5."
    )
    await expect(page.get_by_role("alert").filter(has_text="Pick a score")).to_be_visible()
    assert await focused(page) == "score-0"
    assert "PUT" not in sent  # the page asked nothing of the API
    await assert_sound(visit)
    assert (await read(client, token))["value"] is None


async def test_a_refused_answer_shows_the_apis_sentence_by_its_field(
    app: FastAPI,
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
) -> None:
    rating = await linked(client, mailer, chatroom, ambassador)
    token = rating["link"]["token"]
    visit.expected_errors.append(LOGGED[422])
    page = await open_link(visit, server, token)

    # A comment over 2000 characters (a client without the textarea's maxlength): the API's
    # sentence under the comment, which it describes, and the comment kept.
    comment = page.get_by_label("Your comment (optional)")
    await comment.evaluate("(node) => node.removeAttribute('maxlength')")
    await comment.fill("x" * 2001)
    await pick(page, 4)
    await page.get_by_role("button", name="Send").click()
    error = page.locator("#comment-error")
    await expect(error).not_to_be_empty()
    sentence = await error.inner_text()
    assert "2000" in sentence
    await expect(comment).to_have_accessible_description(f"2001 of 2000 characters {sentence}")
    await expect(comment).to_have_attribute("aria-invalid", "true")
    assert await focused(page) == "comment"
    await expect(comment).to_have_value("x" * 2001)
    await assert_sound(visit)

    # Rated over the edit window ago: the API's sentence above the button, the form kept.
    await comment.fill("Fine")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    days = app.state.settings.rating_edit_window + timedelta(minutes=1)
    sql = "UPDATE rating SET date_rated = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": utcnow() - days, "id": rating["id_rating"]})
    await page.get_by_role("button", name="Change my rating").click()
    await pick(page, 1)
    await page.get_by_role("button", name="Update").click()
    closed = "The rating can no longer be changed: it was submitted over 14 days ago."
    await expect(page.get_by_role("alert").filter(has_text=closed)).to_be_visible()
    await expect(page.get_by_role("button", name="Update")).to_be_visible()
    await assert_sound(visit)
    assert (await read(client, token))["value"] == 4


async def test_too_many_attempts_says_how_long_to_wait(
    settings: Settings,
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    browser: Browser,
) -> None:
    token = (await linked(client, mailer, chatroom, ambassador))["link"]["token"]
    tight = SERVED | {"SALON_RATING_LINK_ATTEMPTS_PER_MINUTE": "1"}
    with serving(settings.database_url, env=tight) as limited:
        async with visiting(browser, limited.base_url, PHONE) as visit:
            visit.expected_errors.append("the server responded with a status of 429")
            page = await open_link(visit, limited, token)
            await expect(page.get_by_role("button", name="Send")).to_be_visible()
            await page.reload()
            await page.locator("h1").wait_for()

            assert await heading(page) == "Too many attempts"
            assert await page.title() == "Too many attempts - Salon"
            said = await page.get_by_text("Try again in ").inner_text()
            seconds = int(said.removeprefix("Try again in ").split()[0])
            assert 1 <= seconds <= 60, said  # Retry-After's seconds
            await expect(page.get_by_role("button", name="Try again")).to_be_visible()
            await assert_sound(visit)


async def test_the_server_out_of_reach_offers_to_try_again(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    ambassador: Person,
    server: Server,
    visit: Visit,
) -> None:
    token = (await linked(client, mailer, chatroom, ambassador))["link"]["token"]
    page = visit.page
    visit.expected_errors.append("net::ERR_INTERNET_DISCONNECTED")
    api = f"{server.base_url}/public/ratings/**"

    async def offline(route: Route, request: Request) -> None:
        await route.abort("internetdisconnected")

    await page.route(api, offline)
    await page.goto(f"{server.base_url}/r/{token}")
    await expect(page.get_by_role("heading", name="We could not reach the server")).to_be_visible()
    assert await page.title() == "We could not reach the server - Salon"
    await assert_sound(visit)

    await page.unroute(api)
    await page.get_by_role("button", name="Try again").click()
    await expect(page.get_by_role("button", name="Send")).to_be_visible()

    # Sending while out of reach keeps what was written, and says to send again.
    await page.route(api, offline)
    await pick(page, 5)
    await page.get_by_label("Your comment (optional)").fill("Lovely")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("alert").filter(has_text="was not sent")).to_be_visible()
    await expect(page.get_by_label("Your comment (optional)")).to_have_value("Lovely")
    await assert_sound(visit)
    await page.unroute(api)
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert (await read(client, token))["value"] == 5
