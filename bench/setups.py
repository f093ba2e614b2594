"""The production setup a bench runs second: PostgreSQL and Redis, from `scripts/run-tests`."""

import asyncio
import os

from salon.db import migrate

SKIPPED = "postgres  skipped: SALON_TEST_POSTGRES_URL and SALON_TEST_REDIS_URL not set"


async def postgres_and_redis(prefix: str = "bench:") -> tuple[str, dict[str, str]] | None:
    """The PostgreSQL URL, its schema emptied to the base revision (each setup migrates and
    seeds its own), and the Salon settings for Redis; None when either server is missing."""
    postgres = os.environ.get("SALON_TEST_POSTGRES_URL")
    redis_url = os.environ.get("SALON_TEST_REDIS_URL")
    if not (postgres and redis_url):
        return None
    await asyncio.to_thread(migrate.downgrade, postgres, "base")
    return postgres, {"SALON_REDIS_URL": redis_url, "SALON_REDIS_PREFIX": prefix}
