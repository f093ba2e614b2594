"""Prometheus metrics (docs/operations.md has the catalogue).

With several worker processes each one writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode), and `/metrics`, answered
by any worker, adds them up: `salon serve` sets that folder up before this module is imported
(prometheus-client reads it when a metric is created). In a
single process without it, the values live in memory. Everything here is cheap enough to be
counted whether `/metrics` is served or not, except the per-request metrics, which the request
observer records only when it is (api/observe.py).
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "salon_http_requests",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "salon_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer",
    ["method", "route"],
    buckets=SECONDS,
)
REQUEST_DB_SECONDS = Histogram(
    "salon_http_request_database_seconds",
    "Time a request spent in the database: statements, BEGIN and COMMIT, waiting for a "
    "connection or SQLite's write turn",
    ["method", "route"],
    buckets=SECONDS,
)
RATE_LIMITED = Counter(
    "salon_rate_limit_refusals",
    "Requests refused with 429, by route template",
    ["route"],
)
SOCKETS = Gauge(
    "salon_websockets_open",
    "Open real-time sockets",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "salon_realtime_events_published", "Real-time events published after a commit"
)
FRAMES_DELIVERED = Counter(
    "salon_realtime_frames_delivered", "Event frames handed to this process's open sockets"
)
WEBHOOK_ATTEMPTS = Counter(
    "salon_webhook_attempts",
    "Webhook delivery attempts, by what they made of the delivery",
    ["outcome"],  # delivered, retrying, failed
)
WEBHOOK_ATTEMPT_SECONDS = Histogram(
    "salon_webhook_attempt_duration_seconds",
    "Time of one webhook delivery attempt",
    buckets=SECONDS,
)


def process_ended() -> None:
    """A worker that stops takes its open sockets out of the gauge's live sum."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, summed over the workers when there are several."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
