import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from salon.config import Settings
from salon.db import models  # noqa: F401  (registers every table on Base.metadata)
from salon.db.base import Base
from salon.db.engine import create_engine

config = context.config
database_url = config.attributes.get("database_url") or Settings().database_url


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    settings = Settings(database_url=database_url, db_pool_size=1)
    engine = create_engine(settings, enforce_foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `salon db upgrade`")
asyncio.run(run_online())
