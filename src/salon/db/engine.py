"""SQLAlchemy engines for Alembic (and the tests that inspect the schema): the only place
SQLAlchemy runs statements. The server does not use them (salon.db.database)."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from salon.config import Settings

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}


def database_url(raw: str) -> URL:
    """Accept plain `sqlite:///` / `postgresql://` URLs and pick the async driver."""
    url = make_url(raw)
    return url.set(drivername=_ASYNC_DRIVERS.get(url.drivername, url.drivername))


def create_engine(settings: Settings, *, enforce_foreign_keys: bool = True) -> AsyncEngine:
    """`enforce_foreign_keys=False` is for migrations only: SQLite's batch mode rebuilds a
    table by copy, drop and rename, which enforced foreign keys would refuse."""
    url = database_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, poolclass=NullPool)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, poolclass=NullPool)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.close()

    return engine
