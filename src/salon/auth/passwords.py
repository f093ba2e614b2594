"""Password hashing with pwdlib's recommended Argon2 settings: about 200 ms of one core and
64 MiB per check, on purpose. It never runs on the event loop, and a request's checks go
through `PasswordHashing`, which bounds how many run and wait at once."""

import asyncio
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from functools import cache

from pwdlib import PasswordHash

from salon.errors import Overloaded

_hasher = PasswordHash.recommended()
# The CPU priority of hashing threads (Linux gives each thread its own nice value): the lowest,
# so that when cores are short a request's milliseconds come before a check's 200. The event
# loop's lag under a check per core went from 47 ms (p99, nice 0) to 12-27 (10) and 5-9 (19),
# against 4-5 idle. The price: on a CPU saturated by requests, logins wait, then get 503.
HASHING_NICENESS = 19


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


@cache
def _decoy_hash() -> str:
    return _hasher.hash("not a password anyone has")


def _verify(password: str, hashed: str | None) -> bool:
    """False for a person without a password too, after the same amount of work, so response
    times do not reveal which emails exist."""
    matches = _hasher.verify(password, hashed or _decoy_hash())
    return matches and hashed is not None


async def verify_password(password: str, hashed: str | None) -> bool:
    return await asyncio.to_thread(_verify, password, hashed)


def _yield_to_requests() -> None:
    """A hashing thread's initializer: lower its own priority (best effort, Linux)."""
    with suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class Checker:
    """What an admitted request may run: password checks and hashes on the hashing threads."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._executor = executor

    async def verify(self, password: str, hashed: str | None) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _verify, password, hashed)

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _hasher.hash, password)


class PasswordHashing:
    """The password checks of one process, bounded: `concurrency` at once, on threads of their
    own (never the event loop, nor the default executor that DNS lookups and `to_thread`
    share), first come first served, and at most `queue` more requests admitted to wait for
    them. Beyond that a request is refused at once (Overloaded, 503): a flood of logins costs
    at most `concurrency` cores and `concurrency` x 64 MiB, and a waiting login holds nothing
    but its place."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(
            concurrency, thread_name_prefix="salon-argon2", initializer=_yield_to_requests
        )
        self._checker = Checker(self._executor)
        self._capacity = concurrency + queue
        self._admitted = 0

    @contextmanager
    def admit(self) -> Iterator[Checker]:
        """A place among the admitted requests for the block, or Overloaded. A place frees
        every time a check ends (~200 ms per thread), so a retry a second later finds one."""
        if self._admitted >= self._capacity:
            raise Overloaded(retry_after_seconds=1)
        self._admitted += 1
        try:
            yield self._checker
        finally:
            self._admitted -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
