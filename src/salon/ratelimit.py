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

import asyncio
import inspect
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import redis.asyncio as redis
from limits import RateLimitItem, storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from redis.exceptions import LockError

from salon.errors import TooManyRequests

# An `exclusive` block's hold on its Redis lock lapses after this, should its process die; and
# a waiter gives up (429) after waiting this long. Blocks are password checks: well below both.
LOCK_LIFETIME_SECONDS = 60
LOCK_WAIT_SECONDS = 30
LOCK_POLL_SECONDS = 0.02


@dataclass
class _LocalLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class RateLimiter:
    def __init__(self, redis_url: str | None, redis_prefix: str = "salon:") -> None:
        self._redis: redis.Redis | None = None
        if redis_url is None:
            self._storage = storage.storage_from_string("async+memory://")
        else:
            self._storage = storage.storage_from_string(
                "async+" + redis_url, key_prefix=f"{redis_prefix}limits"
            )
            self._redis = redis.Redis.from_url(redis_url)
        self._lock_prefix = f"{redis_prefix}lock/"
        self._locks: dict[str, _LocalLock] = {}
        self._exact = MovingWindowRateLimiter(self._storage)
        self._counter = SlidingWindowCounterRateLimiter(self._storage)

    async def spend(self, limit: RateLimitItem, *key: str) -> None:
        """Count one use of `key` in a moving window, or raise TooManyRequests with the seconds
        until one leaves it. Counting and refusing are one atomic step of the storage, so
        concurrent requests cannot all pass a check before any of them is counted."""
        if not await self._exact.hit(limit, *key):
            await self._refuse(limit, *key)

    async def ensure_allowed(self, limit: RateLimitItem, *key: str) -> None:
        """Raise TooManyRequests (with the seconds until a use leaves the moving window) if
        `key` is spent; count nothing. Check-then-`record` is atomic only inside `exclusive`."""
        if not await self._exact.test(limit, *key):
            await self._refuse(limit, *key)

    async def record(self, limit: RateLimitItem, *key: str) -> None:
        """Count one use of `key` in the moving window, without refusing anything."""
        await self._exact.hit(limit, *key)

    async def _refuse(self, limit: RateLimitItem, *key: str) -> None:
        stats = await self._exact.get_window_stats(limit, *key)
        raise TooManyRequests(_seconds_until(stats.reset_time))

    @asynccontextmanager
    async def exclusive(self, *key: str) -> AsyncIterator[None]:
        """Run the block for `key` in one place at a time: this process, and with Redis every
        process that shares it (a Redis lock, which lapses should its holder die). Waiters of
        this process queue on a local lock, so only one of them polls Redis."""
        name = "/".join(key)
        local = self._locks.setdefault(name, _LocalLock())
        local.users += 1
        try:
            async with local.lock:
                if self._redis is None:
                    yield
                    return
                lock = self._redis.lock(
                    self._lock_prefix + name,
                    timeout=LOCK_LIFETIME_SECONDS,
                    sleep=LOCK_POLL_SECONDS,
                    blocking_timeout=LOCK_WAIT_SECONDS,
                    thread_local=False,
                )
                if not await lock.acquire():
                    raise TooManyRequests(1)
                try:
                    yield
                finally:
                    # LockError: it lapsed; whoever holds it now releases it.
                    with suppress(LockError):
                        await lock.release()
        finally:
            local.users -= 1
            if local.users == 0:
                del self._locks[name]

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

    @property
    def uses_redis(self) -> bool:
        return self._redis is not None

    async def ping(self) -> bool:
        """Whether Redis answers (False without Redis)."""
        return self._redis is not None and bool(await self._redis.ping())

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


def _seconds_until(moment: float) -> int:
    """Whole seconds from now until `moment`, rounded up: a retry after them is not early."""
    return max(1, math.ceil(moment - time.time()))
