"""All settings, read from `SALON_*` environment variables."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALON_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./var/salon.db",
        description="sqlite:///path or postgresql://user:pass@host/db (drivers are picked for you)",
    )
    api_prefix: str = Field(default="", description="mount the API under a prefix, e.g. /api/v2")
    ui_token_links: bool = Field(
        default=False,
        description="let a link carrying #token=... sign a web page in (the demo's links; "
        "`make serve` turns it on). Off, anyone could send a link that signs a shopper's tab "
        "in as someone else, whose chat the sender then reads",
    )
    rating_edit_window_days: int = Field(default=14, ge=0)
    rating_request_cooldown_days: int = Field(
        default=30,
        ge=0,
        description="a rater who has rated may be asked again after a new exchange of messages, "
        "or after this many days without one",
    )
    rating_request_expiry_days: int = Field(
        default=30,
        ge=1,
        description="a rating request unanswered this long expires: it no longer stands in the "
        "way of a new request, and it can no longer be answered",
    )
    rating_link_days: int = Field(
        default=7,
        ge=1,
        description="how long a rater's link (/public/ratings/{token}) works after the request",
    )
    rating_link_attempts_per_minute: int = Field(
        default=20, ge=1, description="reads and submissions per rating link"
    )
    public_requests_per_ip_per_minute: int = Field(
        default=60, ge=1, description="requests to /public routes per client address"
    )
    online_window_seconds: int = Field(default=300, ge=1)
    last_action_refresh_seconds: int = Field(
        default=60,
        ge=0,
        description="how stale last_action_date may get before a request writes it",
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    db_statement_cache_size: int = Field(
        default=100,
        ge=0,
        description="PostgreSQL: prepared statements kept per connection (0 behind PgBouncer "
        "in transaction mode before 1.21)",
    )
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    redis_url: str | None = Field(
        default=None, description="redis://host:6379/0: shared rate limits and real-time events"
    )
    redis_prefix: str = Field(default="salon:", description="prefix of every Redis key and channel")
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="comma-separated addresses or CIDRs of the proxies in front of Salon: only "
        "a connection from one of them may name the client in X-Forwarded-For",
    )
    password_hash_concurrency: int = Field(
        default=1,
        ge=1,
        description="password checks (Argon2: ~200 ms of a core, 64 MiB) a process runs at once",
    )
    password_hash_queue: int = Field(
        default=16,
        ge=0,
        description="logins a process lets wait for a check; beyond, 503 with Retry-After",
    )
    login_max_failures: int = Field(default=5, ge=1, description="per email, per window")
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_attempts_per_ip_per_minute: int = Field(
        default=30,
        ge=1,
        description="logins a minute per client address; guest creations and API-key "
        "exchanges get as many, each counted apart",
    )
    api_key_exchanges_per_hour: int = Field(
        default=60, ge=1, description="tokens one API key may buy (POST /auth/token)"
    )
    guests_per_brand_per_hour: int = Field(
        default=500,
        ge=1,
        description="guests (POST /auth/guest) a brand may get, whatever their addresses",
    )
    writes_per_minute: int = Field(default=120, ge=1, description="POST/PATCH/DELETE per person")
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="above the largest valid body: 10,000 characters JSON-escaped take 120 KB",
    )
    max_json_depth: int = Field(default=32, ge=2)
    idempotency_retention_hours: int = Field(default=24, ge=1)
    ws_heartbeat_seconds: float = Field(default=25.0, gt=0)
    ws_max_lifetime_seconds: float = Field(default=3600.0, gt=0)
    ws_queue_size: int = Field(default=1000, ge=1, description="frames a socket may lag behind")
    ws_token_recheck_seconds: float = Field(
        default=10.0,
        gt=0,
        description="how often each process rechecks its sockets' tokens (one query): closes "
        "sockets of tokens revoked where no announcement reaches (a CLI without Redis) and of "
        "disabled people",
    )
    realtime_retention_events: int = Field(default=1000, ge=1, description="kept per stream")
    realtime_retention_seconds: int = Field(default=600, ge=1, description="resume window")
    realtime_retention_streams: int = Field(
        default=100_000,
        ge=1,
        description="streams the in-memory broker keeps at most (least recently used forgotten "
        "first; a cursor on a forgotten stream is answered with resync)",
    )
    webhook_allowed_networks: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="comma-separated CIDRs webhooks may reach although they are private, "
        "loopback or link-local (e.g. 127.0.0.0/8 for a receiver on this machine); plain http "
        "is allowed only to these. Every other private address is refused (no SSRF)",
    )
    webhook_retry_schedule_seconds: Annotated[list[Annotated[float, Field(ge=0)]], NoDecode] = (
        Field(
            default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0],
            description="comma-separated waits before each retry (with 20% jitter); the default "
            "retries for 27.6 hours, 8 attempts in all",
        )
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="an attempt's whole time: connect, send, answer"
    )
    webhook_concurrency: int = Field(
        default=64, ge=1, description="deliveries a process attempts at once"
    )
    webhook_endpoint_concurrency: int = Field(
        default=8,
        ge=1,
        description="deliveries a process attempts at once to one endpoint (1 while its last "
        "attempt got no answer, 429 or 5xx): a slow or dead receiver holds no more, and other "
        "endpoints go on",
    )
    webhook_brand_concurrency: int = Field(
        default=16,
        ge=1,
        description="deliveries a process attempts at once for one brand, all its endpoints "
        "together: no brand takes every slot",
    )
    webhook_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often a process looks for due deliveries it was not told of (retries "
        "come due, rows written by other processes, leases of killed ones)",
    )
    webhook_disable_after_hours: float = Field(
        default=72.0,
        ge=0,
        description="an endpoint whose attempts have all failed for this long is disabled",
    )
    webhook_secret_grace_hours: float = Field(
        default=24.0, ge=0, description="after a rotation, the old secret signs too for this long"
    )
    webhook_retention_days: int = Field(
        default=30, ge=1, description="delivered and failed deliveries are kept this long"
    )
    webhook_endpoints_per_brand: int = Field(default=20, ge=1)
    webhook_worker: bool = Field(
        default=True, description="deliver from this process (off: only record deliveries)"
    )
    log_level: str = Field(default="info", description="debug, info, warning or error")
    log_format: Literal["auto", "text", "json"] = Field(
        default="auto",
        description="text: plain lines; json: one JSON object per line; auto: text on a "
        "terminal, json elsewhere (docs/operations.md lists the fields)",
    )
    access_log: bool = Field(
        default=True, description="one line per request (logger salon.access, at INFO)"
    )
    metrics: bool = Field(default=False, description="serve Prometheus metrics at /metrics")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="when set, /metrics asks for `Authorization: Bearer <this token>`",
    )
    gc_freeze: bool = Field(
        default=True,
        description="move what startup built out of the garbage collector's sight (a server; "
        "an app made and dropped many times in one process, as in tests, turns it off)",
    )

    @field_validator(
        "trusted_proxies",
        "webhook_allowed_networks",
        "webhook_retry_schedule_seconds",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def online_window(self) -> timedelta:
        return timedelta(seconds=self.online_window_seconds)

    @property
    def rating_edit_window(self) -> timedelta:
        return timedelta(days=self.rating_edit_window_days)

    @property
    def rating_request_cooldown(self) -> timedelta:
        return timedelta(days=self.rating_request_cooldown_days)

    @property
    def rating_link_lifetime(self) -> timedelta:
        return timedelta(days=self.rating_link_days)

    @property
    def rating_request_expiry(self) -> timedelta:
        return timedelta(days=self.rating_request_expiry_days)
