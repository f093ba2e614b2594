"""SQLite's write-ahead log is copied back into the database file by a background thread, not
by the commit of a request (db/database.py, `SQLiteDatabase._checkpoints`)."""

import asyncio
import sqlite3
import struct
from pathlib import Path

import pytest
from fastapi import FastAPI

from salon.clock import utcnow
from salon.db import database as database_module
from salon.db.database import SQLiteDatabase
from salon.db.query import Query
from tests.support import Person, run_sql


def log_restarts(path: str) -> int:
    """The log's checkpoint sequence number (its header, bytes 12-15): it grows each time the
    log starts over, which a writer does once the log has been copied in full."""
    header = Path(f"{path}-wal").read_bytes()[:16]
    return int(struct.unpack(">I", header[12:16])[0])


async def test_the_log_is_checkpointed_in_the_background(
    app: FastAPI, chatroom: int, ambassador: Person
) -> None:
    database = app.state.database
    if not isinstance(database, SQLiteDatabase):
        return  # PostgreSQL checkpoints itself
    before = log_restarts(database.path)
    # 4,000 messages of 2,000 characters in 40 commits: the log passes the threshold several
    # times. Commits do not checkpoint (wal_autocheckpoint=0), nor does this test.
    for _ in range(40):
        await run_sql(
            app,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
            "INSERT INTO message (id_brand, id_chatroom, id_ambassador, type_message, content, "
            "status_moderation, active, date_insert, date_update) "
            "SELECT :brand, :chatroom, :author, 0, printf('%.2000c', 'x'), 0, true, :now, :now "
            "FROM n",
            {
                "brand": ambassador.id_brand,
                "chatroom": chatroom,
                "author": ambassador.id,
                "now": utcnow(),
            },
        )
        await asyncio.sleep(0.05)  # writes keep coming, and the checkpointer gets its turns
    for _ in range(50):
        await asyncio.sleep(0.1)
        await run_sql(app, "UPDATE chatroom SET last_message_date = :now", {"now": utcnow()})
        if log_restarts(database.path) > before:
            break
    assert log_restarts(database.path) > before


async def test_closing_waits_for_a_checkpoint_in_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread cannot be cancelled: closing the database while it checkpoints must wait for it,
    not close the connection under it (that crashed the process)."""
    monkeypatch.setattr(database_module, "CHECKPOINT_SECONDS", 0.001)
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 0)
    path = str(tmp_path / "salon.db")
    for attempt in range(20):
        database = SQLiteDatabase(path, busy_timeout_ms=1000)
        # About 8 MB of log for the checkpointer to copy: tens of milliseconds of its thread.
        database._connection.execute("CREATE TABLE IF NOT EXISTS filler (body TEXT)")
        database._connection.execute("DELETE FROM filler")
        database._connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
            "INSERT INTO filler SELECT printf('%.4000c', 'x') FROM n"
        )
        database.start()
        await asyncio.sleep(0.002 + attempt * 0.001)  # lands at different points of the copy
        await database.close()
    reopened = sqlite3.connect(path)
    assert reopened.execute("SELECT count(*) FROM filler").fetchone() == (2000,)
    reopened.close()


async def test_the_log_stays_bounded_under_a_steady_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits that never pause: the log must still be copied in full now and then, so that
    the writer starts it over, rather than grow for as long as the load lasts."""
    monkeypatch.setattr(database_module, "CHECKPOINT_SECONDS", 0.01)
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 256 * 1024)
    monkeypatch.setattr(database_module, "LOG_LIMIT_BYTES", 1024 * 1024, raising=False)
    path = str(tmp_path / "salon.db")
    database = SQLiteDatabase(path, busy_timeout_ms=1000)
    database._connection.execute("CREATE TABLE filler (body TEXT)")
    insert = Query("INSERT INTO filler (body) VALUES (printf('%.2000c', 'x'))")
    database.start()
    try:
        began = log_restarts(path)
        # About 80 MB of log in 20,000 commits, back to back: only the loop's own turns
        # between them (the checkpointer's task runs in those).
        for _ in range(20_000):
            async with database.transaction() as tx:
                await tx.execute(insert)
            await asyncio.sleep(0)
        restarts = log_restarts(path) - began
        size = Path(f"{path}-wal").stat().st_size  # noqa: ASYNC240
    finally:
        await database.close()
    assert restarts > 0
    assert size < 16 * 1024 * 1024, f"the log grew to {size:,} bytes"
