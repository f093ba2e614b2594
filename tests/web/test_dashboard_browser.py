"""/ui/ratings, brand staff's ratings dashboard, in a real headless Chromium against a real
`salon serve`: what the page shows is what the API says (figures, the ranking in the Wilson
order, the latest low scores with their conversation, the chart's figures by day, week and
month), the CSV export downloads the API's rows, someone who is not staff is told so, and the
page loads nothing from elsewhere, breaks no rule of its CSP, logs no error, passes axe-core's
WCAG 2 A/AA rules and does not scroll sideways on a phone.

The ratings are made through the HTTP API (the `client` fixture: the in-process app on the same
SQLite database as the served process); only their dates are moved back, by SQL, to spread
them over the range. Pages do not depend on the engine: SQLite only.
"""

import asyncio
import csv
import io
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, expect

from salon.clock import utcnow
from tests.browser import PHONE, screenshot
from tests.browser import visit as visiting
from tests.ratings.helpers import pending_request, submit
from tests.served import Server
from tests.support import Person, World, run_sql

pytestmark = pytest.mark.sqlite_only

COMPLAINT = "Nobody answered my question about sizes <b>for days</b>"
STAFF_ONLY = "This dashboard is for brand staff"


@dataclass(frozen=True)
class Brand:
    manager: Person
    steady: Person  # many 4s and 5s, one 1 (with a comment) and one 0: avg 3.5
    lucky: Person  # one 5, from a guest: avg 5.0, but little evidence
    visitor: Person
    complaint_room: int  # where the 1 with a comment was given


SHOPPERS = itertools.cycle(
    ["Vera Visitor", "Sam Shopper", "Lea Durand", "Tom Weber", "Ines Costa", "Noah Petit"]
)


async def rate(
    client: httpx.AsyncClient,
    app: FastAPI,
    world: World,
    brand: int,
    rated: Person,
    value: int | None,
    days_ago: int,
    comment: str | None = None,
    status: int = 7,
) -> tuple[int, Person]:
    """A new visitor (a shop customer, or `status`) asked (by `rated`) to rate `rated`,
    answering `value` (None: never), the request dated `days_ago` days back.
    (chatroom, visitor)."""
    visitor = await world.person(brand, status=status, name=next(SHOPPERS))
    room = await world.chatroom(visitor, rated)
    id_rating = await pending_request(client, room, rated)
    if value is not None:
        response = await submit(client, id_rating, visitor, {"value": value, "content": comment})
        assert response.status_code == 200, response.text
    when = utcnow() - timedelta(days=days_ago)
    sql = "UPDATE rating SET date_insert = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": when, "id": id_rating})
    return room, visitor


@pytest.fixture
async def rated_brand(client: httpx.AsyncClient, app: FastAPI, world: World) -> Brand:
    brand = await world.brand("Maison Verte")
    manager = await world.person(brand, status=5, name="Mona Manager")
    steady = await world.person(brand, status=0, name="Ada Lovelace")
    lucky = await world.person(brand, status=0, name="Bruno Martin")
    for value, days_ago in [(5, 1), (5, 3), (5, 9), (4, 9), (4, 16), (4, 20), (0, 2)]:
        await rate(client, app, world, brand, steady, value, days_ago)
    await rate(client, app, world, brand, steady, None, 4)  # asked, never answered
    room, visitor = await rate(client, app, world, brand, steady, 1, 0, COMPLAINT)
    await rate(client, app, world, brand, lucky, 5, 5, status=8)  # from a guest
    return Brand(manager, steady, lucky, visitor, room)


async def api(client: httpx.AsyncClient, caller: Person, path: str, **query: Any) -> Any:
    response = await client.get(path, headers=caller.headers, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def expected_rows(series: list[dict[str, Any]], by: str) -> list[tuple[str, int, int, str]]:
    """(period, asked, given, average) as the page's table should write them: weeks are ISO
    weeks (from Monday), months calendar months, the average weighted by ratings given."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for day in series:
        moment = date.fromisoformat(day["date"])
        if by == "week":
            year, week, _ = moment.isocalendar()
            key = f"{year}-W{week:02d}"
        elif by == "month":
            key = day["date"][:7]
        else:
            key = day["date"]
        groups.setdefault(key, []).append(day)
    rows = []
    for key, days in groups.items():
        given = sum(d["nb_ratings"] for d in days)
        total = sum(d["avg_rating"] * d["nb_ratings"] for d in days if d["nb_ratings"])
        period = key if by == "day" else f"{key} ({days[0]['date']} to {days[-1]['date']})"
        average = f"{total / given:.2f}" if given else "none yet"
        rows.append((period, sum(d["nb_asked_ratings"] for d in days), given, average))
    return rows


async def table_rows(page: Page) -> list[tuple[str, int, int, str]]:
    cells: list[list[str]] = await page.eval_on_selector_all(
        "#series-table tbody tr",
        "rows => rows.map(r => [...r.children].map(c => c.textContent))",
    )
    return [(p, int(asked), int(given), average) for p, asked, given, average in cells]


def percent_of(text: str) -> float:
    assert text.endswith("%"), text
    return float(text.removesuffix("%")) / 100


async def figure(page: Page, key: str) -> str:
    return (await page.locator(f'dd[data-figure="{key}"]').inner_text()).strip()


async def open_dashboard(page: Page, server: Server, person: Person) -> None:
    await page.goto(f"{server.base_url}/ui/ratings#token={person.token}")
    await expect(page.locator("#dashboard-status")).to_contain_text("Ratings asked from")


async def show(page: Page, by: str, rows: int) -> None:
    await page.select_option("#filter-by", by)
    await page.click("#apply")
    await expect(page.locator("#series-table tbody tr")).to_have_count(rows)


async def download_csv(page: Page) -> tuple[str, str]:
    """(suggested file name, text) of what the Export CSV button downloads."""
    async with page.expect_download() as info:
        await page.click("#export")
    download = await info.value
    saved = await asyncio.to_thread(Path(await download.path()).read_bytes)
    return download.suggested_filename, saved.decode("utf-8")  # as sent: CRLF line ends


async def test_the_dashboard_shows_what_the_api_says(
    server: Server,
    browser: Browser,
    client: httpx.AsyncClient,
    rated_brand: Brand,
    tmp_path: Path,
) -> None:
    manager = rated_brand.manager
    stats = await api(client, manager, "/chat/ratings/stats")
    board = await api(client, manager, "/chat/ratings/leaderboard")
    assert (stats["nb_asked_ratings"], stats["nb_ratings"]) == (10, 9)

    async with visiting(browser, server.base_url) as visit:
        page = visit.page
        await open_dashboard(page, server, manager)
        assert "token" not in page.url  # api.js took it from the fragment

        # The figures, as the API computes them.
        assert await figure(page, "average") == f"{stats['avg_rating']:.2f}"
        assert await figure(page, "given") == "9 / 10"
        for key, name in [
            ("response", "response_rate"),
            ("satisfied", "share_satisfied"),
            ("wilson", "wilson_lower_bound"),
        ]:
            assert percent_of(await figure(page, key)) == pytest.approx(stats[name], abs=5e-4)

        # The distribution, each count written as text.
        for value, count in stats["distribution"].items():
            bar = page.locator(f'#distribution li[data-score="{value}"] .bar-value')
            assert (await bar.inner_text()).startswith(f"{count} ("), value

        # The ranking: the Wilson order, the steady ambassador above the one lucky 5 (whose
        # average is higher).
        ranked = [
            int(x)
            for x in await page.eval_on_selector_all(
                "#ranking-table tbody tr", "rows => rows.map(r => r.dataset.ambassador)"
            )
        ]
        assert ranked == [entry["id_ambassador"] for entry in board["data"]]
        assert ranked == [rated_brand.steady.id, rated_brand.lucky.id]
        assert board["data"][0]["avg_rating"] < board["data"][1]["avg_rating"]
        first = page.locator("#ranking-table tbody tr").first
        assert await first.locator("th").inner_text() == "Ada Lovelace"
        assert "8 / 9" in await first.inner_text()
        # Ranked on shop customers' ratings only, the guest's 5 leaves; the figures stay.
        await page.select_option("#filter-raters", "customers")
        await page.click("#apply")
        await expect(page.locator("#ranking-table tbody tr")).to_have_count(1)
        assert "raters=customers" in page.url
        await page.select_option("#filter-raters", "visitors")
        await page.click("#apply")
        await expect(page.locator("#ranking-table tbody tr")).to_have_count(2)

        # The latest low scores, newest first: the comment, as text, and its conversation.
        low = page.locator("#low-scores li")
        await expect(low).to_have_count(2)
        newest = low.first
        assert await newest.locator(".comment").inner_text() == COMPLAINT
        assert "1 / 5" in await newest.inner_text()
        link = newest.get_by_role("link")
        assert await link.get_attribute("href") == f"/ui/chat#chatroom={rated_brand.complaint_room}"
        assert "No comment." in await low.nth(1).inner_text()

        # The chart is drawn (Chart.js on the canvas: some pixel painted)...
        painted = await page.evaluate(
            """() => {
              const canvas = document.getElementById("chart");
              const { width, height } = canvas;
              const pixels = canvas.getContext("2d").getImageData(0, 0, width, height);
              return width > 0 && pixels.data.some((channel) => channel !== 0);
            }"""
        )
        assert painted
        assert await page.get_attribute("#chart", "role") == "img"
        assert "per day" in (await page.get_attribute("#chart", "aria-label") or "")
        # ... and its figures are in the table: a row a day, then a week, then a month.
        days = expected_rows(stats["series"], "day")
        assert len(days) == 30
        assert await table_rows(page) == days
        await page.click(".chart-data summary")
        weeks = expected_rows(stats["series"], "week")
        await show(page, "week", len(weeks))
        await expect(page.locator("#series-table")).to_be_visible()  # still open
        assert await table_rows(page) == weeks
        assert "per week" in (await page.get_attribute("#chart", "aria-label") or "")
        assert "by=week" in page.url  # the filters are in the address
        await screenshot(page, "dashboard", tmp_path)
        assert await visit.accessibility() == []

        months = expected_rows(stats["series"], "month")
        await show(page, "month", len(months))
        assert await table_rows(page) == months

        # Reloading the address gives the same view (the token stays in the tab's session).
        await page.reload()
        await expect(page.locator("#dashboard-status")).to_contain_text("Ratings asked from")
        assert await page.input_value("#filter-by") == "month"
        assert await page.locator("#series-table tbody tr").count() == len(months)

        # The CSV export: the API's own rows for the range, downloaded.
        name, text = await download_csv(page)
        assert name == f"ratings-{stats['date_from']}-to-{stats['date_to']}.csv"
        query = {"filter[date_from]": stats["date_from"], "filter[date_to]": stats["date_to"]}
        exported = await client.get("/chat/ratings/export", headers=manager.headers, params=query)
        assert text == exported.text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 10
        assert COMPLAINT in [row["content"] for row in rows]
        # With the export's filters: the low scores only.
        for value in ("0", "1", "2"):
            await page.check(f"#filter-value-{value}")
        _, text = await download_csv(page)
        low_rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(row["value"] for row in low_rows) == ["0", "1"]
        await expect(page.locator("#dashboard-status")).to_have_text(
            "The CSV export is downloaded."
        )

        # Another range, from the form: the figures follow.
        week_ago = (utcnow() - timedelta(days=6)).date().isoformat()
        await page.fill("#filter-date-from", week_ago)
        await page.click("#apply")
        await expect(page.locator('dd[data-figure="given"]')).to_have_text("5 / 6")
        assert f"date_from={week_ago}" in page.url
        await expect(page.locator("#ranking-table tbody tr")).to_have_count(2)

        # A range the API refuses: its sentence is shown, the page stays usable.
        visit.expected_errors.append("422")  # the console's note of the refused load
        await page.fill("#filter-date-to", (utcnow() - timedelta(days=10)).date().isoformat())
        await page.click("#apply")
        await expect(page.locator("#dashboard-status")).to_contain_text(
            "The date_from filter must not be after date_to."
        )
        assert await page.get_attribute("#dashboard-status", "class") == "error"

        await visit.assert_clean()


async def test_on_a_phone_the_page_is_one_column(
    server: Server, browser: Browser, rated_brand: Brand, tmp_path: Path
) -> None:
    async with visiting(browser, server.base_url, PHONE) as visit:
        page = visit.page
        await open_dashboard(page, server, rated_brand.manager)
        await screenshot(page, "dashboard-phone", tmp_path)
        # One column: the sections sit one under another, each as wide as the page allows.
        lefts = await page.eval_on_selector_all(
            "main section", "nodes => nodes.map(n => Math.round(n.getBoundingClientRect().left))"
        )
        assert len(set(lefts)) == 1, lefts
        # No sideways scrolling of the page, the wide tables open too (they scroll in their
        # own wrapper, which the keyboard can reach).
        await page.click(".chart-data summary")
        await expect(page.locator("#series-table")).to_be_visible()
        width = "() => [document.documentElement.scrollWidth, window.innerWidth]"
        scroll_width, inner_width = await page.evaluate(width)
        assert scroll_width <= inner_width
        wrapper = page.locator("#ranking .table-scroll")
        assert await wrapper.evaluate("node => node.scrollWidth > node.clientWidth")
        assert await wrapper.get_attribute("tabindex") == "0"
        assert await visit.accessibility() == []
        await visit.assert_clean()


async def test_someone_not_staff_is_told_so(
    server: Server, browser: Browser, rated_brand: Brand
) -> None:
    for person in (rated_brand.steady, rated_brand.visitor):
        async with visiting(browser, server.base_url) as visit:
            page = visit.page
            await page.goto(f"{server.base_url}/ui/ratings#token={person.token}")
            await expect(page.locator("#not-staff h2")).to_have_text(STAFF_ONLY)
            assert await page.locator("#filters-heading").count() == 0
            assert await visit.accessibility() == []
            await visit.assert_clean()


async def test_without_a_token_the_sign_in_form_shows(server: Server, browser: Browser) -> None:
    async with visiting(browser, server.base_url) as visit:
        page = visit.page
        # GET /widget/me answers 401 without a token: the console reports the failed load.
        visit.expected_errors.append("401")
        await page.goto(f"{server.base_url}/ui/ratings")
        await expect(page.locator("#signin-heading")).to_have_text(
            "Sign in to see the ratings dashboard"
        )
        assert await visit.accessibility() == []
        await visit.assert_clean()
