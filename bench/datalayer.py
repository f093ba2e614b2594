"""What one statement costs through Salon's data layer, against the driver called directly and
against SQLAlchemy's async execution (what requests used before), in one process.

    python -m bench.datalayer [--postgres postgresql://...] [--n 20000]

A primary-key read of one ambassador (the statement every request runs first), inside one
transaction, best of five rounds, microseconds per statement. `make bench` runs it as its first
table (docs/performance.md, docs/decisions.md).
"""

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from salon.ambassadors.repository import get as get_ambassador
from salon.config import Settings
from salon.db.migrate import upgrade
from salon.db.models import Ambassador
from salon.db.open import open_database
from salon.provisioning.service import create_ambassador, create_brand

ROUNDS = 5


async def best(n: int, once: Callable[[], Awaitable[object]]) -> float:
    """Microseconds per call, the best of ROUNDS rounds of n calls."""
    fastest = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(n):
            await once()
        fastest = min(fastest, (time.perf_counter() - started) / n)
    return fastest * 1e6


async def seed(url: str) -> int:
    await asyncio.to_thread(upgrade, url)
    database = await open_database(Settings(database_url=url))
    async with database.transaction() as tx:
        brand = await create_brand(tx, f"bench {time.time_ns()}")
        person = await create_ambassador(tx, brand.id_brand, status=0, firstname="A")
    await database.close()
    id_ambassador: int = person.id_ambassador
    return id_ambassador


async def measure(name: str, url: str, n: int, raw: Callable[[int], Awaitable[float]]) -> None:
    id_ambassador = await seed(url)
    rows = [(f"{name}: the driver, called directly", await raw(id_ambassador))]

    database = await open_database(Settings(database_url=url))
    async with database.transaction() as tx:
        rows.append(
            (
                f"{name}: salon.db (a Query, a Transaction, a row)",
                await best(n, lambda: get_ambassador(tx, id_ambassador)),
            )
        )
    await database.close()

    engine = create_async_engine(
        url.replace("sqlite://", "sqlite+aiosqlite://", 1).replace(
            "postgresql://", "postgresql+asyncpg://", 1
        )
    )
    statement = select(Ambassador.__table__).where(Ambassador.id_ambassador == id_ambassador)
    async with engine.begin() as connection:
        rows.append(
            (
                f"{name}: SQLAlchemy Core, async engine",
                await best(n // 4, lambda: connection.execute(statement)),
            )
        )
    await engine.dispose()
    for label, micros in rows:
        print(f"  {label:<52} {micros:8.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure too")
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    print("One primary-key read of an ambassador, per statement (best of 5):")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench.db"

        async def raw_sqlite(id_ambassador: int) -> float:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN")
            sql = "SELECT * FROM ambassador WHERE id_ambassador = ?"

            async def once() -> object:
                return connection.execute(sql, (id_ambassador,)).fetchone()

            try:
                return await best(args.n, once)
            finally:
                connection.close()

        asyncio.run(measure("SQLite", f"sqlite:///{path}", args.n, raw_sqlite))
    if args.postgres:
        url = args.postgres

        async def raw_postgres(id_ambassador: int) -> float:
            connection = await asyncpg.connect(url)
            try:
                sql = "SELECT * FROM ambassador WHERE id_ambassador = $1"
                async with connection.transaction():
                    return await best(args.n // 4, lambda: connection.fetchrow(sql, id_ambassador))
            finally:
                await connection.close()

        asyncio.run(measure("PostgreSQL", url, args.n, raw_postgres))


if __name__ == "__main__":
    main()
