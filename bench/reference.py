"""The raw reference server: the cheapest Python we can write for Salon's two hot routes.

    POST /chat/chatrooms/{chatroom}/ratings   rate a chatroom (with or without a value)
    GET  /chat/chatrooms/{chatroom}/messages  a page of messages with authors and ratings

Same database schema (Salon's migrations), same request and response bodies, same checks
(bearer token and account, X-Popsell-Brand, the chatroom's brand, participants and blocks,
the rater/rated rules, and "a rater's voice counts once": one statement finds the open rating
of the (chatroom, rater, rated) and who spoke since, as Salon's `ratings.repository.standing`)
and the same writes (superseding the open rating when asking again is allowed) — but a raw
ASGI callable, the driver called directly (stdlib sqlite3 inline, or an asyncpg pool),
hand-written SQL and orjson. No framework, no ORM, no validation library, no events, no rate
limiting. It answers only what the bench sends; it is a yardstick, not a second implementation.

Run by `bench/http.py` under the same uvicorn as Salon:
    REFERENCE_DATABASE_URL=sqlite:///var/bench.db uvicorn bench.reference:app
"""

import hashlib
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import asyncpg
import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Row = dict[str, Any]

INT32_MAX = 2_147_483_647
ONLINE_WINDOW = timedelta(minutes=5)
LAST_ACTION_REFRESH = timedelta(seconds=60)
STAFF = frozenset({2, 4, 5})
ROUTE = re.compile(r"^/chat/chatrooms/(\d+)/(ratings|messages)$")
PENDING_EXISTS = "A rating request from this rater for this ambassador is already pending."
NOT_TAKEN_PART = "The selected id_user_rated has not taken part in this chatroom yet."
RATED_ALREADY = (
    "This rater has already rated this ambassador in this chatroom: change that rating with "
    "PATCH /chat/ratings/{{rating}}, or ask again after a new exchange of messages (or {days} "
    "days)."
)
COOLDOWN_DAYS = int(os.environ.get("SALON_RATING_REQUEST_COOLDOWN_DAYS", "30"))
COOLDOWN = timedelta(days=COOLDOWN_DAYS)

UNAUTHORIZED = (401, {"message": "Unauthorized."})
FORBIDDEN = (403, {"message": "Forbidden - You don't have permission to access this route"})
NO_CHATROOM = (404, {"message": "Not found - The chatroom does not exist"})
NO_ROUTE = (404, {"message": "Not found"})

AMBASSADOR_COLUMNS = (
    "a.id_ambassador, a.id_brand, a.image, a.firstname, a.lastname, a.username, a.email, "
    "a.email_tmp, a.active, a.status, a.last_action_date, a.customer_id, a.anonymized"
)
MESSAGE_COLUMNS = "m.id_message, m.date_insert, m.content, m.type_message, m.status_moderation"
RETURNED_RATING = (
    "id_rating, date_insert AS r_date_insert, date_update AS r_date_update, "
    "date_delete AS r_date_delete, value, content AS r_content, id_user_rater, id_user_rated"
)
RATING_COLUMNS = (
    "r.id_rating, r.date_insert AS r_date_insert, r.date_update AS r_date_update, "
    "r.date_delete AS r_date_delete, r.value, r.content AS r_content, "
    "r.id_user_rater, r.id_user_rated"
)
# The open rating (neither deleted nor superseded) of a (chatroom, rater, rated), if any, and
# whether the rated took part and each spoke since it was asked, in one row: Salon's
# `_STANDING`. Placeholders: {chatroom}, {rater}, {rated} (numbered: ?1 or $1, ...).
_SPOKE = (
    "EXISTS (SELECT 1 FROM message m WHERE m.id_chatroom = {chatroom} AND m.id_ambassador = {who}"
    " AND m.type_message != 2 AND m.id_message > {since})"
)
STANDING = (
    "SELECT o.id_rating, o.value, o.date_rated, "
    + _SPOKE.format(chatroom="{chatroom}", who="{rated}", since="0")
    + " AS rated_took_part, "
    + _SPOKE.format(chatroom="{chatroom}", who="{rated}", since="coalesce(o.id_message, 0)")
    + " AS rated_spoke_since, "
    + _SPOKE.format(chatroom="{chatroom}", who="{rater}", since="coalesce(o.id_message, 0)")
    + " AS rater_spoke_since "
    "FROM chatroom c LEFT JOIN (SELECT id_rating, value, date_rated, id_message FROM rating "
    "WHERE id_chatroom = {chatroom} AND id_user_rater = {rater} AND id_user_rated = {rated} "
    "AND date_delete IS NULL AND date_supersede IS NULL) o ON 1 = 1 "
    "WHERE c.id_chatroom = {chatroom}"
)
SQLITE_STANDING = STANDING.format(chatroom="?1", rater="?2", rated="?3")
POSTGRES_STANDING = STANDING.format(chatroom="$1", rater="$2", rated="$3")


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


def invalid(field: str, sentence: str) -> Refused:
    return Refused(422, {"message": sentence, "errors": {field: [sentence]}})


# ---- wire -------------------------------------------------------------------------------


def when(value: Any) -> str | None:
    """A stored date-time (SQLite text in UTC, or aware) as 2023-10-09T12:12:40.220000Z."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T") + "Z"
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def micro(row: Row, now: datetime) -> dict[str, Any]:
    last_action = as_datetime(row["last_action_date"])
    return {
        "id_ambassador": row["id_ambassador"],
        "image": row["image"],
        "firstname": row["firstname"],
        "lastname": row["lastname"],
        "username": row["username"],
        "email": row["email"],
        "email_tmp": row["email_tmp"],
        "active": row["active"],
        "status": row["status"],
        "online": last_action is not None and now - last_action < ONLINE_WINDOW,
        "last_action_date": when(row["last_action_date"]),
        "customer_id": row["customer_id"],
        "anonymized": bool(row["anonymized"]),
    }


def rating_out(row: Row) -> dict[str, Any]:
    """A deleted rating keeps its dates and people, not its score or comment (as Salon)."""
    deleted = row["r_date_delete"] is not None
    return {
        "id_rating": row["id_rating"],
        "date_insert": when(row["r_date_insert"]),
        "date_update": when(row["r_date_update"]),
        "date_delete": when(row["r_date_delete"]),
        "value": None if deleted else row["value"],
        "content": None if deleted else row["r_content"],
        "id_user_rater": row["id_user_rater"],
        "id_user_rated": row["id_user_rated"],
    }


def message_out(row: Row, author: Row, now: datetime) -> dict[str, Any]:
    return {
        "id_message": row["id_message"],
        "date_insert": when(row["date_insert"]),
        "author": micro(author, now),
        "content": row["content"],
        "type_message": row["type_message"],
        "status_moderation": row["status_moderation"],
        "rating": rating_out(row) if row["id_rating"] is not None else None,
    }


def read_rating_request(raw: bytes) -> dict[str, Any]:
    """The body's fields with Salon's strict types, ranges and sentences."""
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("body", "The request body must be valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid("body", "The request body must be a JSON object.")
    for field, value in body.items():
        if field not in ("id_user_rated", "id_user_rater", "value", "content"):
            raise invalid(field, f"The {field} field is not allowed.")
        if value is None:
            continue
        if field == "content":
            if not isinstance(value, str):
                raise invalid(field, "The content field must be a string.")
            if len(value) > 2000:
                raise invalid(field, "The content field must not be greater than 2000 characters.")
            continue
        low, high = (0, 5) if field == "value" else (1, INT32_MAX)
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(field, f"The {field} field must be an integer.")
        if value < low:
            raise invalid(field, f"The {field} field must be at least {low}.")
        if value > high:
            raise invalid(field, f"The {field} field must not be greater than {high}.")
    return body


# ---- storage ----------------------------------------------------------------------------


class SQLiteStore:
    """One connection, statements run inline on the event loop (SQLite serialises writers)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("PRAGMA busy_timeout=5000")

    async def close(self) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self, mode: str) -> Iterator[None]:
        self.db.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _rows(self, sql: str, *args: Any) -> list[Row]:
        return [dict(row) for row in self.db.execute(sql, args).fetchall()]

    def _caller(self, token_hash: str, now: datetime) -> Row | None:
        rows = self._rows(
            f"SELECT {AMBASSADOR_COLUMNS} FROM api_token t JOIN ambassador a "
            "ON a.id_ambassador = t.id_ambassador WHERE t.token_hash = ? AND t.date_revoke IS NULL",
            token_hash,
        )
        if not rows:
            return None
        caller = rows[0]
        last_action = as_datetime(caller["last_action_date"])
        if caller["active"] >= 0 and (
            last_action is None or now - last_action >= LAST_ACTION_REFRESH
        ):
            stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")
            self.db.execute(
                "UPDATE ambassador SET last_action_date = ? WHERE id_ambassador = ?",
                (stamp, caller["id_ambassador"]),
            )
            caller["last_action_date"] = stamp
        return caller

    def _participants(self, id_chatroom: int, id_brand: int) -> list[Row]:
        return self._rows(
            f"SELECT c.type_chatroom, p.is_blocked, {AMBASSADOR_COLUMNS} FROM chatroom c "
            "JOIN chatroom_ambassador p ON p.id_chatroom = c.id_chatroom "
            "JOIN ambassador a ON a.id_ambassador = p.id_ambassador "
            "WHERE c.id_chatroom = ? AND c.id_brand = ?",
            id_chatroom,
            id_brand,
        )

    async def rate(
        self,
        token_hash: str,
        brand: str | None,
        id_chatroom: int,
        body: dict[str, Any],
        now: datetime,
    ) -> tuple[Row, Row]:
        with self._transaction("IMMEDIATE"):
            caller = self._caller(token_hash, now)
            room = self._participants(id_chatroom, caller["id_brand"]) if caller else []
            rater, rated, value = check_rating(caller, brand, room, body)
            assert caller is not None
            standing = self._rows(SQLITE_STANDING, id_chatroom, rater, rated)[0]
            superseded = check_voice(standing, caller["id_ambassador"] == rater, now)
            stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")
            if superseded is not None:
                self.db.execute(
                    "UPDATE rating SET date_supersede = ? "
                    "WHERE id_rating = ? AND date_supersede IS NULL",
                    (stamp, superseded),
                )
            author = author_of(caller, room, rated)
            message = self._rows(
                "INSERT INTO message (id_brand, id_chatroom, id_ambassador, type_message, content,"
                " status_moderation, active, date_insert, date_update)"
                " VALUES (?, ?, ?, 2, '', 0, 1, ?, ?) RETURNING *",
                caller["id_brand"],
                id_chatroom,
                author["id_ambassador"],
                stamp,
                stamp,
            )[0]
            try:
                rating = self._rows(
                    "INSERT INTO rating (id_brand, id_chatroom, id_message, id_user_rater,"
                    " id_user_rated, value, content, date_insert, date_update, date_rated)"
                    f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {RETURNED_RATING}",
                    caller["id_brand"],
                    id_chatroom,
                    message["id_message"],
                    rater,
                    rated,
                    value,
                    body.get("content"),
                    stamp,
                    stamp,
                    stamp if value is not None else None,
                )[0]
            except sqlite3.IntegrityError:
                raise invalid("id_user_rater", PENDING_EXISTS) from None
            self.db.execute(
                "UPDATE chatroom SET last_message_date = ? WHERE id_chatroom = ?",
                (stamp, id_chatroom),
            )
        return message | rating, author

    async def messages(
        self,
        token_hash: str,
        brand: str | None,
        id_chatroom: int,
        offset: int,
        limit: int,
        now: datetime,
    ) -> tuple[list[Row], int]:
        with self._transaction("DEFERRED"):
            caller = self._caller(token_hash, now)
            check_reader(
                caller, brand, self._participants(id_chatroom, caller["id_brand"]) if caller else []
            )
            total = self.db.execute(
                "SELECT count(*) FROM message WHERE id_chatroom = ?", (id_chatroom,)
            ).fetchone()[0]
            rows = self._rows(
                f"SELECT {MESSAGE_COLUMNS}, {AMBASSADOR_COLUMNS}, {RATING_COLUMNS} FROM message m "
                "JOIN ambassador a ON a.id_ambassador = m.id_ambassador "
                "LEFT JOIN rating r ON r.id_message = m.id_message WHERE m.id_chatroom = ? "
                "ORDER BY m.date_insert DESC, m.id_message DESC LIMIT ? OFFSET ?",
                id_chatroom,
                limit,
                offset,
            )
        return rows, total


class PostgresStore:
    """An asyncpg pool; the same statements with PostgreSQL placeholders."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str) -> "PostgresStore":
        size = int(os.environ.get("REFERENCE_POOL_SIZE", "10"))
        return cls(await asyncpg.create_pool(url, min_size=size, max_size=size))

    async def close(self) -> None:
        await self.pool.close()

    async def _caller(self, conn: asyncpg.Connection, token_hash: str, now: datetime) -> Row | None:
        row = await conn.fetchrow(
            f"SELECT {AMBASSADOR_COLUMNS} FROM api_token t JOIN ambassador a "
            "ON a.id_ambassador = t.id_ambassador "
            "WHERE t.token_hash = $1 AND t.date_revoke IS NULL",
            token_hash,
        )
        if row is None:
            return None
        caller = dict(row)
        last_action = caller["last_action_date"]
        if caller["active"] >= 0 and (
            last_action is None or now - last_action >= LAST_ACTION_REFRESH
        ):
            await conn.execute(
                "UPDATE ambassador SET last_action_date = $1 WHERE id_ambassador = $2",
                now,
                caller["id_ambassador"],
            )
            caller["last_action_date"] = now
        return caller

    async def _participants(
        self, conn: asyncpg.Connection, id_chatroom: int, id_brand: int
    ) -> list[Row]:
        rows = await conn.fetch(
            f"SELECT c.type_chatroom, p.is_blocked, {AMBASSADOR_COLUMNS} FROM chatroom c "
            "JOIN chatroom_ambassador p ON p.id_chatroom = c.id_chatroom "
            "JOIN ambassador a ON a.id_ambassador = p.id_ambassador "
            "WHERE c.id_chatroom = $1 AND c.id_brand = $2",
            id_chatroom,
            id_brand,
        )
        return [dict(row) for row in rows]

    async def rate(
        self,
        token_hash: str,
        brand: str | None,
        id_chatroom: int,
        body: dict[str, Any],
        now: datetime,
    ) -> tuple[Row, Row]:
        async with self.pool.acquire() as conn, conn.transaction():
            caller = await self._caller(conn, token_hash, now)
            room = await self._participants(conn, id_chatroom, caller["id_brand"]) if caller else []
            rater, rated, value = check_rating(caller, brand, room, body)
            assert caller is not None
            standing = dict(await conn.fetchrow(POSTGRES_STANDING, id_chatroom, rater, rated))
            superseded = check_voice(standing, caller["id_ambassador"] == rater, now)
            if superseded is not None:
                await conn.execute(
                    "UPDATE rating SET date_supersede = $1 "
                    "WHERE id_rating = $2 AND date_supersede IS NULL",
                    now,
                    superseded,
                )
            author = author_of(caller, room, rated)
            message = dict(
                await conn.fetchrow(
                    "INSERT INTO message (id_brand, id_chatroom, id_ambassador, type_message,"
                    " content, status_moderation, active, date_insert, date_update)"
                    " VALUES ($1, $2, $3, 2, '', 0, true, $4, $4) RETURNING *",
                    caller["id_brand"],
                    id_chatroom,
                    author["id_ambassador"],
                    now,
                )
            )
            try:
                rating = dict(
                    await conn.fetchrow(
                        "INSERT INTO rating (id_brand, id_chatroom, id_message, id_user_rater,"
                        " id_user_rated, value, content, date_insert, date_update, date_rated)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)"
                        f" RETURNING {RETURNED_RATING}",
                        caller["id_brand"],
                        id_chatroom,
                        message["id_message"],
                        rater,
                        rated,
                        value,
                        body.get("content"),
                        now,
                        now if value is not None else None,
                    )
                )
            except asyncpg.UniqueViolationError:
                # A concurrent request for the same rater and ambassador committed first.
                raise invalid("id_user_rater", PENDING_EXISTS) from None
            await conn.execute(
                "UPDATE chatroom SET last_message_date = $1 WHERE id_chatroom = $2",
                now,
                id_chatroom,
            )
        return message | rating, author

    async def messages(
        self,
        token_hash: str,
        brand: str | None,
        id_chatroom: int,
        offset: int,
        limit: int,
        now: datetime,
    ) -> tuple[list[Row], int]:
        async with self.pool.acquire() as conn, conn.transaction():
            caller = await self._caller(conn, token_hash, now)
            room = await self._participants(conn, id_chatroom, caller["id_brand"]) if caller else []
            check_reader(caller, brand, room)
            total = await conn.fetchval(
                "SELECT count(*) FROM message WHERE id_chatroom = $1", id_chatroom
            )
            rows = await conn.fetch(
                f"SELECT {MESSAGE_COLUMNS}, {AMBASSADOR_COLUMNS}, {RATING_COLUMNS} FROM message m "
                "JOIN ambassador a ON a.id_ambassador = m.id_ambassador "
                "LEFT JOIN rating r ON r.id_message = m.id_message WHERE m.id_chatroom = $1 "
                "ORDER BY m.date_insert DESC, m.id_message DESC LIMIT $2 OFFSET $3",
                id_chatroom,
                limit,
                offset,
            )
        return [dict(row) for row in rows], total


Store = SQLiteStore | PostgresStore


# ---- rules (Salon's, written out) ---------------------------------------------------------


def check_caller(caller: Row | None, brand: str | None, room: list[Row]) -> Row:
    if caller is None or caller["active"] < 0:
        raise Refused(*UNAUTHORIZED)
    if brand is not None and brand != str(caller["id_brand"]):
        raise Refused(*FORBIDDEN)
    if not room:
        raise Refused(*NO_CHATROOM)
    return caller


def check_reader(caller: Row | None, brand: str | None, room: list[Row]) -> None:
    caller = check_caller(caller, brand, room)
    if caller["status"] not in STAFF and all(
        p["id_ambassador"] != caller["id_ambassador"] for p in room
    ):
        raise Refused(*FORBIDDEN)


def check_rating(
    caller: Row | None, brand: str | None, room: list[Row], body: dict[str, Any]
) -> tuple[int, int, int | None]:
    caller = check_caller(caller, brand, room)
    me, staff = caller["id_ambassador"], caller["status"] in STAFF
    ids = [p["id_ambassador"] for p in room]
    if me not in ids and not staff:
        raise Refused(*FORBIDDEN)
    rated = body.get("id_user_rated") or me
    rater = body.get("id_user_rater")
    if rater is None and room[0]["type_chatroom"] == 0 and len(ids) == 2 and rated in ids:
        rater = ids[0] if ids[1] == rated else ids[1]
    if rated not in ids:
        raise invalid(
            "id_user_rated", "The selected id_user_rated is not a participant of this chatroom."
        )
    if rater is None:
        raise invalid(
            "id_user_rater",
            "The id_user_rater field is required unless the chatroom is one-to-one.",
        )
    if rater not in ids:
        raise invalid(
            "id_user_rater", "The selected id_user_rater is not a participant of this chatroom."
        )
    if rater == rated:
        raise invalid(
            "id_user_rater", "The id_user_rater and id_user_rated fields must be different."
        )
    if me not in (rater, rated) and not staff:
        raise Refused(*FORBIDDEN)
    if any(p["is_blocked"] and p["id_ambassador"] != me for p in room):
        raise Refused(*FORBIDDEN)
    value, content = body.get("value"), body.get("content")
    if (value is not None or content is not None) and me != rater:
        field = "value" if value is not None else "content"
        raise invalid(field, f"Only the rater (id_user_rater) can send the {field} field.")
    if value is None and content is not None:
        raise invalid("value", "The value field is required when content is present.")
    return rater, rated, value


def check_voice(standing: Row, asked_by_rater: bool, now: datetime) -> int | None:
    """A rater's voice counts once (Salon's `_ensure_the_voice_counts_once`): the rater starts
    a rating only where the rated took part; while the open rating is pending nobody asks
    again; once given, asking again needs a new exchange or the cool-down. Returns the open
    rating to supersede, if any."""
    if asked_by_rater and not standing["rated_took_part"]:
        raise invalid("id_user_rated", NOT_TAKEN_PART)
    if standing["id_rating"] is None:
        return None
    if standing["value"] is None:
        raise invalid("id_user_rater", PENDING_EXISTS)
    rated_at = as_datetime(standing["date_rated"])
    cooled_down = rated_at is not None and now - rated_at >= COOLDOWN
    exchanged = standing["rated_spoke_since"] and standing["rater_spoke_since"]
    if not exchanged and not cooled_down:
        raise invalid("id_user_rater", RATED_ALREADY.format(days=COOLDOWN_DAYS))
    return int(standing["id_rating"])


def author_of(caller: Row, room: list[Row], rated: int) -> Row:
    """The caller when a participant (staff may ask on someone's behalf: then the rated)."""
    for wanted in (caller["id_ambassador"], rated):
        for participant in room:
            if participant["id_ambassador"] == wanted:
                return participant
    raise AssertionError("rated is a participant")


# ---- ASGI -------------------------------------------------------------------------------


def bearer(scope: Scope) -> tuple[str | None, str | None]:
    token = brand = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials:
                token = hashlib.sha256(credentials.strip().encode()).hexdigest()
        elif name == b"x-popsell-brand":
            brand = value.decode("latin-1").strip()
    return token, brand


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def page_of(scope: Scope, rows: list[Row], total: int, page: int, per_page: int) -> dict[str, Any]:
    """Laravel's length-aware paginator, as Salon renders it."""
    host = next((v.decode() for k, v in scope["headers"] if k == b"host"), "127.0.0.1")
    path = f"{scope['scheme']}://{host}{scope['path']}"
    query = dict(parse_qsl(scope["query_string"].decode()))
    last = max(1, -(-total // per_page))

    def url(number: int) -> str:
        return f"{path}?{urlencode(query | {'page': number})}"

    def url_if(number: int) -> str | None:
        return url(number) if 1 <= number <= last else None

    shown = [n for n in range(1, last + 1) if n <= 2 or n > last - 2 or abs(n - page) <= 3]
    numbers: list[int] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(0)
        numbers.append(n)
    links = [{"url": url_if(page - 1), "label": "&laquo; Previous", "active": False}]
    links += [
        {"url": url(n) if n else None, "label": str(n) if n else "...", "active": n == page}
        for n in numbers
    ]
    links.append({"url": url_if(page + 1), "label": "Next &raquo;", "active": False})
    first = (page - 1) * per_page + 1
    return {
        "current_page": page,
        "data": rows,
        "first_page_url": url(1),
        "from": first if rows else None,
        "last_page": last,
        "last_page_url": url(last),
        "links": links,
        "next_page_url": url_if(page + 1),
        "path": path,
        "per_page": per_page,
        "prev_page_url": url_if(page - 1),
        "to": first + len(rows) - 1 if rows else None,
        "total": total,
    }


def page_params(scope: Scope) -> tuple[int, int]:
    query = dict(parse_qsl(scope["query_string"].decode()))
    try:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 15))
    except ValueError:
        raise invalid("page", "The page field must be an integer.") from None
    if not 1 <= page <= INT32_MAX or not 1 <= per_page <= 100:
        raise invalid("per_page", "The per_page field must be between 1 and 100.")
    return page, per_page


async def handle(store: Store, scope: Scope, receive: Receive) -> tuple[int, Any]:
    match = ROUTE.match(scope["path"])
    if match is None:
        return NO_ROUTE
    id_chatroom, kind = int(match[1]), match[2]
    if id_chatroom > INT32_MAX:
        raise invalid("chatroom", f"The chatroom field must not be greater than {INT32_MAX}.")
    token, brand = bearer(scope)
    if token is None:
        return UNAUTHORIZED
    now = datetime.now(UTC)
    if kind == "ratings" and scope["method"] == "POST":
        body = await read_body(receive)
        fields = read_rating_request(body)
        message, author = await store.rate(token, brand, id_chatroom, fields, now)
        return 201, message_out(message, author, now)
    if kind == "messages" and scope["method"] == "GET":
        page, per_page = page_params(scope)
        rows, total = await store.messages(
            token, brand, id_chatroom, (page - 1) * per_page, per_page, now
        )
        return 200, page_of(scope, [message_out(r, r, now) for r in rows], total, page, per_page)
    return 405, {"message": "Method Not Allowed."}


async def open_store() -> Store:
    url = os.environ["REFERENCE_DATABASE_URL"]
    if url.startswith("sqlite"):
        return SQLiteStore(url.split(":///", 1)[1])
    return await PostgresStore.open(url.replace("postgresql+asyncpg://", "postgresql://"))


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                scope["state"]["store"] = await open_store()
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                await scope["state"]["store"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    try:
        status, body = await handle(scope["state"]["store"], scope, receive)
    except Refused as refused:
        status, body = refused.status, refused.body
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
