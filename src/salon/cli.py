"""The `salon` command: serve, migrate, demo data, and brand/ambassador/chatroom/token/webhook
admin."""

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import orjson
import typer

from salon.config import Settings
from salon.db import migrate
from salon.db.database import Transaction
from salon.db.open import open_database
from salon.errors import AppError, Invalid, NotFound
from salon.realtime import outbox
from salon.records import STAFF_STATUSES, Ambassador

if TYPE_CHECKING:
    from pydantic import BaseModel

T = TypeVar("T")

app = typer.Typer(
    help="Salon: chat backend for brand-ambassador commerce chat.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
brand_app = typer.Typer(help="Brands.", no_args_is_help=True)
ambassador_app = typer.Typer(help="Ambassadors (people).", no_args_is_help=True)
chatroom_app = typer.Typer(help="Chatrooms.", no_args_is_help=True)
tag_app = typer.Typer(help="Brand tags: groups of ambassadors.", no_args_is_help=True)
webhook_app = typer.Typer(
    help="Webhook endpoints of a brand (docs/webhooks.md).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(brand_app, name="brand")
app.add_typer(ambassador_app, name="ambassador")
app.add_typer(chatroom_app, name="chatroom")
app.add_typer(tag_app, name="tag")
app.add_typer(webhook_app, name="webhook")


def in_transaction(work: Callable[[Transaction], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction against SALON_DATABASE_URL; then announce the
    tokens it revoked (docs/realtime.md)."""

    async def run() -> T:
        settings = Settings()
        database = await open_database(settings)
        try:
            async with database.transaction() as tx:
                result = await work(tx)
            revoked = outbox.take(tx).revoked
        finally:
            await database.close()
        if revoked:
            await _announce_revoked(settings, revoked)
        return result

    try:
        return asyncio.run(run())
    except AppError as error:
        message = str(error) if not isinstance(error, Invalid) else _first(error)
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None


async def _announce_revoked(settings: Settings, token_hashes: list[str]) -> None:
    """With Redis, every server closes the revoked tokens' sockets at once. Without it this
    process cannot reach the servers' memory: each server finds them at its next recheck of its
    sockets' tokens (SALON_WS_TOKEN_RECHECK_SECONDS)."""
    if settings.redis_url is None:
        return
    from salon.realtime.broker import RedisBroker

    broker = RedisBroker(settings.redis_url, settings.redis_prefix)
    try:
        await broker.revoke(token_hashes)
    except Exception as error:  # the revocation is committed either way
        typer.echo(
            f"warning: revoked, but not announced through Redis ({error}); open sockets close "
            f"within {settings.ws_token_recheck_seconds:g} s",
            err=True,
        )
    finally:
        await broker.close()


def _first(error: Invalid) -> str:
    return "; ".join(f"{field}: {m}" for field, ms in error.errors.items() for m in ms)


def echo_json(value: object) -> None:
    typer.echo(orjson.dumps(value).decode())


def _prepare_metrics_folder() -> None:
    """Where the workers write their metrics (prometheus-client's multiprocess mode), set
    before any of them imports prometheus-client: the operator's `PROMETHEUS_MULTIPROC_DIR`,
    rid of its `*.db` files (values of processes that are gone would be added to the new
    ones), or a new folder, removed when `salon serve` ends."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for values in Path(folder).glob("*.db"):  # prometheus-client's files, nothing else
            values.unlink()
    else:
        folder = tempfile.mkdtemp(prefix="salon-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


def _read_json(path: Path) -> Any:
    """A JSON file's content; None when it is missing or not JSON."""
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _write_private(path: Path, content: bytes) -> None:
    """Replace `path` at once (never half written), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: a new file (O_EXCL, mode 0600) under a name nobody can have prepared.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as written:
            written.write(content)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the HTTP API (uvicorn, asyncio's event loop, httptools)."""
    import uvicorn

    from salon import logs

    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)  # each worker does it again
    if settings.metrics:
        _prepare_metrics_folder()
    uvicorn.run(
        "salon.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # asyncio's own loop, not uvloop: saturated by 64 connections, uvloop left a few of
        # them unread for half a second (p99 509 ms against a p50 of 28; asyncio: 31 ms), and
        # it was no faster for Salon (docs/performance.md).
        loop="asyncio",
        http="httptools",
        log_level=settings.log_level,
        log_config=None,  # Salon's format (salon/logs.py), not uvicorn's
        access_log=False,  # Salon writes its own, with the route template and request id
        # uvicorn would take X-Forwarded-For from 127.0.0.1 by default: the app decides
        # (SALON_TRUSTED_PROXIES), so that a client cannot name its own address.
        proxy_headers=False,
        # Frames are small JSON; per-message compression would keep two zlib windows per
        # socket (45 KiB measured), most of a socket's memory, to save little.
        ws_per_message_deflate=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to REVISION (default: the newest)."""
    migrate.upgrade(Settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "base") -> None:
    """Migrate the database down to REVISION (default: empty)."""
    migrate.downgrade(Settings().database_url, revision)


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            help="Keep the credentials this file holds from an earlier run that still work, "
            "and write the result to it (readable by its owner only)",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Where Salon is served (http://127.0.0.1:8000): also print links to its web "
            "pages that sign in as each demo person",
        ),
    ] = None,
) -> None:
    """Load the demo brand, people and chatrooms (idempotent) and print demo credentials."""
    from salon.provisioning.demo import load_demo

    earlier = _read_json(file) if file is not None else None
    data = in_transaction(lambda tx: load_demo(tx, earlier))
    if file is not None:
        _write_private(file, orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    if as_json:
        echo_json(data)
        return
    typer.echo(f"brand {data['brand']['id_brand']} ({data['brand']['label']})")
    for person in data["ambassadors"]:
        typer.echo(
            f"  ambassador {person['id_ambassador']} {person['firstname']} "
            f"(status {person['status']}) token {person['token']}"
        )
    for chatroom in data["chatrooms"]:
        typer.echo(f"  chatroom {chatroom['id_chatroom']} between {chatroom['ids_ambassadors']}")
    if base_url is not None:
        _print_page_links(base_url.rstrip("/"), data)


def _print_page_links(base_url: str, data: dict[str, Any]) -> None:
    """Links that sign a browser tab in as each demo person: the token rides in the address's
    fragment, which the browser never sends; the page keeps it for the tab and removes it from
    the address (docs/web.md)."""
    typer.echo(
        "Web pages (with SALON_UI_TOKEN_LINKS=true, as make serve runs it, each link signs "
        "one browser tab in as that person):"
    )
    for person in data["ambassadors"]:
        staff = person["status"] in STAFF_STATUSES
        page = "ratings" if staff else "chat"
        typer.echo(
            f"  {person['firstname']:<6} {page:<8} {base_url}/ui/{page}#token={person['token']}"
        )
    typer.echo(
        f"  The rater's page, {base_url}/r/<token>, opens from the link that a "
        "rating.requested webhook carries (docs/web.md)."
    )


@token_app.command("create")
def token_create(
    ambassador: Annotated[int, typer.Option(help="The ambassador id")],
    label: Annotated[str, typer.Option(help="A note to recognise the token")] = "",
) -> None:
    """Issue a token for an ambassador; it is printed once and stored hashed."""
    from salon.auth.service import issue_token

    async def work(tx: Transaction) -> str:
        return await issue_token(tx, await _ambassador(tx, ambassador), label)

    typer.echo(in_transaction(work))


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str | None, typer.Argument(help="The token to revoke")] = None,
    ambassador: Annotated[
        int | None, typer.Option(help="Revoke every live token of this ambassador instead")
    ] = None,
) -> None:
    """Revoke a token, or all of a person's tokens, at once: their sockets close too."""
    from salon.auth.service import revoke_token, revoke_tokens

    if (token is None) == (ambassador is None):
        typer.echo("error: give a token or --ambassador, not both", err=True)
        raise typer.Exit(2)
    if ambassador is not None:
        count = in_transaction(lambda tx: revoke_tokens(tx, ambassador))
        typer.echo(f"{count} token(s) revoked")
        return
    assert token is not None
    if not in_transaction(lambda tx: revoke_token(tx, token)):
        typer.echo("error: no live token matches", err=True)
        raise typer.Exit(1)


@brand_app.command("create")
def brand_create(
    label: Annotated[str, typer.Option(help="Unique brand name")],
    domain: Annotated[
        str | None, typer.Option(help="The shop's domain (X-Popsell-Domain on /auth/*)")
    ] = None,
) -> None:
    """Create a brand; prints its id."""
    from salon.provisioning.service import create_brand

    async def work(tx: Transaction) -> int:
        return (await create_brand(tx, label, domain)).id_brand

    typer.echo(in_transaction(work))


@brand_app.command("set")
def brand_set(
    brand: Annotated[int, typer.Option(help="The brand id")],
    default_language: Annotated[str | None, typer.Option(help="A locale, e.g. fr_FR")] = None,
    url: Annotated[str | None, typer.Option(help="The brand's site")] = None,
    program_label: Annotated[str | None, typer.Option()] = None,
    register_restriction: Annotated[
        str | None, typer.Option(help="MANUALLY, AUTOMATICALLY or CLOSED")
    ] = None,
    product_price_display_limit: Annotated[int | None, typer.Option()] = None,
    widget_wl_cta_chat_topic: Annotated[
        int | None, typer.Option(help="The chat topic the widget's waiting-list button proposes")
    ] = None,
    widget_community_default_sort_amb_by: Annotated[int | None, typer.Option()] = None,
    timezone: Annotated[str | None, typer.Option(help="e.g. Europe/Paris")] = None,
    brand_config: Annotated[str | None, typer.Option(help="A JSON object")] = None,
    available_content_language: Annotated[
        str | None, typer.Option(help="Locales, comma-separated: fr_FR,en_US")
    ] = None,
    widget_config: Annotated[
        str | None,
        typer.Option(help="JSON: {global: {...Url}, community: {...}, picking: {...}}"),
    ] = None,
) -> None:
    """Set what GET /brand and GET /widget/config show (options left out are kept); prints
    GET /brand's answer."""
    from salon.brands import service
    from salon.brands.schemas import brand_wire

    changes = {
        "default_language": default_language,
        "url": url,
        "program_label": program_label,
        "register_restriction": register_restriction,
        "product_price_display_limit": product_price_display_limit,
        "widget_wl_cta_chat_topic": widget_wl_cta_chat_topic,
        "widget_community_default_sort_amb_by": widget_community_default_sort_amb_by,
        "timezone": timezone,
        "brand_config": brand_config,
        "available_content_language": available_content_language,
        "widget_config": widget_config,
    }

    async def work(tx: Transaction) -> dict[str, Any]:
        return brand_wire(await service.set_settings(tx, brand, changes))

    echo_json(in_transaction(work))


@brand_app.command("show")
def brand_show(brand: Annotated[int, typer.Option(help="The brand id")]) -> None:
    """What GET /brand and GET /widget/config answer for the brand: {"brand", "widget_config"}."""
    from salon.brands import service
    from salon.brands.schemas import brand_wire, widget_config_wire

    async def work(tx: Transaction) -> dict[str, Any]:
        found = await service.show(tx, brand)
        return {"brand": brand_wire(found), "widget_config": widget_config_wire(found)}

    echo_json(in_transaction(work))


@ambassador_app.command("create")
def ambassador_create(
    brand: Annotated[int, typer.Option(help="The brand id")],
    status: Annotated[int, typer.Option(help="Role: 0 ambassador … 5 manager, 7 client, 8 temp")],
    firstname: Annotated[str, typer.Option()] = "",
    lastname: Annotated[str, typer.Option()] = "",
    email: Annotated[str | None, typer.Option()] = None,
    password: Annotated[
        str | None, typer.Option(help="Enables POST /auth/login (prefer `ambassador password`)")
    ] = None,
) -> None:
    """Create an ambassador (any role); prints its id."""
    from salon.auth.service import set_password
    from salon.provisioning.service import create_ambassador

    async def work(tx: Transaction) -> int:
        person = await create_ambassador(
            tx, brand, status=status, firstname=firstname, lastname=lastname, email=email
        )
        if password:
            await set_password(tx, person, password)
        return person.id_ambassador

    typer.echo(in_transaction(work))


@chatroom_app.command("create")
def chatroom_create(
    ambassador: Annotated[list[int], typer.Option(help="A participant id (repeat, at least 2)")],
    source: Annotated[
        int, typer.Option(min=0, max=2, help="0 direct, 1 waiting list, 2 hot list")
    ] = 0,
) -> None:
    """Create a chatroom between ambassadors of one brand; prints its id."""
    from salon.provisioning.service import create_chatroom

    async def work(tx: Transaction) -> int:
        members = [await _ambassador(tx, id_ambassador) for id_ambassador in ambassador]
        return await create_chatroom(tx, members, source=source)

    typer.echo(in_transaction(work))


async def _ambassador(tx: Transaction, id_ambassador: int) -> Ambassador:
    from salon.ambassadors import repository

    person = await repository.get(tx, id_ambassador)
    if person is None:
        raise NotFound("ambassador")
    return person


@ambassador_app.command("password")
def ambassador_password(
    ambassador: Annotated[int, typer.Option(help="The ambassador id")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set the password used by POST /auth/login (asked for when not given)."""
    from salon.auth.service import set_password

    async def work(tx: Transaction) -> None:
        await set_password(tx, await _ambassador(tx, ambassador), password)

    in_transaction(work)


@ambassador_app.command("api-key")
def ambassador_api_key(ambassador: Annotated[int, typer.Option(help="The ambassador id")]) -> None:
    """Issue a new API key (the previous one stops working); printed once."""
    from salon.auth.service import set_api_key

    async def work(tx: Transaction) -> str:
        return await set_api_key(tx, await _ambassador(tx, ambassador))

    typer.echo(in_transaction(work))


@tag_app.command("create")
def tag_create(
    brand: Annotated[int, typer.Option(help="The brand id")],
    name: Annotated[str, typer.Option(help="Unique within the brand")],
) -> None:
    """Create a brand tag; prints its id."""
    from salon.provisioning.service import create_brand_tag

    async def work(tx: Transaction) -> int:
        return (await create_brand_tag(tx, brand, name)).id_brand_tag

    typer.echo(in_transaction(work))


@tag_app.command("add")
def tag_add(
    tag: Annotated[int, typer.Option(help="The brand tag id")],
    ambassador: Annotated[list[int], typer.Option(help="An ambassador id (repeat)")],
) -> None:
    """Add ambassadors of the tag's brand to it (already members are left as they are)."""
    from salon.provisioning.service import add_tag_member

    async def work(tx: Transaction) -> None:
        for id_ambassador in ambassador:
            await add_tag_member(tx, tag, id_ambassador)

    in_transaction(work)


# ---- Webhooks: what brand staff do through /manager/webhooks, for an operator ---------------

Brand = Annotated[int, typer.Option(help="The brand id")]
WebhookArg = Annotated[int, typer.Argument(help="The webhook endpoint id")]


@webhook_app.command("add")
def webhook_add(
    brand: Brand,
    url: Annotated[str, typer.Option(help="https://... (http only to allowed networks)")],
    event: Annotated[
        list[str] | None, typer.Option(help="An event type to send (repeat; default: all)")
    ] = None,
    min_value: Annotated[int | None, typer.Option(help="rating events: lowest value sent")] = None,
    max_value: Annotated[
        int | None, typer.Option(help="rating events: highest value sent (2: low scores)")
    ] = None,
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Register an endpoint; prints it as JSON, with its signing secret (shown once)."""
    from salon.webhooks import service
    from salon.webhooks.schemas import WebhookCreate, webhook_wire

    body = _validated(
        WebhookCreate,
        {
            "url": url,
            "description": description,
            "event_types": event or None,
            "rating_value_min": min_value,
            "rating_value_max": max_value,
        },
    )

    async def work(tx: Transaction) -> object:
        endpoint = await service.create(tx, Settings(), brand, body)
        return webhook_wire(endpoint, with_secret=True)

    echo_json(in_transaction(work))


@webhook_app.command("list")
def webhook_list(brand: Brand) -> None:
    """The brand's endpoints, one JSON object a line."""
    from salon.api.pagination import MAX_PER_PAGE, PageRequest
    from salon.webhooks import service
    from salon.webhooks.schemas import webhook_wire

    async def work(tx: Transaction) -> list[object]:
        found: list[object] = []
        page = 1
        while True:
            endpoints, total = await service.page(tx, brand, PageRequest(page, MAX_PER_PAGE))
            found += [webhook_wire(e) for e in endpoints]
            if len(found) >= total or not endpoints:
                return found
            page += 1

    for endpoint in in_transaction(work):
        echo_json(endpoint)


def _set_enabled(brand: int, webhook: int, enabled: bool) -> None:
    from salon.webhooks import service
    from salon.webhooks.schemas import WebhookUpdate, webhook_wire

    async def work(tx: Transaction) -> object:
        body = WebhookUpdate(enabled=enabled)
        return webhook_wire(await service.update(tx, Settings(), brand, webhook, body))

    echo_json(in_transaction(work))


@webhook_app.command("enable")
def webhook_enable(brand: Brand, webhook: WebhookArg) -> None:
    """Enable an endpoint (one Salon disabled starts afresh; its kept deliveries resume)."""
    _set_enabled(brand, webhook, True)


@webhook_app.command("disable")
def webhook_disable(brand: Brand, webhook: WebhookArg) -> None:
    """Stop sending to an endpoint; its deliveries wait until it is enabled."""
    _set_enabled(brand, webhook, False)


@webhook_app.command("rotate")
def webhook_rotate(brand: Brand, webhook: WebhookArg) -> None:
    """A new signing secret (printed once); the old one also signs during the grace period."""
    from salon.webhooks import service

    async def work(tx: Transaction) -> str:
        return (await service.rotate_secret(tx, Settings(), brand, webhook)).secret

    typer.echo(in_transaction(work))


@webhook_app.command("test")
def webhook_test(brand: Brand, webhook: WebhookArg) -> None:
    """Queue a webhook.test event for the endpoint (a server delivers it); prints its id."""
    from salon.webhooks import service

    async def work(tx: Transaction) -> int:
        return (await service.send_test(tx, brand, webhook)).id_delivery

    typer.echo(in_transaction(work))


@webhook_app.command("work")
def webhook_work() -> None:
    """Deliver webhooks without serving HTTP, until SIGTERM or Ctrl-C: beside `salon serve`
    processes run with SALON_WEBHOOK_WORKER=false, so that deliveries take no time from
    requests. It finds new deliveries by polling (SALON_WEBHOOK_POLL_SECONDS)."""
    import signal

    from salon.webhooks.worker import Dispatcher

    async def work() -> None:
        settings = Settings()
        database = await open_database(settings)
        dispatcher = Dispatcher(database, settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await dispatcher.start()
            typer.echo("delivering webhooks", err=True)
            await stop.wait()
        finally:
            await dispatcher.close()
            await database.close()

    asyncio.run(work())


@webhook_app.command("remove")
def webhook_remove(brand: Brand, webhook: WebhookArg) -> None:
    """Delete an endpoint with its deliveries."""
    from salon.webhooks import service

    in_transaction(lambda tx: service.delete(tx, brand, webhook))


M = TypeVar("M", bound="BaseModel")


def _validated(model: type[M], fields: dict[str, object]) -> M:
    """The model from the options given (None: not given), or the first error and exit 1."""
    from pydantic import ValidationError

    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(str(part) for part in detail["loc"])
        typer.echo(f"error: {where}: {detail['msg']}", err=True)
        raise typer.Exit(1) from None
