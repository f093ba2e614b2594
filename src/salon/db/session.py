"""The database handle an app instance owns: engine plus session factory."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from salon.config import Settings
from salon.db.engine import create_engine


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, settings: Settings) -> "Database":
        engine = create_engine(settings)
        # expire_on_commit=False: responses are built from objects already loaded.
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False, autoflush=False))

    async def dispose(self) -> None:
        await self.engine.dispose()
