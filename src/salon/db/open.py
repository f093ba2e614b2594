"""The database of a process, from its settings: the server's lifespan, the CLI and the
tests' fixtures open it here."""

from salon.config import Settings
from salon.db.database import Limits, PostgresDatabase, SQLiteDatabase, connect


async def open_database(settings: Settings) -> SQLiteDatabase | PostgresDatabase:
    database = connect(
        settings.database_url,
        Limits(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout_seconds=settings.db_pool_timeout_seconds,
            statement_cache_size=settings.db_statement_cache_size,
            sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        ),
    )
    if isinstance(database, PostgresDatabase):
        await database.open()
    else:
        database.start()
    return database
