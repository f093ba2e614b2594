"""The ASGI application. Nothing happens at import: `create_app` builds it, the lifespan opens
the database and the broker."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from salon import __version__, logs, metrics
from salon.api.docs import install_docs
from salon.api.errors import install_error_handlers
from salon.api.guards import RequestGuard
from salon.api.health import router as health_router
from salon.api.metrics import router as metrics_router
from salon.api.observe import Observer
from salon.api.openapi import document_authentication, operation_id
from salon.api.router import ROUTERS
from salon.auth.passwords import PasswordHashing
from salon.config import Settings
from salon.db.open import open_database
from salon.ratelimit import RateLimiter
from salon.realtime.broker import Broker, MemoryBroker, RedisBroker
from salon.realtime.hub import Hub
from salon.realtime.router import recheck
from salon.web.pages import install_pages
from salon.webhooks.router import document_events
from salon.webhooks.worker import Dispatcher


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = await open_database(settings)
        app.state.broker = _broker(settings)
        app.state.hub = Hub(
            app.state.broker,
            settings.ws_heartbeat_seconds,
            recheck(app.state.database),
            settings.ws_token_recheck_seconds,
        )
        await app.state.hub.start()
        app.state.rate_limiter = RateLimiter(settings.redis_url, settings.redis_prefix)
        app.state.password_hashing = PasswordHashing(
            settings.password_hash_concurrency, settings.password_hash_queue
        )
        app.state.webhooks = Dispatcher(app.state.database, settings)
        if settings.webhook_worker:
            await app.state.webhooks.start()
        if settings.gc_freeze:
            # What startup built (the app, its routes and models) lives as long as the
            # process. Frozen, it is no longer scanned: a full collection went from 118 ms to
            # 8 ms, and those pauses were the p99 of the hot routes (docs/performance.md).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await app.state.webhooks.close()
            await app.state.hub.close()
            app.state.password_hashing.close()
            await app.state.rate_limiter.close()
            await app.state.database.close()
            metrics.process_ended()

    app = FastAPI(
        title="Salon",
        version=__version__,
        summary="Chat backend for brand-ambassador commerce chat, with chatroom ratings.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Served by api/docs.py from assets shipped with Salon, not from public CDNs.
        docs_url=None,
        redoc_url=None,
        # FastAPI's built-in OpenTelemetry hooks asked the tracer, meter and logger providers
        # on every request (2% of a rating); Salon does not export OpenTelemetry.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    # Around the guard, so that it sees every answer, the guard's refusals included; inside
    # the proxy headers' reading, so that it logs the client, not the proxy.
    app.add_middleware(Observer, with_metrics=settings.metrics, with_access_log=settings.access_log)
    if settings.trusted_proxies:
        # The one place a client address is read from X-Forwarded-For: only from a connection
        # of a trusted proxy, and the client is the nearest address that is not a trusted
        # proxy (proxies append, so what a client writes itself stays at the left end).
        # `salon serve` runs uvicorn without proxy headers, so nothing rewrote it before.
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[str(network) for network in settings.trusted_proxies],
        )
    install_error_handlers(app)
    # Each router straight on the app: every level of inclusion costs its own matching pass.
    for router in ROUTERS:
        app.include_router(router, prefix=settings.api_prefix)
    app.include_router(health_router)
    if settings.metrics:
        app.include_router(metrics_router)
    document_events(app)
    document_authentication(app)
    install_docs(app)
    install_pages(app, settings)
    return app


def _broker(settings: Settings) -> Broker:
    """In memory for one process; Redis when several processes must share events."""
    if settings.redis_url is None:
        return MemoryBroker(
            settings.realtime_retention_events,
            settings.realtime_retention_seconds,
            settings.realtime_retention_streams,
        )
    return RedisBroker(
        settings.redis_url,
        settings.redis_prefix,
        settings.realtime_retention_events,
        settings.realtime_retention_seconds,
        presence_ttl_seconds=int(settings.ws_heartbeat_seconds * 2.5),
    )
