"""The database handle an app instance owns: engine, session factory and turns."""

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from salon.config import Settings
from salon.db.engine import create_engine, database_url, is_sqlite


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    turns: asyncio.Semaphore
    """As many as the pool's connections, handed out first come, first served: the pool's own
    queue lets a newcomer take a connection released to a waiter, so under load some
    requests waited seconds while others passed (p99 1.5 s against p50 0.2 s, measured)."""

    @classmethod
    def connect(cls, settings: Settings) -> "Database":
        engine = create_engine(settings)
        connections = (
            1
            if is_sqlite(database_url(settings.database_url))
            else settings.db_pool_size + settings.db_max_overflow
        )
        # expire_on_commit=False: responses are built from objects already loaded.
        return cls(
            engine,
            async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
            asyncio.Semaphore(connections),
        )

    async def dispose(self) -> None:
        await self.engine.dispose()
