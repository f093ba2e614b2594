"""The worker in each Salon process that delivers webhooks (docs/webhooks.md).

It takes due deliveries from the database (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several
processes never take the same row), leases them for the length of an attempt, sends them
signed, and records each attempt. A process killed during an attempt leaves its rows leased:
they are due again when the lease ends, and another process, or this one restarted, takes them.

Bounds: at most `webhook_concurrency` attempts at once per process, at most
`webhook_endpoint_concurrency` of them to one endpoint and `webhook_brand_concurrency` for one
brand (so no brand fills the slots with many endpoints), and one while an endpoint is
struggling (no answer, 429 or 5xx): a slow or dead receiver holds one slot, and other endpoints
go on. Each attempt is capped by `webhook_timeout_seconds`, and its answer read up to its first
bytes. Nothing waits in memory but the attempts in flight and their
outcomes until they are written (a few at a time): the queue is the table.
"""

import asyncio
import contextlib
import heapq
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import aiohttp

from salon import __version__, metrics
from salon.clock import utcnow
from salon.config import Settings
from salon.db.database import Database
from salon.records import DeliveryStatus
from salon.webhooks import address, repository, signing
from salon.webhooks.repository import Job, Outcome

log = logging.getLogger(__name__)

EXCERPT_BYTES = 256
JITTER = 0.2
PRUNE_EVERY_SECONDS = 3600.0
PRUNE_BATCH = 1000
LOOK_PAST = timedelta(seconds=0.25)
DNS_THREADS = 8
MAX_RETRIES_KEPT = 10_000
# What an attempt made of its delivery, as the metrics name it.
_OUTCOME_LABELS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "retrying",
    DeliveryStatus.FAILED: "failed",
}


def _retryable(status_code: int | None) -> bool:
    """A timeout or a connection error (no status), 408, 429 and 5xx are worth another try; any
    other answer (a 4xx, a redirect, which is not followed) is final."""
    return status_code is None or status_code in (408, 429) or status_code >= 500


class Dispatcher:
    def __init__(self, database: Database, settings: Settings) -> None:
        self._database = database
        self._settings = settings
        self._networks = list(settings.webhook_allowed_networks)
        self._timeout = settings.webhook_timeout_seconds
        # A taken row is due again after this: the attempt has timed out well before.
        self._lease = timedelta(seconds=2 * self._timeout + 1)
        self._wake = asyncio.Event()
        self._in_flight: dict[int, int] = {}  # id_webhook -> attempts in flight
        self._brand_in_flight: dict[int, int] = {}  # id_brand -> attempts in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._outcomes: list[Outcome] = []
        self._outcome_ready = asyncio.Event()
        # Retries this process scheduled, soonest first (a heap, bounded: the poll finds those
        # it forgets): it looks for them when they are due, not only at its poll.
        self._retries: list[datetime] = []
        self._maybe_more = False
        self._taking = False
        # Endpoints whose last attempt here failed without an answer, or with 429 or 5xx.
        self._struggling: set[int] = set()
        # When the next look past endpoints at their cap may be made, and when one is waiting.
        self._look_past_at = datetime.min.replace(tzinfo=UTC)
        self._look_past_later: datetime | None = None
        self._last_prune = float("-inf")
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        # Lookups of receivers' names, on threads of their own (address.CheckedResolver).
        self._dns = ThreadPoolExecutor(DNS_THREADS, thread_name_prefix="salon-webhook-dns")
        self._loops: list[asyncio.Task[None]] = []
        self._writing = False

    def wake(self) -> None:
        """Deliveries were committed: look for them now."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        """No attempt in flight and every outcome written."""
        return not (self._tasks or self._outcomes or self._writing)

    async def start(self) -> None:
        # aiohttp rather than httpx: 9x the requests/s to the same receiver (httpx's pool
        # checks every idle connection on each request), and deliveries share the process
        # with the requests (docs/performance.md). One session per scheme: each resolves
        # names through the checks of its scheme (address.py).
        self._sessions = {
            scheme: aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._settings.webhook_concurrency,
                    use_dns_cache=False,  # every new connection is resolved and checked
                    resolver=address.CheckedResolver(
                        self._networks, self._dns, plain_http=scheme == "http"
                    ),
                ),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                trust_env=False,  # no proxy from the environment: the checked address is reached
                auto_decompress=False,  # the answer's first bytes are kept as they came
                headers={"user-agent": f"Salon-Webhooks/{__version__}"},
            )
            for scheme in ("https", "http")
        }
        loop = asyncio.get_running_loop()
        self._loops = [loop.create_task(self._take_loop()), loop.create_task(self._record_loop())]

    async def close(self) -> None:
        """Stop: attempts in flight are abandoned (their leases end and they are taken again),
        outcomes already known are written."""
        for task in [*self._loops, *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._loops, *self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._write_outcomes()
        for session in self._sessions.values():
            await session.close()
        self._dns.shutdown(wait=False, cancel_futures=True)

    # ---- Taking due deliveries ----------------------------------------------------------

    async def _take_loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._take()
                await self._prune_now_and_then()
            except Exception:
                log.exception("webhook worker: could not take deliveries; trying again")
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self._settings.webhook_poll_seconds
        wakes = self._retries[:1]
        if self._look_past_later is not None:
            wakes.append(self._look_past_later)
        if wakes:
            until = (min(wakes) - utcnow()).total_seconds() + 0.01
            timeout = max(0.0, min(timeout, until))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _cap(self, id_webhook: int) -> int:
        """Attempts one endpoint may have in flight here: one while it is struggling (its last
        attempt here got no answer, or a 429 or 5xx), so a dead receiver holds one slot."""
        if id_webhook in self._struggling:
            return 1
        return self._settings.webhook_endpoint_concurrency

    async def _take(self) -> None:
        """Take due deliveries while there are slots, the oldest first, each endpoint up to its
        cap. Rows of an endpoint at its cap are left for later; the look past them (a scan
        of that endpoint's backlog) is made at most every `LOOK_PAST`, so another
        endpoint's rows behind a backlog wait that long at most, and a backlog is not scanned
        again for every attempt that ends."""
        self._look_past_later = None
        self._taking = True
        try:
            await self._take_while_free()
        finally:
            self._taking = False

    async def _take_while_free(self) -> None:
        while True:
            now = utcnow()
            while self._retries and self._retries[0] <= now:
                heapq.heappop(self._retries)  # due: this look takes it, or a later one
            free = self._settings.webhook_concurrency - len(self._tasks)
            if free <= 0:
                self._maybe_more = True  # a slot that frees wakes the loop
                return
            busy = [i for i, n in self._in_flight.items() if n >= self._cap(i)]
            brand_cap = self._settings.webhook_brand_concurrency
            busy_brands = [b for b, n in self._brand_in_flight.items() if n >= brand_cap]
            if busy or busy_brands:
                if now < self._look_past_at:
                    self._maybe_more = True
                    self._look_past_later = self._look_past_at
                    return
                self._look_past_at = now + LOOK_PAST
            async with self._database.transaction() as tx:
                jobs = await repository.due(tx, now, free, busy, busy_brands)
                counts = dict(self._in_flight)
                brands = dict(self._brand_in_flight)
                chosen: list[Job] = []
                for job in jobs:
                    endpoint, brand = job.id_webhook, job.id_brand
                    if (
                        counts.get(endpoint, 0) < self._cap(endpoint)
                        and brands.get(brand, 0) < brand_cap
                    ):
                        counts[endpoint] = counts.get(endpoint, 0) + 1
                        brands[brand] = brands.get(brand, 0) + 1
                        chosen.append(job)
                if chosen:
                    ids = [job.id_delivery for job in chosen]
                    await repository.lease(tx, ids, now + self._lease)
            for job in chosen:
                self._start(job)
            if len(jobs) < free:  # all that is due was seen
                # Some were left, or left out, for endpoints at their cap: look again when a
                # slot frees.
                self._maybe_more = bool(busy or busy_brands) or len(chosen) < len(jobs)
                return

    def _start(self, job: Job) -> None:
        self._in_flight[job.id_webhook] = self._in_flight.get(job.id_webhook, 0) + 1
        self._brand_in_flight[job.id_brand] = self._brand_in_flight.get(job.id_brand, 0) + 1
        task = asyncio.get_running_loop().create_task(self._attempt(job))
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(job, done))

    def _finished(self, job: Job, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        for counts, key in (
            (self._in_flight, job.id_webhook),
            (self._brand_in_flight, job.id_brand),
        ):
            left = counts[key] - 1
            if left:
                counts[key] = left
            else:
                del counts[key]
        if self._maybe_more or self._taking:
            self._wake.set()

    async def _prune_now_and_then(self) -> None:
        """Delivered and failed deliveries older than the retention, a batch at a time."""
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        before = utcnow() - timedelta(days=self._settings.webhook_retention_days)
        while True:
            async with self._database.transaction() as tx:
                pruned = await repository.prune(tx, before, PRUNE_BATCH)
            if pruned < PRUNE_BATCH:
                return

    # ---- One attempt --------------------------------------------------------------------

    async def _attempt(self, job: Job) -> None:
        started = time.monotonic()
        when = utcnow()
        status_code: int | None = None
        error: str | None = None
        excerpt = b""
        final = False
        address.attempt_brand.set(job.id_brand)  # whose lookups the resolver counts
        try:
            async with asyncio.timeout(self._timeout):
                status_code, excerpt = await self._send(job, when)
        except address.Refused as refused:
            error, final = refused.sentence, True
        except address.Unresolved:
            error = address.UNRESOLVED
        except TimeoutError:
            error = f"no answer within {self._timeout:g} s"
        except aiohttp.ClientError as failure:
            error = f"{type(failure).__name__}: {failure}".rstrip(": ")[:500]
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # an attempt never takes the worker down with it
            log.exception("webhook worker: attempt %s failed unexpectedly", job.id_delivery)
            error = f"{type(failure).__name__}"
        seconds = time.monotonic() - started
        duration_ms = int(seconds * 1000)
        metrics.WEBHOOK_ATTEMPT_SECONDS.observe(seconds)
        if status_code is not None and status_code < 500 and status_code != 429:
            self._struggling.discard(job.id_webhook)
        else:
            self._struggling.add(job.id_webhook)
        self._outcomes.append(
            self._judge(job, when, duration_ms, status_code, error, excerpt, final=final)
        )
        self._outcome_ready.set()

    async def _send(self, job: Job, when: datetime) -> tuple[int, bytes]:
        parsed = address.parse(job.url)
        # An address written in the URL is checked here; a name, when it is resolved.
        address.check_written(parsed, self._networks)
        body = job.payload.encode()
        keys = [job.secret]
        grace = job.previous_secret_expires
        if job.previous_secret and grace is not None and grace > when:
            keys.append(job.previous_secret)
        headers = signing.headers(keys, job.event_id, int(when.timestamp()), body)
        headers["content-type"] = "application/json"
        async with self._sessions[parsed.scheme].post(
            parsed.url,  # the URL checked, not the text again
            data=body,
            headers=headers,
            allow_redirects=False,  # a redirect could lead anywhere: it is an answer, final
        ) as response:
            excerpt = b""
            while len(excerpt) < EXCERPT_BYTES:
                chunk = await response.content.read(EXCERPT_BYTES - len(excerpt))
                if not chunk:
                    break
                excerpt += chunk
            return response.status, excerpt

    def _judge(
        self,
        job: Job,
        when: datetime,
        duration_ms: int,
        status_code: int | None,
        error: str | None,
        excerpt: bytes,
        *,
        final: bool,
    ) -> Outcome:
        """What the attempt makes of the delivery: delivered, due again later, or failed."""
        now = utcnow()
        schedule = self._settings.webhook_retry_schedule_seconds
        status, step, next_at = DeliveryStatus.FAILED, job.step, now
        done: datetime | None = now
        if status_code is not None and 200 <= status_code < 300:
            status = DeliveryStatus.DELIVERED
        elif not final and _retryable(status_code) and job.step < len(schedule):
            wait = schedule[job.step] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
            status, step, done = DeliveryStatus.PENDING, job.step + 1, None
            next_at = now + timedelta(seconds=wait)
        if error is None and status_code is not None and not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
        metrics.WEBHOOK_ATTEMPTS.labels(_OUTCOME_LABELS[status]).inc()
        return Outcome(
            id_delivery=job.id_delivery,
            id_webhook=job.id_webhook,
            number=job.attempts + 1,
            date_attempt=when,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
            # Text for people: PostgreSQL's text holds no NUL.
            response_excerpt=excerpt.decode("utf-8", "replace").replace("\x00", "\ufffd"),
            status=status,
            step=step,
            next_attempt_at=next_at,
            date_done=done,
        )

    # ---- Recording outcomes -------------------------------------------------------------

    async def _record_loop(self) -> None:
        while True:
            await self._outcome_ready.wait()
            self._outcome_ready.clear()
            try:
                await self._write_outcomes()
            except Exception:
                log.exception("webhook worker: could not record attempts; trying again")
                await asyncio.sleep(1)
                self._outcome_ready.set()

    async def _write_outcomes(self) -> None:
        """Every outcome known so far, in one transaction (attempts finish together under load,
        and one commit records them all)."""
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        now = utcnow()
        hours = self._settings.webhook_disable_after_hours
        reasons = {
            o.id_webhook: (
                f"Disabled on {now:%Y-%m-%d %H:%M} UTC: every attempt for {hours:g} hours "
                f"failed, the last with {o.error}."
            )
            for o in batch
            if not o.succeeded
        }
        self._writing = True
        try:
            async with self._database.transaction() as tx:
                await repository.settle(
                    tx,
                    batch,
                    now=now,
                    failing_before=now - timedelta(hours=hours),
                    reasons=reasons,
                )
        except BaseException:
            self._outcomes[:0] = batch  # written with the next ones
            raise
        finally:
            self._writing = False
        # Retries are due in the database now: look for them when they are due.
        retries = [o.next_attempt_at for o in batch if o.status == DeliveryStatus.PENDING]
        if retries:
            earliest = self._retries[0] if self._retries else None
            for when in retries[: MAX_RETRIES_KEPT - len(self._retries)]:
                heapq.heappush(self._retries, when)
            if self._retries and (earliest is None or self._retries[0] < earliest):
                self._wake.set()
