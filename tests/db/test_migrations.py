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
