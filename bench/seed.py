"""Bulk seeding for the HTTP bench, in plain SQL on a migrated database (no API, no ORM).

Hundreds of thousands of chatrooms in tens of seconds: rows are generated with ids computed
ahead and written with `executemany` (SQLite, one transaction) or `COPY` (asyncpg), then
PostgreSQL's sequences are moved past them and its tables vacuumed and analysed, as autovacuum
would do in production (and would otherwise do during the first measured runs).

Every chatroom is one-to-one: a visitor of its own and one of `HOSTS` ambassadors (each with a
token), who serve many visitors as they do in a shop. Its history is `history` messages,
alternately from the visitor and the ambassador, every third one a rating the visitor gave;
each rating but the last was superseded when the next was asked (one open rating per
chatroom, rater and rated).
"""

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from salon.auth.tokens import generate_token, hash_token

Rows = Iterable[tuple[Any, ...]]

AMBASSADOR = 0
CLIENT = 7
TEXT = 0
RATING = 2


@dataclass(frozen=True)
class Room:
    id_chatroom: int
    visitor_id: int
    ambassador_id: int
    ambassador_token: str


def rated_steps(history: int) -> range:
    """The steps of a history that are ratings: every third message."""
    return range(2, history, 3)


def exchange_after_last_rating(history: int) -> bool:
    """Both have posted a message since the last rating of such a history (so the ambassador
    may ask the visitor again: Salon's rule of a new exchange)."""
    ratings = rated_steps(history)
    if not ratings:
        return True
    after = range(ratings[-1] + 1, history)
    return {n % 2 for n in after} == {0, 1}


@dataclass(frozen=True)
class Plan:
    """Which ids the seed gives to what, computed before any row is written."""

    brand: int
    first_ambassador: int
    first_token: int
    first_chatroom: int
    first_message: int
    first_rating: int
    hosts: int
    histories: list[int]
    start: datetime

    @property
    def host_ids(self) -> range:
        return range(self.first_ambassador, self.first_ambassador + self.hosts)

    def rooms(self) -> Iterator[tuple[int, int, int, int, int, int]]:
        """(id_chatroom, visitor, host, first message id, first rating id, history)."""
        message, rating = self.first_message, self.first_rating
        visitor = self.first_ambassador + self.hosts
        for k, history in enumerate(self.histories):
            host = self.first_ambassador + k % self.hosts
            yield self.first_chatroom + k, visitor + k, host, message, rating, history
            message += history
            rating += len(rated_steps(history))


class Writer:
    """Rows of Python values (aware datetimes, bools) into one engine's tables."""

    async def max_id(self, table: str, column: str) -> int:
        raise NotImplementedError

    async def write(self, table: str, columns: tuple[str, ...], rows: Rows) -> None:
        raise NotImplementedError

    async def finish(self, sequences: list[tuple[str, str]]) -> None:
        raise NotImplementedError

    def stamp(self, when: datetime) -> Any:
        return when


class SQLiteWriter(Writer):
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        # The rows are consistent by construction (off is also sqlite3's default).
        self.db.execute("PRAGMA foreign_keys=OFF")
        self.db.execute("BEGIN")

    async def max_id(self, table: str, column: str) -> int:
        row = self.db.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()  # noqa: S608
        return int(row[0])

    async def write(self, table: str, columns: tuple[str, ...], rows: Rows) -> None:
        marks = ", ".join("?" * len(columns))
        self.db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )

    async def finish(self, sequences: list[tuple[str, str]]) -> None:
        self.db.execute("COMMIT")
        self.db.close()

    def stamp(self, when: datetime) -> Any:
        """SQLite holds naive UTC text, as Salon's UTCDateTime writes it."""
        return when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class PostgresWriter(Writer):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.transaction = conn.transaction()

    @classmethod
    async def open(cls, url: str) -> "PostgresWriter":
        writer = cls(await asyncpg.connect(url))
        await writer.transaction.start()
        if await writer.conn.fetchval("SHOW is_superuser") == "on":
            # The rows are consistent by construction: skip the foreign-key triggers, which
            # cost two thirds of the load (SQLite's connection does not check them either).
            await writer.conn.execute("SET LOCAL session_replication_role = replica")
        return writer

    async def max_id(self, table: str, column: str) -> int:
        return int(await self.conn.fetchval(f"SELECT coalesce(max({column}), 0) FROM {table}"))  # noqa: S608

    async def write(self, table: str, columns: tuple[str, ...], rows: Rows) -> None:
        await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def finish(self, sequences: list[tuple[str, str]]) -> None:
        for table, column in sequences:
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                f"(SELECT max({column}) FROM {table}))"
            )
        await self.transaction.commit()
        # What autovacuum would do to freshly loaded tables, done now: left to it, it vacuums
        # and analyses millions of new rows during the first measured runs.
        await self.conn.execute("VACUUM (ANALYZE)")
        await self.conn.close()


async def open_writer(url: str) -> Writer:
    if url.startswith("sqlite"):
        return SQLiteWriter(url.split(":///", 1)[1])
    return await PostgresWriter.open(driver_url(url))


def driver_url(url: str) -> str:
    """A Salon database URL as asyncpg takes it."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


SEQUENCES = [
    ("brand", "id_brand"),
    ("ambassador", "id_ambassador"),
    ("api_token", "id_api_token"),
    ("chatroom", "id_chatroom"),
    ("message", "id_message"),
    ("rating", "id_rating"),
]
AMBASSADOR_COLUMNS = (
    "id_ambassador", "id_brand", "firstname", "lastname", "email", "active", "status",
    "anonymized", "date_insert", "date_update",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "id_message", "id_brand", "id_chatroom", "id_ambassador", "type_message", "content",
    "status_moderation", "active", "date_insert", "date_update",
)  # fmt: skip
RATING_COLUMNS = (
    "id_rating", "id_brand", "id_chatroom", "id_message", "id_user_rater", "id_user_rated",
    "value", "content", "date_insert", "date_update", "date_rated", "date_supersede",
)  # fmt: skip


async def seed(url: str, histories: list[int], hosts: int) -> list[Room]:
    """One chatroom per entry of `histories` (its number of messages), in that order."""
    writer = await open_writer(url)
    first = {table: await writer.max_id(table, column) + 1 for table, column in SEQUENCES}
    plan = Plan(
        brand=first["brand"],
        first_ambassador=first["ambassador"],
        first_token=first["api_token"],
        first_chatroom=first["chatroom"],
        first_message=first["message"],
        first_rating=first["rating"],
        hosts=hosts,
        histories=histories,
        start=datetime.now(UTC) - timedelta(days=1),
    )
    tokens = [generate_token() for _ in range(hosts)]
    at = writer.stamp
    start = at(plan.start)
    steps = max(histories, default=0) + 1
    when = [at(plan.start + timedelta(seconds=n)) for n in range(steps)]
    text = [f"Message {n}: is this in stock in size 38?" for n in range(steps)]

    await writer.write(
        "brand",
        ("id_brand", "label", "date_insert"),
        [(plan.brand, f"bench {plan.brand}", start)],
    )
    hosts_rows = [
        (host, plan.brand, "Hugo", "Ambassador", f"hugo{host}@example.com", 1, AMBASSADOR)
        for host in plan.host_ids
    ]
    visitors_rows = (
        (visitor, plan.brand, "Vera", "", f"vera{visitor}@example.com", 1, CLIENT)
        for _, visitor, *_ in plan.rooms()
    )
    for people in (hosts_rows, visitors_rows):
        rows = ((*person, False, start, start) for person in people)
        await writer.write("ambassador", AMBASSADOR_COLUMNS, rows)
    await writer.write(
        "api_token",
        ("id_api_token", "id_brand", "id_ambassador", "token_hash", "label", "date_insert"),
        [
            (plan.first_token + n, plan.brand, host, hash_token(token), "bench", start)
            for n, (host, token) in enumerate(zip(plan.host_ids, tokens, strict=True))
        ],
    )
    await writer.write(
        "chatroom",
        ("id_chatroom", "id_brand", "type_chatroom", "type_discussion", "source", "date_insert",
         "last_message_date"),
        ((room, plan.brand, 0, 2, 0, start, when[history]) for room, *_, history in plan.rooms()),
    )  # fmt: skip
    await writer.write(
        "chatroom_ambassador",
        ("id_chatroom", "id_ambassador", "id_brand", "is_blocked", "archived", "date_insert"),
        (
            (room, person, plan.brand, False, False, start)
            for room, visitor, host, *_ in plan.rooms()
            for person in (visitor, host)
        ),
    )
    await writer.write("message", MESSAGE_COLUMNS, _messages(plan, when, text))
    await writer.write("rating", RATING_COLUMNS, _ratings(plan, when))
    await writer.finish(SEQUENCES)
    token_of = dict(zip(plan.host_ids, tokens, strict=True))
    return [Room(room, visitor, host, token_of[host]) for room, visitor, host, *_ in plan.rooms()]


def _messages(plan: Plan, when: list[Any], text: list[str]) -> Iterator[tuple[Any, ...]]:
    for room, visitor, host, message, _, history in plan.rooms():
        for n in range(history):
            rating = n % 3 == 2
            yield (
                message + n,
                plan.brand,
                room,
                (visitor, host)[n % 2],
                RATING if rating else TEXT,
                "" if rating else text[n],
                0,
                True,
                when[n],
                when[n],
            )


def _ratings(plan: Plan, when: list[Any]) -> Iterator[tuple[Any, ...]]:
    for room, visitor, host, message, rating, history in plan.rooms():
        steps = rated_steps(history)
        for k, n in enumerate(steps):
            superseded = when[steps[k + 1]] if k + 1 < len(steps) else None
            yield (
                rating + k,
                plan.brand,
                room,
                message + n,
                visitor,
                host,
                n % 6,
                "Very helpful",
                when[n],
                when[n],
                when[n],
                superseded,
            )


async def count_ratings_after(url: str, id_rating: int) -> int:
    """How many ratings have an id above `id_rating` (cheap: a range of the primary key)."""
    query = "SELECT count(*) FROM rating WHERE id_rating > "
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split(":///", 1)[1])) as db:
            return int(db.execute(query + "?", (id_rating,)).fetchone()[0])
    conn = await asyncpg.connect(driver_url(url))
    try:
        return int(await conn.fetchval(query + "$1", id_rating))
    finally:
        await conn.close()


async def last_rating_id(url: str) -> int:
    query = "SELECT coalesce(max(id_rating), 0) FROM rating"
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split(":///", 1)[1])) as db:
            return int(db.execute(query).fetchone()[0])
    conn = await asyncpg.connect(driver_url(url))
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()
