"""Rate limits, on the `limits` library: in process memory by default, in Redis when
SALON_REDIS_URL is set so that every instance shares the same counters.

Two strategies, each where it fits:
- the **moving window** (`spend`) keeps one entry per use, so it is exact: a key is refused
  while `amount` uses lie within the last `expiry` seconds, and its Retry-After is the moment
  the oldest of them leaves the window. For rare, slow routes (logins, tokens, guests), where
  the entries cost nothing.
- the **sliding window counter** (`spend_fast`) keeps two counters per key and weighs the
  previous window's: cheap on the hot write path (the moving window expired its entries with a
  thread hop per key in memory), approximate by that weighting, Retry-After included.
"""

import inspect
import math
import time

from limits import RateLimitItem, storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from salon.errors import TooManyRequests


class RateLimiter:
    def __init__(self, redis_url: str | None, redis_prefix: str = "salon:") -> None:
        if redis_url is None:
            self._storage = storage.storage_from_string("async+memory://")
        else:
            self._storage = storage.storage_from_string(
                "async+" + redis_url, key_prefix=f"{redis_prefix}limits"
            )
        self._exact = MovingWindowRateLimiter(self._storage)
        self._counter = SlidingWindowCounterRateLimiter(self._storage)

    async def spend(self, limit: RateLimitItem, *key: str) -> None:
        """Count one use of `key` in a moving window, or raise TooManyRequests with the seconds
        until one leaves it. Counting and refusing are one atomic step of the storage, so
        concurrent requests cannot all pass a check before any of them is counted."""
        if not await self._exact.hit(limit, *key):
            stats = await self._exact.get_window_stats(limit, *key)
            raise TooManyRequests(_seconds_until(stats.reset_time))

    async def forgive(self, limit: RateLimitItem, *key: str) -> None:
        """Forget every use of `key` counted by `spend` (a successful login, its failures)."""
        await self._exact.clear(limit, *key)

    async def spend_fast(self, limit: RateLimitItem, *key: str) -> None:
        """Count one use of `key` with the sliding window counter, or raise TooManyRequests:
        one storage call (limits' `hit` refuses atomically when the window is spent)."""
        if not await self._counter.hit(limit, *key):
            stats = await self._counter.get_window_stats(limit, *key)
            raise TooManyRequests(_seconds_until(stats.reset_time))

    async def reset(self) -> None:
        """Forget every counter (an operator's unlock; the tests' clean slate)."""
        reset = self._storage.reset()
        if inspect.isawaitable(reset):  # the async storages' reset is a coroutine
            await reset


def _seconds_until(moment: float) -> int:
    """Whole seconds from now until `moment`, rounded up: a retry after them is not early."""
    return max(1, math.ceil(moment - time.time()))
