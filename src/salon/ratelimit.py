"""Rate limits, on the `limits` library: in process memory by default, in Redis when
SALON_REDIS_URL is set so that every instance shares the same counters."""

import inspect
import time

from limits import RateLimitItem, storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from salon.errors import TooManyRequests


class RateLimiter:
    def __init__(self, redis_url: str | None) -> None:
        uri = "async+memory://" if redis_url is None else "async+" + redis_url
        self._storage = storage.storage_from_string(uri)
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    async def ensure_allowed(self, limit: RateLimitItem, *key: str) -> None:
        """Raise TooManyRequests (with the seconds until a slot frees) if `key` is spent."""
        if not await self._limiter.test(limit, *key):
            await self._refuse(limit, *key)

    async def _refuse(self, limit: RateLimitItem, *key: str) -> None:
        stats = await self._limiter.get_window_stats(limit, *key)
        raise TooManyRequests(max(1, int(stats.reset_time - time.time()) + 1))

    async def hit(self, limit: RateLimitItem, *key: str) -> None:
        await self._limiter.hit(limit, *key)

    async def spend(self, limit: RateLimitItem, *key: str) -> None:
        """Count one use of `key`, or raise TooManyRequests if it is spent: one call to the
        storage where `ensure_allowed` then `hit` made two (one Redis round trip per write)."""
        if not await self._limiter.hit(limit, *key):
            await self._refuse(limit, *key)

    async def reset(self) -> None:
        """Forget every counter (an operator's unlock; the tests' clean slate)."""
        reset = self._storage.reset()
        if inspect.isawaitable(reset):  # the async storages' reset is a coroutine
            await reset
