"""SQLite for the async engine without a thread: the stdlib driver called on the event loop.

aiosqlite runs every statement on a thread of its own and hands the result back through the
event loop: two thread switches and a loop wake-up per statement, which cost more than the
statement itself (a primary-key read takes tens of microseconds). With one connection per
process (see engine.py) nothing else could use the connection meanwhile, so the thread bought
no concurrency, only idle time. Here the DBAPI is plain `sqlite3`, and a statement runs inside
a coroutine that never suspends: SQLAlchemy's asyncio layer sees an async driver, and the
statement costs what SQLite costs.

The price: a slow statement blocks the event loop instead of one thread. Salon's statements
are indexed and short; a long report holds SQLite's only connection either way.
"""

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteExecutionContext
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import ConnectArgsType, DBAPIConnection, DBAPICursor
from sqlalchemy.util.concurrency import await_

DRIVER = "sqlite+salon_inline"


class InlineCursor:
    """A sqlite3 cursor whose statements run in a coroutine, as an async driver's do."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, operation: str, parameters: Any = ()) -> "InlineCursor":
        await_(self._execute(operation, parameters))
        return self

    def executemany(self, operation: str, parameters: Any) -> "InlineCursor":
        await_(self._executemany(operation, parameters))
        return self

    async def _execute(self, operation: str, parameters: Any) -> None:
        self._cursor.execute(operation, parameters)

    async def _executemany(self, operation: str, parameters: Any) -> None:
        self._cursor.executemany(operation, parameters)

    async def _async_soft_close(self) -> None:
        """SQLAlchemy's hook for drivers whose close must be awaited: sqlite3's need not be."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class InlineConnection:
    """A sqlite3 connection handing out InlineCursors; everything else is sqlite3's."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        object.__setattr__(self, "_connection", connection)

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._connection.cursor())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)


class InlineExecutionContext(SQLiteExecutionContext):
    def create_server_side_cursor(self) -> DBAPICursor:
        # sqlite3 cursors already fetch row by row as they are read.
        cursor: DBAPICursor = self._dbapi_connection.cursor()
        return cursor


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    driver = "salon_inline"
    is_async = True
    supports_statement_cache = True
    supports_server_side_cursors = True
    execution_ctx_cls = InlineExecutionContext

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        args, kwargs = super().create_connect_args(url)
        # Connections live on the event loop's thread; a pool may be disposed from another.
        kwargs["check_same_thread"] = False
        return args, kwargs

    def connect(self, *cargs: Any, **cparams: Any) -> DBAPIConnection:
        driver: Any = super().connect(*cargs, **cparams)
        connection: Any = InlineConnection(driver)
        return connection  # type: ignore[no-any-return]

    def get_driver_connection(self, connection: DBAPIConnection) -> Any:
        return connection


registry.register("sqlite.salon_inline", __name__, "InlineSQLiteDialect")
