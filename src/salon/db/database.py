"""The data layer Salon serves with: one transaction per request, over the driver itself.

SQLAlchemy describes the schema and drives Alembic; it runs no statement while serving. Its
async execution cost 20x the driver per statement (docs/performance.md), so requests talk to
stdlib `sqlite3` or `asyncpg` through this module, with SQL kept in the repositories as `Query`
objects (`salon.db.query`).

- **SQLite**: one connection per process, called on the event loop (a statement costs less
  than a hop to a thread, and with one connection a thread would buy no concurrency). Every
  transaction takes the write lock up front (`BEGIN IMMEDIATE`): a deferred one that reads and
  then writes fails at once with "database is locked" when another process wrote in between.
- **PostgreSQL**: an asyncpg pool; asyncpg prepares and caches each statement per connection.

Either way, transactions are handed out first come, first served (a fair semaphore in front
of the connections: asyncpg's queue, like SQLAlchemy's pool, lets a newcomer take a connection
released to a waiter, and under load some requests then waited seconds while others passed).

Rows are tuples on SQLite and `asyncpg.Record`s on PostgreSQL; both index and unpack alike.
Date-times are aware UTC `datetime`s and booleans are `bool`s on both: SQLite stores date-times
as naive UTC text and booleans as 0/1, and this module converts both ways.
"""

import asyncio
import contextlib
import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from types import TracebackType
from typing import Any, Protocol, TypeVar

import asyncpg

from salon.db.query import Query

Row = Sequence[Any]
Params = Mapping[str, Any]
NO_PARAMS: Params = {}
# Called with each statement's text before it runs (tests count the statements of a route).
StatementObserver = Callable[[str], None]


class UniqueViolation(Exception):
    """A unique constraint or index refused a write; `constraint` names it when known."""

    def __init__(self, constraint: str | None) -> None:
        super().__init__(constraint)
        self.constraint = constraint


class Transaction(Protocol):
    """What repositories run statements on; services pass it along. `outbox` holds what is
    to be published once the transaction has committed (salon.realtime.outbox)."""

    dialect: str
    outbox: list[Any]

    async def fetch(self, query: Query, params: Params = NO_PARAMS) -> list[Row]: ...

    async def fetchrow(self, query: Query, params: Params = NO_PARAMS) -> Row | None: ...

    async def fetchval(self, query: Query, params: Params = NO_PARAMS) -> Any: ...

    async def execute(self, query: Query, params: Params = NO_PARAMS) -> int:
        """Run a write; the number of rows it changed."""
        ...

    async def executemany(self, query: Query, rows: Iterable[Params]) -> None: ...


class Database(Protocol):
    dialect: str
    observers: list[StatementObserver]

    def transaction(self) -> "TransactionScope": ...

    async def ping(self) -> None:
        """Raise if the database does not answer (for readiness probes)."""

    def stream(self, query: Query, params: Params = NO_PARAMS) -> AsyncIterator[Row]:
        """Every row of a long read, in batches, on a connection of its own (a CSV export
        outlives its request and must not hold the request's connection)."""
        ...

    async def close(self) -> None: ...


class TransactionScope(Protocol):
    async def __aenter__(self) -> Transaction: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


@dataclass(frozen=True)
class Limits:
    pool_size: int
    max_overflow: int
    pool_timeout_seconds: float
    statement_cache_size: int
    sqlite_busy_timeout_ms: int


def connect(url: str, limits: Limits) -> "SQLiteDatabase | PostgresDatabase":
    """`sqlite:///path` or `postgresql://user:pass@host/db` (driver suffixes are ignored)."""
    scheme, _, rest = url.partition("://")
    backend = scheme.split("+", 1)[0]
    if backend == "sqlite":
        return SQLiteDatabase(rest.removeprefix("/"), limits.sqlite_busy_timeout_ms)
    if backend in ("postgres", "postgresql"):
        return PostgresDatabase(f"postgresql://{rest}", limits)
    raise ValueError(f"unsupported database URL scheme {scheme!r}")


def is_sqlite(url: str) -> bool:
    return url.partition("://")[0].split("+", 1)[0] == "sqlite"


# ---- SQLite -------------------------------------------------------------------------------

# How SQLAlchemy's schema stores date-times on SQLite (naive UTC); rows written by the CLI,
# the migrations and the server must agree to the character, as the text is what is compared.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def _to_sqlite(value: datetime) -> str:
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use salon.clock.utcnow()")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # without its "+00:00"


def _from_sqlite(raw: bytes) -> datetime:
    # Parsing the offset with the rest is several times cheaper than .replace(tzinfo=UTC).
    return datetime.fromisoformat(raw.decode() + "+00:00")


def _register_sqlite_types() -> None:
    """Declared column types -> Python values (`detect_types=PARSE_DECLTYPES`), and aware
    datetimes -> stored text. Process-wide, but only connections opened with
    `detect_types` (this module's) read through the converters."""
    sqlite3.register_adapter(datetime, _to_sqlite)
    sqlite3.register_converter("DATETIME", _from_sqlite)
    sqlite3.register_converter("BOOLEAN", lambda raw: raw != b"0")


# The checkpointer looks at the write-ahead log this often, and copies it back into the database
# once it has grown past this size (SQLite's own threshold, 1,000 pages of 4 KiB).
CHECKPOINT_SECONDS = 0.5
CHECKPOINT_BYTES = 4 * 1024 * 1024
# Under a steady load the log is never all copied, so never started over: past this size, the
# rest is copied between two transactions (see `_checkpoints`).
LOG_LIMIT_BYTES = 64 * 1024 * 1024
FEW_FRAMES = 256


T = TypeVar("T")

# The database time of the request being served: api/observe.py gives each request a sink of
# its own, and every statement, BEGIN, COMMIT, wait for a connection or for SQLite's write
# turn, and streamed batch adds to it, in whatever transaction of the request.
DB_TIME: ContextVar[list[float] | None] = ContextVar("salon_db_time", default=None)


def _spent(started: float | None) -> None:
    sink = DB_TIME.get()
    if sink is not None and started is not None:
        sink[0] += perf_counter() - started


async def _finish_in_thread(function: Callable[..., T], *args: Any) -> T:
    """`asyncio.to_thread`, except that a cancelled caller still waits for the thread: a thread
    cannot be interrupted, and closing a connection a thread is still using crashes SQLite."""
    work = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])
        raise


def _checkpoint(connection: sqlite3.Connection) -> int:
    """A PASSIVE checkpoint; the frames in the log when it began."""
    _busy, logged, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(logged)


class SQLiteDatabase:
    dialect = "sqlite"

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        _register_sqlite_types()
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self._connection = self._open()
        # Commits never checkpoint: the checkpointer does, on a thread (see `_checkpoints`).
        # A log that a burst made large is cut back to this size when it starts over (not to
        # less: writing over the file's blocks is cheaper than growing it again).
        self._connection.execute("PRAGMA wal_autocheckpoint=0")
        self._connection.execute(f"PRAGMA journal_size_limit={LOG_LIMIT_BYTES}")
        self._page_size = int(self._connection.execute("PRAGMA page_size").fetchone()[0])
        self._turn = asyncio.Lock()  # asyncio's lock is fair: waiters are served in order
        self.observers: list[StatementObserver] = []
        self._checkpointer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin checkpointing in the background (the lifespan calls this, on the loop)."""
        if self._checkpointer is None and self.path != ":memory:":
            self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoints())

    async def _checkpoints(self) -> None:
        """Copy the write-ahead log into the database file, off the event loop.

        SQLite's automatic checkpoint runs inside the COMMIT that fills the log past 1,000
        pages: at a few hundred writes a second that was several times a second, each copying
        4 MB and syncing the file on the event loop, while every request waited (the paced
        POST's p99, docs/performance.md). Here a thread of its own, with its own connection,
        runs a PASSIVE checkpoint, which takes no lock the writer needs, whenever the log has
        grown past `CHECKPOINT_BYTES`; the writer restarts the log once it is all copied.

        Under a steady load, commits append to the log while it is being copied, so it was
        never all copied and never restarted: it grew without end (1.9 GB after 30,000
        ratings, and its index in every process's memory). Once it holds `LOG_LIMIT_BYTES`,
        further passes copy what was written during the previous one until that is a few
        frames, and those are copied between two transactions, with the turn held."""
        wal = Path(f"{self.path}-wal")
        checkpointer: sqlite3.Connection | None = None
        try:
            while True:
                await asyncio.sleep(CHECKPOINT_SECONDS)
                try:
                    size = wal.stat().st_size  # noqa: ASYNC240 (one stat every half second)
                except FileNotFoundError:
                    continue
                if size < CHECKPOINT_BYTES:
                    continue
                if checkpointer is None:
                    checkpointer = await _finish_in_thread(self._open_checkpointer)
                logged = await _finish_in_thread(_checkpoint, checkpointer)
                if logged * self._page_size < LOG_LIMIT_BYTES:
                    continue
                # Each pass copies what was written during the one before, fewer frames each
                # time; the last few are copied with the turn held, so requests wait briefly.
                for _ in range(8):
                    earlier, logged = logged, await _finish_in_thread(_checkpoint, checkpointer)
                    if logged - earlier <= FEW_FRAMES:
                        break
                async with self._turn:
                    await _finish_in_thread(_checkpoint, checkpointer)
        finally:
            if checkpointer is not None:
                checkpointer.close()

    def _open_checkpointer(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)

    def _open(self, *, read_only: bool = False) -> sqlite3.Connection:
        target = f"file:{self.path}?mode=ro" if read_only else self.path
        connection = sqlite3.connect(
            target,
            uri=read_only,
            isolation_level=None,  # transactions are begun here, explicitly
            check_same_thread=False,  # opened on one thread, may be closed from another
            detect_types=sqlite3.PARSE_DECLTYPES,
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
        return connection

    def transaction(self) -> "_SQLiteTransaction":
        return _SQLiteTransaction(self)

    async def stream(self, query: Query, params: Params = NO_PARAMS) -> AsyncIterator[Row]:
        # A reader of its own: in WAL mode it reads a snapshot while the writer goes on.
        started: float | None = perf_counter()  # None while the rows are being taken
        connection = self._open(read_only=True)
        try:
            connection.execute("BEGIN")
            cursor = connection.execute(query.sqlite, params)
            while batch := cursor.fetchmany(500):
                _spent(started)
                started = None
                for row in batch:
                    yield row
                await asyncio.sleep(0)  # let requests run between batches
                started = perf_counter()
        finally:
            connection.close()
            _spent(started)

    async def ping(self) -> None:
        """Raise if the database file cannot be read. On a connection of its own, read-only,
        in a thread: a reader in WAL mode does not wait for the writer, and a ping that hangs
        anyway (a locked or lost disk) never holds up the event loop."""
        await asyncio.to_thread(self._ping)

    def _ping(self) -> None:
        connection = self._open(read_only=True)
        try:
            connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        finally:
            connection.close()

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            await asyncio.gather(self._checkpointer, return_exceptions=True)
        self._connection.close()


class _SQLiteTransaction:
    __slots__ = ("_connection", "_database", "outbox")
    dialect = "sqlite"

    def __init__(self, database: SQLiteDatabase) -> None:
        self._database = database
        self._connection = database._connection
        self.outbox: list[Any] = []

    async def __aenter__(self) -> "_SQLiteTransaction":
        started = perf_counter()
        try:
            await self._database._turn.acquire()
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._database._turn.release()
                raise
        finally:
            _spent(started)  # a BEGIN that waited and failed took the time too
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        started = perf_counter()
        try:
            if kind is None:
                try:
                    self._connection.execute("COMMIT")
                except BaseException:
                    self._connection.execute("ROLLBACK")
                    raise
            else:
                self._connection.execute("ROLLBACK")
        finally:
            self._database._turn.release()
            _spent(started)

    def _run(self, query: Query, params: Params, take: Callable[[sqlite3.Cursor], T]) -> T:
        """The statement, and `take` of its cursor (its rows are read while timed)."""
        for observe in self._database.observers:
            observe(query.sqlite)
        started = perf_counter()
        try:
            return take(self._connection.execute(query.sqlite, params))
        except sqlite3.IntegrityError as error:
            if "UNIQUE" in str(error):
                raise UniqueViolation(None) from error
            raise
        finally:
            _spent(started)

    async def fetch(self, query: Query, params: Params = NO_PARAMS) -> list[Row]:
        return self._run(query, params, sqlite3.Cursor.fetchall)

    async def fetchrow(self, query: Query, params: Params = NO_PARAMS) -> Row | None:
        row: Row | None = self._run(query, params, sqlite3.Cursor.fetchone)
        return row

    async def fetchval(self, query: Query, params: Params = NO_PARAMS) -> Any:
        return self._run(query, params, _first_value)

    async def execute(self, query: Query, params: Params = NO_PARAMS) -> int:
        return self._run(query, params, _row_count)

    async def executemany(self, query: Query, rows: Iterable[Params]) -> None:
        for observe in self._database.observers:
            observe(query.sqlite)
        started = perf_counter()
        try:
            self._connection.executemany(query.sqlite, rows)
        finally:
            _spent(started)


def _first_value(cursor: sqlite3.Cursor) -> Any:
    row = cursor.fetchone()
    return None if row is None else row[0]


def _row_count(cursor: sqlite3.Cursor) -> int:
    return cursor.rowcount


# ---- PostgreSQL ---------------------------------------------------------------------------

STREAM_BATCH = 500  # rows a stream fetches at a time


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, dsn: str, limits: Limits) -> None:
        self._dsn = dsn
        self._limits = limits
        self._pool: asyncpg.Pool | None = None
        size = limits.pool_size + limits.max_overflow
        self._turns = asyncio.Semaphore(size)  # fair since Python 3.11.1
        self.observers: list[StatementObserver] = []

    async def open(self) -> None:
        """Connect the pool (the lifespan awaits this; SQLite needs no such step)."""
        limits = self._limits
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=min(limits.pool_size, 2),
            max_size=limits.pool_size + limits.max_overflow,
            # 0 for PgBouncer in transaction mode before 1.21 (no prepared statements there).
            statement_cache_size=limits.statement_cache_size,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL pool is not open: await database.open() first")
        return self._pool

    def transaction(self) -> "_PostgresTransaction":
        return _PostgresTransaction(self)

    async def stream(self, query: Query, params: Params = NO_PARAMS) -> AsyncIterator[Row]:
        # An SQL cursor, which COMMIT closes, rather than asyncpg's `connection.cursor()`:
        # that one always prepares a named statement (`__asyncpg_stmt_N__`, N counted per
        # process), even with the statement cache off, and it outlives the transaction. Behind
        # PgBouncer in transaction mode the server connection then goes to other clients with
        # the statement still on it, and another process's export that prepares the same name
        # there fails ("prepared statement ... already exists"). The cursor's name is per
        # query text, so that a FETCH that asyncpg caches always describes the same columns.
        cursor = (
            "salon_stream_" + hashlib.blake2b(query.postgres.encode(), digest_size=8).hexdigest()
        )
        started: float | None = perf_counter()  # None while the rows are being taken
        try:
            async with (
                self._turns,
                self.pool.acquire(timeout=self._limits.pool_timeout_seconds) as connection,
                connection.transaction(isolation="repeatable_read", readonly=True),
            ):
                declare = f"DECLARE {cursor} NO SCROLL CURSOR FOR {query.postgres}"
                await connection.execute(declare, *query.positional(params))
                while batch := await connection.fetch(f"FETCH {STREAM_BATCH} FROM {cursor}"):
                    _spent(started)
                    started = None
                    for row in batch:
                        yield row
                    started = perf_counter()
        finally:
            _spent(started)

    async def ping(self) -> None:
        """Raise if the server does not answer (on a pooled connection, in no transaction)."""
        async with self.pool.acquire(timeout=self._limits.pool_timeout_seconds) as connection:
            await connection.fetchval("SELECT 1")

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


# What BEGIN on a connection the server has closed raises.
_GONE = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
)


class _PostgresTransaction:
    __slots__ = ("_connection", "_database", "_transaction", "outbox")
    dialect = "postgresql"

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database
        self._connection: Any = None
        self._transaction: Any = None
        self.outbox: list[Any] = []

    async def __aenter__(self) -> "_PostgresTransaction":
        started = perf_counter()
        database = self._database
        await database._turns.acquire()
        try:
            # A pooled connection the server closed (a restart, a failover) fails its BEGIN,
            # which is its ping: it is dropped and the next one tried, as BEGIN has done
            # nothing yet. Every pooled connection may have gone at once. asyncpg notices a
            # closed socket by itself only once it has read the server's goodbye, which races
            # with the next request (that BEGIN then fails with InternalClientError).
            for attempt in range(database.pool.get_max_size(), -1, -1):
                try:
                    await self._begin()
                    break
                except _GONE:
                    self._drop()
                    await self._release()
                    if not attempt:
                        raise
        except BaseException:
            await self._release()
            database._turns.release()
            raise
        finally:
            _spent(started)  # a BEGIN that waited and failed took the time too
        return self

    def _drop(self) -> None:
        """Close the connection at once; released, the pool opens a new one in its place."""
        if self._connection is not None:
            # InterfaceError: asyncpg saw the close first and already took it back.
            with contextlib.suppress(asyncpg.InterfaceError):
                self._connection.terminate()

    async def _begin(self) -> None:
        database = self._database
        self._connection = await database.pool.acquire(
            timeout=database._limits.pool_timeout_seconds
        )
        self._transaction = self._connection.transaction()
        await self._transaction.start()

    async def _release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await self._database.pool.release(connection)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        started = perf_counter()
        try:
            if kind is None:
                await self._transaction.commit()
            else:
                await self._transaction.rollback()
        finally:
            try:
                await self._release()
            finally:
                self._database._turns.release()
                _spent(started)

    async def _run(self, method: str, query: Query, params: Params) -> Any:
        """asyncpg's `method` (fetch, fetchrow, fetchval, execute) on the statement."""
        for observe in self._database.observers:
            observe(query.postgres)
        started = perf_counter()
        try:
            return await getattr(self._connection, method)(
                query.postgres, *query.positional(params)
            )
        except asyncpg.UniqueViolationError as error:
            raise UniqueViolation(error.constraint_name) from error
        finally:
            _spent(started)

    async def fetch(self, query: Query, params: Params = NO_PARAMS) -> list[Row]:
        rows: list[Row] = await self._run("fetch", query, params)
        return rows

    async def fetchrow(self, query: Query, params: Params = NO_PARAMS) -> Row | None:
        row: Row | None = await self._run("fetchrow", query, params)
        return row

    async def fetchval(self, query: Query, params: Params = NO_PARAMS) -> Any:
        return await self._run("fetchval", query, params)

    async def execute(self, query: Query, params: Params = NO_PARAMS) -> int:
        status: str = await self._run("execute", query, params)
        # "UPDATE 3", "DELETE 0", "INSERT 0 1": the count is the last word.
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0

    async def executemany(self, query: Query, rows: Iterable[Params]) -> None:
        for observe in self._database.observers:
            observe(query.postgres)
        started = perf_counter()
        try:
            await self._connection.executemany(
                query.postgres, [query.positional(row) for row in rows]
            )
        finally:
            _spent(started)
