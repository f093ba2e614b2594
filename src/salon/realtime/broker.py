"""Where committed events go. The in-memory broker serves one process; a Redis broker with the
same interface fans out across processes (see docs/architecture.md)."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from salon.realtime.events import Event

log = logging.getLogger(__name__)


class Broker(Protocol):
    async def publish(self, events: list[Event]) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    """Delivers to subscribers in this process. A slow subscriber loses events rather than
    blocking writers: its bounded queue drops the overflow and logs it."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: set[asyncio.Queue[Event]] = set()

    async def publish(self, events: list[Event]) -> None:
        for event in events:
            for queue in self._subscribers:
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    log.warning("subscriber queue full; dropped %s", event.type)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator["asyncio.Queue[Event]"]:
        queue: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def close(self) -> None:
        self._subscribers.clear()
