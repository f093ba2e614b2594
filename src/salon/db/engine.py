"""Engines per dialect: the only place that knows SQLite from PostgreSQL."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from salon.config import Settings
from salon.db import inline_sqlite

_ASYNC_DRIVERS = {
    "sqlite": inline_sqlite.DRIVER,
    "sqlite+pysqlite": inline_sqlite.DRIVER,
    "sqlite+aiosqlite": inline_sqlite.DRIVER,
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}


def database_url(raw: str) -> URL:
    """Accept plain `sqlite:///` / `postgresql://` URLs and pick the async driver."""
    url = make_url(raw)
    return url.set(drivername=_ASYNC_DRIVERS.get(url.drivername, url.drivername))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(settings: Settings, *, enforce_foreign_keys: bool = True) -> AsyncEngine:
    """`enforce_foreign_keys=False` is for migrations only: SQLite's batch mode rebuilds a
    table by copy, drop and rename, which enforced foreign keys would refuse."""
    url = database_url(settings.database_url)
    if is_sqlite(url):
        return _create_sqlite_engine(url, settings, enforce_foreign_keys)
    pool_size, max_overflow = pool_limits(settings)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=True,
    )


def pool_limits(settings: Settings) -> tuple[int, int]:
    """(pool_size, max_overflow) of the engine these settings make.

    SQLite: one connection per process. Every transaction takes SQLite's write lock (see
    _begin), so more connections add no parallelism, only waits in SQLite's busy handler,
    which sleeps up to 100 ms at a time. Queued on the pool, a transaction starts the moment
    the previous one ends. (Measured in docs/realtime.md: 74 -> 500 messages/s.)
    """
    if is_sqlite(database_url(settings.database_url)):
        return 1, 0
    return settings.db_pool_size, settings.db_max_overflow


def _create_sqlite_engine(url: URL, settings: Settings, enforce_foreign_keys: bool) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    pool_size, max_overflow = pool_limits(settings)  # one connection: see pool_limits
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    busy_timeout = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes
        # fails at once with "database is locked" when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
