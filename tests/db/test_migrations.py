"""Migrations on both engines: up, all the way down, up again; models and migrations agree."""

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url

from salon.config import Settings
from salon.db import migrate
from salon.db.base import Base
from salon.db.engine import create_engine
from tests.conftest import POSTGRES_URL


@pytest.fixture
async def scratch_url(engine_name: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own, so the shared test database is never downgraded."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(POSTGRES_URL)
    name = f"salon_migrations_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def inspect_database(url: str, look: Any) -> Any:
    engine = create_engine(Settings(database_url=url, db_pool_size=1))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url: str) -> None:
    import asyncio

    await asyncio.to_thread(migrate.upgrade, scratch_url)
    assert await inspect_database(scratch_url, tables) == set(Base.metadata.tables)

    await asyncio.to_thread(migrate.downgrade, scratch_url, "base")
    assert await inspect_database(scratch_url, tables) == set()

    await asyncio.to_thread(migrate.upgrade, scratch_url)
    assert await inspect_database(scratch_url, differences) == []


# Noon: a day's rows stay on that day whatever the server's time zone.
_ROWS_AT_0003: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "INSERT INTO brand (id_brand, label, date_insert) VALUES (1, 'b', '2026-01-01 12:00:00')",
        [{}],
    ),
    (
        "INSERT INTO ambassador (id_ambassador, id_brand, firstname, lastname, active, status, "
        "anonymized, date_insert, date_update) VALUES (:id, 1, '', '', 1, :status, false, "
        "'2026-01-01 12:00:00', '2026-01-01 12:00:00')",
        [{"id": 1, "status": 7}, {"id": 2, "status": 0}],
    ),
    (
        "INSERT INTO chatroom (id_chatroom, id_brand, type_chatroom, type_discussion, source, "
        "date_insert) VALUES (1, 1, 0, 2, 0, '2026-01-01 12:00:00')",
        [{}],
    ),
    (
        "INSERT INTO message (id_message, id_brand, id_chatroom, id_ambassador, type_message, "
        "content, status_moderation, active, date_insert, date_update) VALUES (:id, 1, 1, 1, "
        "2, '', 0, true, '2026-01-01 12:00:00', '2026-01-01 12:00:00')",
        [{"id": m} for m in range(1, 6)],
    ),
    # The stuffing the old rules let through: four live scores from visitor 1 for ambassador
    # 2 in chatroom 1 (one of them deleted since), and a pending request the other way round.
    (
        "INSERT INTO rating (id_rating, id_brand, id_chatroom, id_message, id_user_rater, "
        "id_user_rated, value, date_insert, date_update, date_delete) VALUES "
        "(1, 1, 1, 1, 1, 2, 2, '2026-01-01 12:00:00', '2026-01-01 12:00:00', NULL), "
        "(2, 1, 1, 2, 1, 2, 5, '2026-01-02 12:00:00', '2026-01-02 12:00:00', NULL), "
        "(3, 1, 1, 3, 1, 2, 5, '2026-01-03 12:00:00', '2026-01-03 12:00:00', "
        "'2026-01-09 12:00:00'), "
        "(4, 1, 1, 4, 1, 2, 5, '2026-01-04 12:00:00', '2026-01-04 12:00:00', NULL), "
        "(5, 1, 1, 5, 2, 1, NULL, '2026-01-05 12:00:00', '2026-01-05 12:00:00', NULL)",
        [{}],
    ),
]


async def test_stuffed_ratings_are_settled_and_none_is_lost(scratch_url: str) -> None:
    """Upgrading a database the old rules let stuff: every rating is kept, the newest of each
    (chatroom, rater, rated) stays open, each older live one is superseded when its successor
    was asked."""
    import asyncio

    from sqlalchemy import text

    await asyncio.to_thread(migrate.upgrade, scratch_url, "0003")

    def fill(connection: Connection) -> None:
        for statement, rows in _ROWS_AT_0003:
            for row in rows:
                connection.execute(text(statement), row)
        connection.commit()

    await inspect_database(scratch_url, fill)
    await asyncio.to_thread(migrate.upgrade, scratch_url)

    def ratings(connection: Connection) -> list[tuple[Any, ...]]:
        rows = connection.execute(
            text("SELECT id_rating, date_supersede, date_delete FROM rating ORDER BY id_rating")
        )
        return [(r[0], r[1] and str(r[1])[:10], r[2] is not None) for r in rows]

    # 1 superseded when 2 was asked, 2 when 4 was (3, deleted, does not count), 4 and 5 open.
    assert await inspect_database(scratch_url, ratings) == [
        (1, "2026-01-02", False),
        (2, "2026-01-04", False),
        (3, None, True),
        (4, None, False),
        (5, None, False),
    ]
    await asyncio.to_thread(migrate.downgrade, scratch_url, "0003")
    await asyncio.to_thread(migrate.upgrade, scratch_url)
