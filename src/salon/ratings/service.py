"""The rating lifecycle: request, submit or change, soft delete (docs/decisions.md)."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from salon.api.listing import Sort
from salon.api.wire import DateRange, previous_period
from salon.auth.tokens import generate_rating_link, hash_token
from salon.chatrooms import access
from salon.chatrooms import repository as chatrooms
from salon.chatrooms.service import chatroom_of_brand, ensure_self_or_staff
from salon.clock import format_wire_datetime, utcnow
from salon.config import Settings
from salon.db.database import Database, Transaction
from salon.errors import Forbidden, Gone, Invalid, NotFound
from salon.messages import repository as messages
from salon.messages.schemas import message_wire
from salon.ratings import repository
from salon.ratings.schemas import RatingRequest, RatingSubmission, rating_wire
from salon.ratings.stats import (
    RATERS,
    BrandRatingStats,
    ComparedStats,
    DayStats,
    LeaderboardEntry,
    PeriodStats,
    RatingStats,
    ranked,
)
from salon.realtime import outbox
from salon.realtime.events import EventType
from salon.records import Ambassador, Chatroom, ChatroomType, MessageType, Rating

PENDING_EXISTS = "A rating request from this rater for this ambassador is already pending."
NOT_TAKEN_PART = "The selected id_user_rated has not taken part in this chatroom yet."
RATED_ALREADY = (
    "This rater has already rated this ambassador in this chatroom: change that rating with "
    "PATCH /chat/ratings/{{rating}}, or ask again after a new exchange of messages (or {days} "
    "days)."
)
SUPERSEDED = "The rating can no longer be changed: a newer request in this chatroom replaced it."
EXPIRED = "The rating request expired: it was not answered within {days} days."


async def request_rating(
    tx: Transaction,
    settings: Settings,
    caller: Ambassador,
    id_chatroom: int,
    body: RatingRequest,
    *,
    with_link: bool = True,
) -> dict[str, Any]:
    """Ask `id_user_rater` to rate `id_user_rated` in a chatroom: a pending rating and the
    `type_message` 2 message that carries it. A `value` sent by the rater rates at once.
    `with_link`: make the rater's link when someone else asks (only webhooks carry it).
    Returns the message as sent, which its events carry too."""
    chatroom = await chatroom_of_brand(tx, caller, id_chatroom)
    participants = {p.id_ambassador: p.ambassador for p in chatroom.participants}
    # Rater and rated are participants, so a caller who is neither a participant nor staff
    # can never be allowed: refuse before saying anything about the ids.
    if caller.id_ambassador not in participants and not caller.is_staff:
        raise Forbidden

    id_rated = body.id_user_rated if body.id_user_rated is not None else caller.id_ambassador
    id_rater = body.id_user_rater
    if id_rater is None:
        id_rater = _other_participant(chatroom, id_rated)
    _check_rater_and_rated(participants, id_rater, id_rated)
    assert id_rater is not None
    if caller.id_ambassador not in (id_rater, id_rated) and not caller.is_staff:
        raise Forbidden
    access.ensure_not_blocked(chatroom, caller)
    _check_immediate_score(body, caller, id_rater)

    now = utcnow()
    # Someone other than the rater asks: the rater gets a link to answer without signing in.
    link = generate_rating_link() if with_link and caller.id_ambassador != id_rater else None
    link_expires_at = now + settings.rating_link_lifetime if link is not None else None
    standing = await repository.standing(
        tx, id_chatroom=id_chatroom, id_user_rater=id_rater, id_user_rated=id_rated
    )
    _ensure_the_voice_counts_once(
        standing, asked_by_rater=caller.id_ambassador == id_rater, now=now, settings=settings
    )
    if standing.open_rating is not None:
        # Asked again after a new exchange: the previous rating stays as history.
        await repository.supersede(tx, standing.open_rating.id_rating, now)

    author = participants.get(caller.id_ambassador) or participants[id_rated]
    message = await messages.insert(
        tx,
        id_brand=chatroom.id_brand,
        id_chatroom=chatroom.id_chatroom,
        author=author,
        type_message=MessageType.RATING,
        content="",
        now=now,
    )
    try:
        rating = await repository.insert(
            tx,
            id_brand=chatroom.id_brand,
            id_chatroom=chatroom.id_chatroom,
            id_message=message.id_message,
            id_user_rater=id_rater,
            id_user_rated=id_rated,
            value=body.value,
            content=body.content,
            now=now,
            link_hash=None if link is None else hash_token(link),
            link_expires_at=link_expires_at,
        )
    except repository.OpenRatingExists:
        # A concurrent request for the same rater and ambassador committed first.
        raise Invalid.field("id_user_rater", PENDING_EXISTS) from None
    message = message._replace(rating=rating)
    await chatrooms.set_last_message_date(tx, chatroom, now)

    recipients = tuple(participants)
    wire = message_wire(message, now, settings.online_window)
    # A rating request is a message of the chatroom too: clients that only render messages
    # need nothing else.
    _publish(tx, EventType.MESSAGE_CREATED, rating, recipients, wire)
    webhook_data = None
    if link is not None:
        # The rater's credential goes to the brand's webhooks only (its mailer or CRM sends it
        # to the shopper): never to the caller, who may be the rated ambassador (they would
        # rate themselves), never to a socket, never to a read.
        assert link_expires_at is not None
        linked = {"token": link, "expires_at": format_wire_datetime(link_expires_at)}
        webhook_data = {**wire, "rating": {**wire["rating"], "link": linked}}
    _publish(tx, EventType.RATING_REQUESTED, rating, recipients, wire, webhook_data=webhook_data)
    if body.value is not None:
        _publish(tx, EventType.RATING_SUBMITTED, rating, recipients, rating_wire(rating))
    return wire


async def submit_rating(
    tx: Transaction,
    settings: Settings,
    caller: Ambassador,
    id_rating: int,
    body: RatingSubmission,
) -> Rating:
    """The rater gives or changes the score, within the edit window after the first one."""
    rating = await repository.get_live_for_update(tx, id_rating, caller.id_brand)
    if rating is None:
        raise NotFound("rating")
    if caller.id_ambassador != rating.id_user_rater:
        raise Forbidden
    return await _submit(tx, settings, rating, body)


async def _submit(
    tx: Transaction, settings: Settings, rating: Rating, body: RatingSubmission
) -> Rating:
    """The rules of a submission, whether the rater is signed in or follows their link."""
    if rating.is_superseded:
        raise Invalid.field("rating", SUPERSEDED)
    now = utcnow()
    if rating.is_pending and _request_expired(rating.date_insert, now, settings):
        raise Invalid.field("rating", EXPIRED.format(days=settings.rating_request_expiry_days))
    sent = body.model_fields_set
    if body.value is None and (rating.is_pending or "value" in sent or "content" not in sent):
        raise Invalid.field("value", "The value field is required.")
    first_submission = rating.date_rated is None
    if rating.date_rated is not None and now - rating.date_rated > settings.rating_edit_window:
        days = settings.rating_edit_window_days
        raise Invalid.field(
            "rating", f"The rating can no longer be changed: it was submitted over {days} days ago."
        )
    rating = rating._replace(
        value=body.value if body.value is not None else rating.value,
        content=body.content if "content" in sent else rating.content,
        date_update=now,
        date_rated=now if first_submission else rating.date_rated,
    )
    await repository.submit(tx, rating)
    event = EventType.RATING_SUBMITTED if first_submission else EventType.RATING_CHANGED
    recipients = await chatrooms.participant_ids(tx, rating.id_chatroom)
    _publish(tx, event, rating, recipients, rating_wire(rating))
    return rating


# ---- The rater's link ------------------------------------------------------------------

LINK_UNKNOWN = "rating link"
LINK_EXPIRED = "This rating link has expired."
LINK_WITHDRAWN = "This rating is no longer available."
LINK_REPLACED = "A newer rating request replaced this one."
REQUEST_EXPIRED = "This rating request has expired."


async def linked_rating(
    tx: Transaction, settings: Settings, token: str, *, for_update: bool = False
) -> repository.Linked:
    """The rating a link leads to, while the link works: 404 for a link that never existed,
    410 for one that expired, whose request expired unanswered, whose rating was deleted or
    replaced, or whose rater's account is disabled (signed in, they could not rate either)."""
    found = await repository.find_by_link(tx, hash_token(token), for_update=for_update)
    if found is None:
        raise NotFound(LINK_UNKNOWN)
    rating, now = found.rating, utcnow()
    if rating.date_delete is not None or not found.rater_active:
        raise Gone(LINK_WITHDRAWN)
    if rating.is_superseded:
        raise Gone(LINK_REPLACED)
    if now >= found.link_expires_at:
        raise Gone(LINK_EXPIRED)
    if rating.is_pending and _request_expired(rating.date_insert, now, settings):
        raise Gone(REQUEST_EXPIRED)
    return found


async def submit_by_link(
    tx: Transaction, settings: Settings, token: str, body: RatingSubmission
) -> repository.Linked:
    """The rater answers through their link: the rules of `PATCH /chat/ratings/{rating}`."""
    found = await linked_rating(tx, settings, token, for_update=True)
    rating = await _submit(tx, settings, found.rating, body)
    return replace(found, rating=rating)


async def delete_rating(tx: Transaction, caller: Ambassador, id_rating: int) -> Rating:
    """Brand staff soft-delete a rating: it leaves every aggregate and `last_rating`."""
    rating = await repository.get_live_for_update(tx, id_rating, caller.id_brand)
    if rating is None:
        raise NotFound("rating")
    if not caller.is_staff:
        raise Forbidden
    now = utcnow()
    await repository.delete(tx, rating.id_rating, now)
    rating = rating._replace(date_delete=now)
    recipients = await chatrooms.participant_ids(tx, rating.id_chatroom)
    _publish(tx, EventType.RATING_DELETED, rating, recipients, rating_wire(rating))
    return rating


def _other_participant(chatroom: Chatroom, id_rated: int) -> int | None:
    """In a one-to-one chatroom the rater defaults to whoever is not rated."""
    ids = [p.id_ambassador for p in chatroom.participants]
    if chatroom.type_chatroom != ChatroomType.ONE_TO_ONE or len(ids) != 2 or id_rated not in ids:
        return None
    return ids[0] if ids[1] == id_rated else ids[1]


def _check_rater_and_rated(
    participants: dict[int, Ambassador], id_rater: int | None, id_rated: int
) -> None:
    errors: dict[str, list[str]] = {}
    if id_rated not in participants:
        errors["id_user_rated"] = [
            "The selected id_user_rated is not a participant of this chatroom."
        ]
    if id_rater is None:
        if not errors:
            errors["id_user_rater"] = [
                "The id_user_rater field is required unless the chatroom is one-to-one."
            ]
    elif id_rater not in participants:
        errors["id_user_rater"] = [
            "The selected id_user_rater is not a participant of this chatroom."
        ]
    elif id_rater == id_rated:
        errors["id_user_rater"] = ["The id_user_rater and id_user_rated fields must be different."]
    if errors:
        raise Invalid(errors)


def _ensure_the_voice_counts_once(
    standing: repository.Standing, *, asked_by_rater: bool, now: datetime, settings: Settings
) -> None:
    """A rating means one person's judgement of one conversation (docs/security.md).

    - The rater may start a rating (with or without a score) only once the rated ambassador
      has taken part in the chatroom: nobody rates someone who never answered them.
    - One open rating per (chatroom, rater, rated): while it is pending, nobody asks again,
      unless it expired unanswered (`rating_request_expiry_days`); once given, it changes
      through PATCH. A new one may be asked after a new exchange (both
      have posted since it was asked) or after the cool-down, and then supersedes it.
    """
    if asked_by_rater and not standing.rated_took_part:
        raise Invalid.field("id_user_rated", NOT_TAKEN_PART)
    current = standing.open_rating
    if current is None:
        return
    if current.is_pending:
        if not _request_expired(current.date_asked, now, settings):
            raise Invalid.field("id_user_rater", PENDING_EXISTS)
        return  # unanswered for too long: it expired, and gives way to the new request
    cooled_down = (
        current.date_rated is not None
        and now - current.date_rated >= settings.rating_request_cooldown
    )
    if not standing.exchanged_since and not cooled_down:
        days = settings.rating_request_cooldown_days
        raise Invalid.field("id_user_rater", RATED_ALREADY.format(days=days))


def _check_immediate_score(body: RatingRequest, caller: Ambassador, id_rater: int) -> None:
    if body.value is None and body.content is None:
        return
    if caller.id_ambassador != id_rater:
        field = "value" if body.value is not None else "content"
        raise Invalid.field(field, f"Only the rater (id_user_rater) can send the {field} field.")
    if body.value is None:
        raise Invalid.field("value", "The value field is required when content is present.")


def _publish(
    tx: Transaction,
    type_: EventType,
    rating: Rating,
    recipients: tuple[int, ...],
    data: dict[str, Any],
    webhook_data: dict[str, Any] | None = None,
) -> None:
    outbox.enqueue(
        tx,
        type_,
        id_brand=rating.id_brand,
        id_chatroom=rating.id_chatroom,
        recipients=recipients,
        data=data,
        webhook_data=webhook_data,
    )


# ---- Reports (brand staff) -------------------------------------------------------------

MAX_REPORT_DAYS = 366
CSV_COLUMNS = (
    "id_rating",
    "id_chatroom",
    "id_message",
    "id_user_rater",
    "id_user_rated",
    "value",
    "content",
    "date_insert",
    "date_update",
    "date_rated",
)


def ensure_staff(caller: Ambassador) -> None:
    if not caller.is_staff:
        raise Forbidden


def _request_expired(asked: datetime, now: datetime, settings: Settings) -> bool:
    """Whether a request asked at `asked`, if still unanswered, has expired by `now`: the one
    rule that asking again, answering and the rater's link all apply (the reports' SQL applies
    it too, through `reported`)."""
    return now - asked >= settings.rating_request_expiry


def reported(filters: repository.RatingFilters, settings: Settings) -> repository.RatingFilters:
    """The report's filters, with the moment before which unanswered requests have expired."""
    return replace(filters, asked_since=utcnow() - settings.rating_request_expiry)


async def list_ratings(
    tx: Transaction,
    caller: Ambassador,
    filters: repository.RatingFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Rating], int]:
    ensure_staff(caller)
    return await repository.page(tx, caller.id_brand, filters, sort, offset, limit)


async def export_csv(
    database: Database, id_brand: int, filters: repository.RatingFilters, sort: Sort
) -> AsyncIterator[str]:
    """The ratings as CSV, row by row. A stream outlives the request's transaction, so it reads
    on a connection of its own (read only); the caller was checked before the stream began."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    async for rating in repository.stream(database, id_brand, filters, sort):
        writer.writerow(_csv_row(rating))
        if buffer.tell() > 64 * 1024:
            yield flush()
    yield flush()


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection":
# = + - @ tab CR; ASVS 5 adds NUL; LF like CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def _cell(value: object) -> object:
    """A text cell that would start a formula gets a leading apostrophe: spreadsheets then read
    it as text and do not show the apostrophe. The csv module quotes separators and quotes, so
    nothing starts a cell mid-text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(rating: Rating) -> list[object]:
    """The one place export rows are made; every cell goes through `_cell`."""

    def when(value: datetime | None) -> str:
        return format_wire_datetime(value) if value else ""

    return [
        _cell(value)
        for value in (
            rating.id_rating,
            rating.id_chatroom,
            rating.id_message,
            rating.id_user_rater,
            rating.id_user_rated,
            "" if rating.value is None else rating.value,
            rating.content or "",
            when(rating.date_insert),
            when(rating.date_update),
            when(rating.date_rated),
        )
    ]


async def ambassador_stats(
    tx: Transaction,
    caller: Ambassador,
    id_ambassador: int,
    days: DateRange,
    compare: bool = False,
) -> ComparedStats:
    """The ratings of one ambassador (as the rated), for that ambassador and brand staff;
    with `compare`, those of the period just before too. A range without a first day starts
    with the calendar, as the stats do: nothing comes before it."""
    days.check()
    await ensure_self_or_staff(tx, caller, id_ambassador)
    stats = await _period_stats(tx, caller.id_brand, days, id_ambassador)
    previous = None
    if compare and days.first is not None:
        # An open range ends today for the length of the period before.
        last = days.last or max(days.first, utcnow().date())
        previous = await _previous_stats(tx, caller.id_brand, days.first, last, id_ambassador)
    return ComparedStats(**stats.model_dump(), previous_period=previous)


async def _period_stats(
    tx: Transaction, id_brand: int, days: DateRange, id_user_rated: int | None
) -> RatingStats:
    filters = repository.RatingFilters(
        since=days.since, until=days.until, id_user_rated=id_user_rated
    )
    return RatingStats.of(await repository.value_counts(tx, id_brand, filters))


async def _previous_stats(
    tx: Transaction, id_brand: int, first: date, last: date, id_user_rated: int | None
) -> PeriodStats | None:
    """The stats of as many days as first..last just before `first`, if there are any."""
    period = previous_period(first, last)
    if period is None:
        return None
    stats = await _period_stats(tx, id_brand, DateRange(*period), id_user_rated)
    return PeriodStats(
        **stats.model_dump(), date_from=period[0].isoformat(), date_to=period[1].isoformat()
    )


async def brand_stats(
    tx: Transaction,
    caller: Ambassador,
    days: DateRange,
    id_user_rated: int | None = None,
    compare: bool = False,
) -> BrandRatingStats:
    """The brand's ratings over a range of days (default: the last 30) with a daily series;
    only those of one rated ambassador with `id_user_rated` (their time series); with
    `compare`, the totals of the period just before too."""
    ensure_staff(caller)
    first, last = _report_days(days)
    days = DateRange(first, last)
    filters = repository.RatingFilters(
        since=days.since, until=days.until, id_user_rated=id_user_rated
    )
    totals = RatingStats.of(await repository.value_counts(tx, caller.id_brand, filters))
    by_day = {row[0]: row for row in await repository.per_day(tx, caller.id_brand, filters)}
    series = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        _, asked, answered, total = by_day.get(day, (day, 0, 0, 0))
        average = round(total / answered, 2) if answered else None
        series.append(
            DayStats(date=day, nb_asked_ratings=asked, nb_ratings=answered, avg_rating=average)
        )
    previous = None
    if compare:
        previous = await _previous_stats(tx, caller.id_brand, first, last, id_user_rated)
    return BrandRatingStats(
        **totals.model_dump(),
        date_from=first.isoformat(),
        date_to=last.isoformat(),
        series=series,
        previous_period=previous,
    )


def _report_days(days: DateRange) -> tuple[date, date]:
    """A report's first and last day: the last 30 UTC days by default, at most
    `MAX_REPORT_DAYS`."""
    first, last = days.or_last_days(30, utcnow().date())
    DateRange(first, last).check()
    if (last - first).days >= MAX_REPORT_DAYS:
        raise Invalid.field(
            "filter[date_from]", f"The range must not exceed {MAX_REPORT_DAYS} days."
        )
    return first, last


async def leaderboard(
    tx: Transaction,
    caller: Ambassador,
    days: DateRange,
    min_ratings: int,
    by: str,
    raters: str = "visitors",
    compare: bool = False,
) -> list[LeaderboardEntry]:
    """The brand's rated ambassadors over a range of days (default: the last 30), ranked by
    `by` (stats.RANKED_BY), those with fewer than `min_ratings` scores given left out.
    One statement whatever the number of people: counts per person and value, with names.
    Only shoppers' voices count (stats.RATERS[raters]), and only people who are not shoppers
    are ranked: colleagues rating each other neither lift nor sink anyone."""
    ensure_staff(caller)
    first, last = _report_days(days)
    people, stats = await _rated_stats(tx, caller.id_brand, DateRange(first, last), raters)
    before: dict[int, RatingStats] = {}
    period = previous_period(first, last) if compare else None
    if period is not None:
        _, before = await _rated_stats(tx, caller.id_brand, DateRange(*period), raters)
    rank_before = {
        id_rated: position
        for position, (id_rated, _) in enumerate(ranked(_enough(before, min_ratings), by), 1)
    }
    none_before = RatingStats.of({}) if compare else None
    return [
        LeaderboardEntry(
            **entry.model_dump(),
            rank=position,
            id_ambassador=id_rated,
            firstname=people[id_rated].firstname,
            lastname=people[id_rated].lastname,
            image=people[id_rated].image,
            previous_period=before.get(id_rated, none_before),
            previous_rank=rank_before.get(id_rated),
        )
        for position, (id_rated, entry) in enumerate(
            ranked(_enough(stats, min_ratings), by), start=1
        )
    ]


async def _rated_stats(
    tx: Transaction, id_brand: int, days: DateRange, raters: str
) -> tuple[dict[int, repository.Named], dict[int, RatingStats]]:
    """Each rated ambassador's name and stats over `days`, from shoppers' voices only."""
    filters = repository.RatingFilters(since=days.since, until=days.until)
    counts = await repository.value_counts_by_rated(tx, id_brand, filters, RATERS[raters])
    people = {named.id_ambassador: named for named in counts}
    stats = {named.id_ambassador: RatingStats.of(by_value) for named, by_value in counts.items()}
    return people, stats


def _enough(stats: dict[int, RatingStats], min_ratings: int) -> dict[int, RatingStats]:
    return {id_rated: entry for id_rated, entry in stats.items() if entry.nb_ratings >= min_ratings}
