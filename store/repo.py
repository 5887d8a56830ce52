"""The store's functions: plain arguments in, plain rows out, a ``Session`` passed explicitly.

The write path for events is ``upsert_events``: it takes a batch of items, recognises the
ones already stored by their identity keys (``store.identity``), and writes new events,
revisions and identifiers with a handful of multi-row statements per batch, never one ORM
object per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NotRequired, TypedDict

from sqlalchemy import JSON, Date, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.identity import TEXT_ID_SCHEMES, cited_value, content_hash, event_key, identity_keys
from store.models import (
    CrawlRun,
    DatePrecision,
    Delivery,
    DeliveryStatus,
    Dossier,
    DossierEvent,
    Event,
    EventIdentifier,
    EventKind,
    EventRevision,
    EventStatus,
    Meta,
    RunStatus,
    Source,
    Subscriber,
    Subscription,
    UTCDateTime,
    Watch,
    WatchMatch,
    utcnow,
)

CHUNK = 500
STRONG_SCHEMES = (*TEXT_ID_SCHEMES, "NOR")
MAX_TITLE = 2_000
MAX_SUMMARY = 20_000
MAX_BODY = 500_000


class EventIn(TypedDict):
    """An event as a source reports it. Only the first four keys are required."""

    source: str
    kind: str
    date: date
    title: str
    summary: NotRequired[str]
    body: NotRequired[str]
    url: NotRequired[str]
    identifiers: NotRequired[dict[str, str]]
    published_on: NotRequired[date | None]
    date_precision: NotRequired[str]
    provenance: NotRequired[dict[str, Any]]
    cites: NotRequired[list[str]]
    details: NotRequired[dict[str, Any]]
    flags: NotRequired[list[str]]
    authority: NotRequired[int]


class InvalidEvent(ValueError):
    """An item that cannot be stored (no identity, unknown kind, no date)."""


@dataclass
class UpsertResult:
    """What one ``upsert_events`` call did; ids let callers link or notify."""

    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)  # the event of each input item, in order

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.item_ids += other.item_ids
        return self


@dataclass
class _Item:
    data: EventIn
    keys: list[tuple[str, str]]
    hash: str
    event_id: int | None = None


_KINDS = {k.value for k in EventKind}


def _prepare(item: EventIn) -> _Item:
    if item.get("kind") not in _KINDS:
        raise InvalidEvent(f"unknown kind {item.get('kind')!r}")
    if not isinstance(item.get("date"), date) or isinstance(item.get("date"), datetime):
        raise InvalidEvent(f"date must be a calendar date, got {item.get('date')!r}")
    data: EventIn = dict(item)  # type: ignore[assignment]
    data["title"] = " ".join(str(item.get("title", "")).split())[:MAX_TITLE]
    data["summary"] = str(item.get("summary", ""))[:MAX_SUMMARY]
    data["body"] = str(item.get("body", ""))[:MAX_BODY]
    data["url"] = str(item.get("url", ""))[:2000]
    data["identifiers"] = {k: str(v) for k, v in (item.get("identifiers") or {}).items() if v}
    keys = identity_keys(data["kind"], data["identifiers"])
    if not keys:
        raise InvalidEvent(f"no identifier for {data['title'][:80]!r}")
    digest = content_hash(
        data["kind"], data["date"], data["title"], data["summary"], data["url"], data["body"]
    )
    return _Item(data, keys, digest)


def _merge_batch(items: Iterable[EventIn]) -> tuple[list[_Item], list[int]]:
    """Fold items of one batch that share an identity key (the later one's content wins).

    Returns the merged items and, for each input item, the index of its merged item.
    """
    merged: list[_Item] = []
    positions: list[int] = []
    owner: dict[tuple[str, str], int] = {}
    for raw in items:
        item = _prepare(raw)
        index = next((owner[k] for k in item.keys if k in owner), None)
        if index is None:
            index = len(merged)
            merged.append(item)
        else:
            previous = merged[index]
            item.data["identifiers"] = {**previous.data["identifiers"], **item.data["identifiers"]}
            item.keys = list(dict.fromkeys(previous.keys + item.keys))
            merged[index] = item
        positions.append(index)
        for key in item.keys:
            owner.setdefault(key, index)
    return merged, positions


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``seq`` in slices of ``size`` (the bound on parameters of one ``IN`` query)."""
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _existing_keys(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    values = sorted({value for _, value in keys})
    found: dict[tuple[str, str], int] = {}
    table = EventIdentifier.__table__
    for chunk in chunks(values):
        rows = session.execute(
            select(table.c.scheme, table.c.value, table.c.event_id).where(table.c.value.in_(chunk))
        )
        for scheme, value, event_id in rows:
            if (scheme, value) in keys:
                found[(scheme, value)] = event_id
    return found


def _event_row(item: _Item, now: datetime) -> dict[str, Any]:
    d = item.data
    return {
        "key": event_key(d["date"], item.keys, d["title"]),
        "kind": d["kind"],
        "date": d["date"],
        "date_precision": d.get("date_precision", DatePrecision.DAY),
        "published_on": d.get("published_on"),
        "title": d["title"],
        "summary": d["summary"],
        "body": d["body"],
        "url": d["url"],
        "identifiers": d["identifiers"],
        "details": d.get("details") or {},
        "provenance": d.get("provenance") or {},
        "cites": sorted(set(d.get("cites") or [])),
        "flags": sorted(set(d.get("flags") or [])),
        "source": d["source"],
        "authority": int(d.get("authority", 0)),
        "status": EventStatus.CURRENT,
        "withdrawn_at": None,
        "revision": 1,
        "content_hash": item.hash,
        "first_seen_at": now,
        "last_seen_at": now,
        "changed_at": now,
    }


def _revision_row(event_id: int, number: int, item: _Item, now: datetime) -> dict[str, Any]:
    d = item.data
    return {
        "event_id": event_id,
        "number": number,
        "source": d["source"],
        "seen_at": now,
        "kind": d["kind"],
        "date": d["date"],
        "title": d["title"],
        "summary": d["summary"],
        "url": d["url"],
        "content_hash": item.hash,
    }


def _owner(item: _Item, owners: dict[tuple[str, str], int], current: dict[int, Any]) -> int | None:
    """The stored event this item is, by its most authoritative key.

    A weaker key (a NOR, an ELI) never joins two texts whose strong identifiers (JORFTEXT,
    CNILTEXT, …, NOR) disagree: one official identifier names one event.
    """
    mine = dict(item.keys)
    for key in item.keys:
        event_id = owners.get(key)
        if event_id is None:
            continue
        row = current[event_id]
        theirs = dict(identity_keys(row.kind, row.identifiers or {}))
        if any(mine[s] != theirs[s] for s in STRONG_SCHEMES if s in mine and s in theirs):
            continue
        return event_id
    return None


def upsert_events(
    session: Session, items: Iterable[EventIn], *, now: datetime | None = None
) -> UpsertResult:
    """Store a batch of items as events: new ones inserted, changed ones revised.

    An item joins the stored event that owns its most authoritative identity key. Its content
    replaces the event's when it comes from the same source, or from a source of higher
    ``authority`` (an official text over the seed timeline); a change makes a new revision.
    New identifiers are attached to the event unless another event already owns them.
    Raises ``InvalidEvent`` before writing anything if an item cannot be stored.
    """
    now = now or utcnow()
    batch, positions = _merge_batch(items)
    result = UpsertResult()
    if not batch:
        return result
    all_keys = {k for item in batch for k in item.keys}
    owners = _existing_keys(session, all_keys)
    ev = Event.__table__
    matched_ids = sorted({owners[k] for k in all_keys if k in owners})
    current: dict[int, Any] = {}
    for chunk in chunks(matched_ids):
        for row in session.execute(
            select(
                ev.c.id,
                ev.c.kind,
                ev.c.source,
                ev.c.authority,
                ev.c.content_hash,
                ev.c.revision,
                ev.c.identifiers,
            ).where(ev.c.id.in_(chunk))
        ):
            current[row.id] = row

    new_items: list[_Item] = []
    updates: list[dict[str, Any]] = []
    touches: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    identifier_rows: list[dict[str, Any]] = []
    for item in batch:
        event_id = _owner(item, owners, current)
        item.event_id = event_id
        if event_id is None:
            new_items.append(item)
            continue
        row = current[event_id]
        d = item.data
        merged_ids = {**d["identifiers"], **(row.identifiers or {})}
        for key in item.keys:
            if key not in owners:
                identifier_rows.append({"event_id": event_id, "scheme": key[0], "value": key[1]})
                owners[key] = event_id
        replaces = d["source"] == row.source or int(d.get("authority", 0)) > row.authority
        if replaces and item.hash != row.content_hash:
            merged_ids = {**(row.identifiers or {}), **d["identifiers"]}
            number = row.revision + 1
            updates.append(
                {
                    "_id": event_id,
                    "kind": d["kind"],
                    "date": d["date"],
                    "date_precision": d.get("date_precision", DatePrecision.DAY),
                    "published_on": d.get("published_on"),
                    "title": d["title"],
                    "summary": d["summary"],
                    "body": d["body"],
                    "url": d["url"],
                    "identifiers": merged_ids,
                    "details": d.get("details") or {},
                    "provenance": d.get("provenance") or {},
                    "cites": sorted(set(d.get("cites") or [])),
                    "flags": sorted(set(d.get("flags") or [])),
                    "source": d["source"],
                    "authority": int(d.get("authority", 0)),
                    "revision": number,
                    "content_hash": item.hash,
                    "last_seen_at": now,
                    "changed_at": now,
                }
            )
            revisions.append(_revision_row(event_id, number, item, now))
            result.updated.append(event_id)
        else:
            touches.append({"_id": event_id, "last_seen_at": now, "identifiers": merged_ids})
            result.unchanged.append(event_id)

    if new_items:
        rows = [_event_row(item, now) for item in new_items]
        _unique_keys(session, rows)
        _insert_many(session, ev, rows)
        ids = _ids_by_key(session, [row["key"] for row in rows])
        for row, item in zip(rows, new_items, strict=True):
            event_id = ids[row["key"]]
            item.event_id = event_id
            result.new.append(event_id)
            revisions.append(_revision_row(event_id, 1, item, now))
            for key in item.keys:
                if key not in owners:
                    owners[key] = event_id
                    identifier_rows.append(
                        {"event_id": event_id, "scheme": key[0], "value": key[1]}
                    )
    _insert_many(session, EventIdentifier.__table__, identifier_rows)
    _insert_many(session, EventRevision.__table__, revisions)
    if updates:
        columns = {k: bindparam(k) for k in updates[0] if k != "_id"}
        session.execute(
            update(ev).where(ev.c.id == bindparam("_id")).values(columns),
            updates,
            execution_options={"synchronize_session": False},
        )
    # an unchanged text that brings new identifiers (an official id for a text first seen in
    # a feed): the record changed, so pages and digests that show identifiers see it
    grown = [t for t in touches if t["identifiers"] != current[t["_id"]].identifiers]
    if grown:
        session.execute(
            update(ev)
            .where(ev.c.id == bindparam("_id"))
            .values(identifiers=bindparam("identifiers"), changed_at=now),
            grown,
            execution_options={"synchronize_session": False},
        )
    for chunk in chunks(sorted({t["_id"] for t in touches})):
        session.execute(update(ev).where(ev.c.id.in_(chunk)).values(last_seen_at=now))
    result.item_ids = [batch[i].event_id for i in positions]
    return result


# --- raw multi-row inserts ------------------------------------------------------------------
# SQLAlchemy spends ~100 µs per row binding parameters; the write path of a crawl inserts
# tens of thousands of rows, so rows are converted once here and handed to the driver's
# executemany directly.


def _json_text(value: Any) -> str:
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def _converter(column: Any, dialect: str) -> Any:
    kind = column.type
    if isinstance(kind, JSON):
        return _json_text
    if isinstance(kind, UTCDateTime):
        cache: dict[datetime, Any] = {}  # rows of one batch share their timestamps

        def timestamp(value: datetime | None) -> Any:
            if value is None:
                return None
            if value not in cache:
                naive = value.astimezone(UTC).replace(tzinfo=None)
                cache[value] = (
                    naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else naive
                )
            return cache[value]

        return timestamp
    if isinstance(kind, Date) and dialect == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    return None


def _insert_many(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    statement = insert(table).compile(dialect=dialect, column_keys=names)
    converters = [(n, _converter(table.c[n], dialect.name)) for n in names]
    if dialect.paramstyle == "qmark":
        order = statement.positiontup or names
        position = {n: i for i, n in enumerate(names)}
        plan = [converters[position[k]] for k in order]  # once, not for every row
        params: list[Any] = [tuple([c(r[n]) if c else r[n] for n, c in plan]) for r in rows]
    else:
        params = [{n: (c(r[n]) if c else r[n]) for n, c in converters} for r in rows]
    connection.exec_driver_sql(str(statement), params)


def _ids_by_key(session: Session, keys: list[str]) -> dict[str, int]:
    ev = Event.__table__
    found: dict[str, int] = {}
    for chunk in chunks(keys):
        found.update(session.execute(select(ev.c.key, ev.c.id).where(ev.c.key.in_(chunk))).all())
    return found


def _unique_keys(session: Session, rows: list[dict[str, Any]]) -> None:
    """Suffix ``-2``, ``-3``… to keys already taken (in the store or earlier in the batch)."""
    taken = set(_ids_by_key(session, [row["key"] for row in rows]))
    for row in rows:
        base, number = row["key"], 1
        while row["key"] in taken:
            number += 1
            row["key"] = f"{base[:190]}-{number}"
        taken.add(row["key"])


def find_event(session: Session, scheme: str, value: str) -> Event | None:
    """The event owning an identity key, e.g. ``("JORFTEXT", "JORFTEXT000047561974")``."""
    return (
        session.execute(
            select(Event)
            .join(EventIdentifier, EventIdentifier.event_id == Event.id)
            .where(EventIdentifier.scheme == scheme, EventIdentifier.value == value)
        )
        .scalars()
        .first()
    )


def get_event(session: Session, key: str) -> Event | None:
    """The event with this readable key (``20230519-jorftext000047561974``)."""
    return session.execute(select(Event).where(Event.key == key)).scalars().first()


def withdraw(session: Session, scheme: str, value: str, at: datetime | None = None) -> bool:
    """Mark the event owning ``(scheme, value)`` withdrawn; it is kept, never deleted."""
    event = find_event(session, scheme, value)
    if event is None or event.status == EventStatus.WITHDRAWN:
        return False
    event.status = EventStatus.WITHDRAWN
    event.withdrawn_at = at or utcnow()
    event.changed_at = event.withdrawn_at
    session.add(event)
    return True


def revisions(session: Session, event_id: int) -> list[EventRevision]:
    """Every revision of an event, oldest first."""
    return list(
        session.execute(
            select(EventRevision)
            .where(EventRevision.event_id == event_id)
            .order_by(EventRevision.number)
        ).scalars()
    )


def events(
    session: Session,
    *,
    dossier: str | None = None,
    kinds: Sequence[str] = (),
    sources: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    changed_since: datetime | None = None,
    include_withdrawn: bool = True,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Event]:
    """Events in date order (oldest first unless ``newest_first``), filtered."""
    query = select(Event)
    if dossier:
        query = query.join(DossierEvent, DossierEvent.event_id == Event.id).where(
            DossierEvent.dossier == dossier
        )
    if kinds:
        query = query.where(col(Event.kind).in_(list(kinds)))
    if sources:
        query = query.where(col(Event.source).in_(list(sources)))
    if since:
        query = query.where(Event.date >= since)
    if until:
        query = query.where(Event.date <= until)
    if changed_since:
        query = query.where(Event.changed_at >= changed_since)
    if not include_withdrawn:
        query = query.where(Event.status == EventStatus.CURRENT)
    order = (
        (col(Event.date).desc(), col(Event.id).desc())
        if newest_first
        else (col(Event.date), col(Event.id))
    )
    query = query.order_by(*order)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


# --- dossiers and watches -------------------------------------------------------------------


def save_dossier(session: Session, slug: str, title: str, description: str = "") -> None:
    """Create or update a dossier's definition."""
    dossier = session.get(Dossier, slug) or Dossier(slug=slug)
    dossier.title, dossier.description, dossier.updated_at = title, description, utcnow()
    session.add(dossier)


def save_watch(
    session: Session, slug: str, title: str, terms: Sequence[str], exclude: Sequence[str] = ()
) -> None:
    """Create or update a watch's definition."""
    watch = session.get(Watch, slug) or Watch(slug=slug)
    watch.title, watch.terms, watch.exclude = title, list(terms), list(exclude)
    session.add(watch)


def link_events(session: Session, dossier: str, event_ids: Iterable[int], reason: str) -> int:
    """Put events in a dossier (already linked ones are left as they are); returns how many."""
    ids = sorted(set(event_ids))
    if not ids:
        return 0
    table = DossierEvent.__table__
    have: set[int] = set()
    for chunk in chunks(ids):
        have.update(
            session.execute(
                select(table.c.event_id).where(
                    table.c.dossier == dossier, table.c.event_id.in_(chunk)
                )
            ).scalars()
        )
    rows = [
        {"dossier": dossier, "event_id": i, "reason": reason[:300], "added_at": utcnow()}
        for i in ids
        if i not in have
    ]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


def record_matches(session: Session, matches: dict[int, dict[str, list[str]]]) -> int:
    """Store watch matches ``{event_id: {watch: [terms]}}``, replacing earlier ones."""
    table = WatchMatch.__table__
    ids = sorted(matches)
    for chunk in chunks(ids):
        session.execute(table.delete().where(table.c.event_id.in_(chunk)))
    rows = [
        {"watch": w, "event_id": i, "terms": sorted(t), "matched_at": utcnow()}
        for i in ids
        for w, t in matches[i].items()
    ]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


@dataclass
class DossierSummary:
    slug: str
    title: str
    description: str
    count: int
    latest: Event | None
    next_deadline: Event | None


def dossier_summaries(session: Session, today: date) -> list[DossierSummary]:
    """Each dossier with its event count, latest event and next deadline on or after ``today``."""
    out = []
    for dossier in session.execute(select(Dossier).order_by(Dossier.slug)).scalars():
        count = session.execute(
            select(func.count())
            .select_from(DossierEvent)
            .where(DossierEvent.dossier == dossier.slug)
        ).scalar_one()
        base = (
            select(Event)
            .join(DossierEvent, DossierEvent.event_id == Event.id)
            .where(DossierEvent.dossier == dossier.slug)
        )
        latest = (
            session.execute(
                base.where(Event.date <= today).order_by(col(Event.date).desc()).limit(1)
            )
            .scalars()
            .first()
        )
        deadline = (
            session.execute(
                base.where(Event.kind == EventKind.DEADLINE, Event.date >= today)
                .order_by(Event.date)
                .limit(1)
            )
            .scalars()
            .first()
        )
        out.append(
            DossierSummary(
                dossier.slug, dossier.title, dossier.description, count, latest, deadline
            )
        )
    return out


# --- sources and crawl runs -----------------------------------------------------------------


def source_state(session: Session, slug: str) -> Source:
    """The stored state of a source (created empty on first use)."""
    state = session.get(Source, slug)
    if state is None:
        state = Source(slug=slug)
        session.add(state)
        session.flush()
    return state


def start_run(session: Session, source: str) -> CrawlRun:
    """Record that a crawl of ``source`` starts now."""
    run = CrawlRun(source=source, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: RunStatus, message: str = "") -> None:
    """Close a crawl run and update its source's health counters."""
    now = utcnow()
    run.finished_at, run.status, run.message = now, status, message[:2000]
    state = source_state(session, run.source)
    state.last_run_at = now
    if status in (RunStatus.OK, RunStatus.PARTIAL):
        state.last_success_at = now
        state.consecutive_failures = 0
        if run.new:
            state.last_new_at = now
    elif status == RunStatus.FAILED:
        state.last_error_at, state.last_error = now, message[:2000]
        state.consecutive_failures += 1
    session.add_all([run, state])


def last_runs(session: Session) -> dict[str, CrawlRun]:
    """The most recent crawl run of each source."""
    latest = (
        select(CrawlRun.source, func.max(CrawlRun.id).label("id"))
        .group_by(CrawlRun.source)
        .subquery()
    )
    rows = session.execute(select(CrawlRun).join(latest, latest.c.id == CrawlRun.id)).scalars()
    return {run.source: run for run in rows}


def source_states(session: Session) -> dict[str, Source]:
    """Every stored source state by slug."""
    return {s.slug: s for s in session.execute(select(Source)).scalars()}


# --- small facts ----------------------------------------------------------------------------


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return None if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key) or Meta(key=key)
    row.value, row.updated_at = value, utcnow()
    session.add(row)


# --- reads for the crawl pipeline ----------------------------------------------------------


def followed_identifiers(session: Session) -> dict[str, set[str]]:
    """For each dossier, the identifier values of its events (JORFTEXT…, NOR, numbers…)."""
    ident, link = EventIdentifier.__table__, DossierEvent.__table__
    out: dict[str, set[str]] = {}
    rows = session.execute(
        select(link.c.dossier, ident.c.scheme, ident.c.value)
        .join(ident, ident.c.event_id == link.c.event_id)
        .where(ident.c.scheme.not_in(("SEED", "GUID", "URL")))
    )
    for dossier, scheme, value in rows:
        out.setdefault(dossier, set()).add(cited_value(scheme, value))
    return out


def known_events(session: Session, kind: str, identifiers: dict[str, str]) -> int | None:
    """The id of the stored event these identifiers name, if any."""
    for scheme, value in identity_keys(kind, identifiers):
        event = find_event(session, scheme, value)
        if event is not None:
            return event.id
    return None


def save_source_state(
    session: Session, slug: str, cursor: dict[str, Any], http_cache: dict[str, Any]
) -> None:
    """Record how far a source was read (saved with the last batch of its crawl)."""
    state = source_state(session, slug)
    state.cursor, state.http_cache = dict(cursor), dict(http_cache)
    session.add(state)


# --- subscriptions and the delivery outbox -------------------------------------------------


def add_subscription(
    session: Session,
    url: str,
    url_masked: str,
    *,
    cadence: str,
    watches: Sequence[str],
    dossiers: Sequence[str],
    label: str = "",
    origin: str = "cli",
    confirmed: bool = True,
    now: datetime | None = None,
) -> Subscription:
    """A subscriber (created, or found by URL) with one more subscription."""
    now = now or utcnow()
    subscriber = (
        session.execute(
            select(Subscriber).where(Subscriber.url == url, Subscriber.unsubscribed_at.is_(None))
        )
        .scalars()
        .first()
    )
    if subscriber is None:
        subscriber = Subscriber(
            url=url,
            url_masked=url_masked,
            label=label,
            origin=origin,
            created_at=now,
            confirmed_at=now if confirmed else None,
        )
        session.add(subscriber)
        session.flush()
    subscription = Subscription(
        subscriber_id=subscriber.id,
        cadence=cadence,
        watches=list(watches),
        dossiers=list(dossiers),
        last_digest_at=now,
    )
    session.add(subscription)
    session.flush()
    return subscription


def subscriptions(
    session: Session, *, active_only: bool = True
) -> list[tuple[Subscription, Subscriber]]:
    """Subscriptions with their subscriber; active ones: confirmed and not unsubscribed."""
    query = (
        select(Subscription, Subscriber)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .order_by(Subscription.id)
    )
    if active_only:
        query = query.where(
            Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None)
        )
    return [(a, b) for a, b in session.execute(query).all()]


def events_in_scope(
    session: Session, changed_since: datetime
) -> list[tuple[Event, set[str], set[str]]]:
    """Events changed since a time, each with the watches it matched and its dossiers."""
    found = list(
        session.execute(
            select(Event).where(Event.changed_at > changed_since).order_by(Event.date, Event.id)
        ).scalars()
    )
    return _with_scope(session, found)


def deadlines_between(
    session: Session, start: date, end: date
) -> list[tuple[Event, set[str], set[str]]]:
    """Deadline events dated in [start, end], with their watches and dossiers."""
    found = list(
        session.execute(
            select(Event)
            .where(
                Event.kind == EventKind.DEADLINE,
                Event.date >= start,
                Event.date <= end,
                Event.status == EventStatus.CURRENT,
            )
            .order_by(Event.date)
        ).scalars()
    )
    return _with_scope(session, found)


def _with_scope(session: Session, found: list[Event]) -> list[tuple[Event, set[str], set[str]]]:
    ids = [e.id for e in found]
    watches: dict[int, set[str]] = {}
    dossiers: dict[int, set[str]] = {}
    for chunk in chunks(ids):
        for watch, event_id in session.execute(
            select(WatchMatch.watch, WatchMatch.event_id).where(col(WatchMatch.event_id).in_(chunk))
        ):
            watches.setdefault(event_id, set()).add(watch)
        for dossier, event_id in session.execute(
            select(DossierEvent.dossier, DossierEvent.event_id).where(
                col(DossierEvent.event_id).in_(chunk)
            )
        ):
            dossiers.setdefault(event_id, set()).add(dossier)
    return [(e, watches.get(e.id, set()), dossiers.get(e.id, set())) for e in found]


def enqueue(session: Session, rows: list[dict[str, Any]], now: datetime | None = None) -> int:
    """Add outbox rows ``{subscription_id, event_id, revision, reason}`` not already there."""
    if not rows:
        return 0
    now = now or utcnow()
    table = Delivery.__table__
    wanted = {(r["subscription_id"], r["event_id"], r["revision"], r["reason"]) for r in rows}
    have = set()
    for chunk in chunks(sorted({r["subscription_id"] for r in rows})):
        have.update(
            session.execute(
                select(
                    table.c.subscription_id, table.c.event_id, table.c.revision, table.c.reason
                ).where(table.c.subscription_id.in_(chunk))
            ).all()
        )
    fresh = [
        {
            "subscription_id": s,
            "event_id": e,
            "revision": v,
            "reason": r,
            "status": DeliveryStatus.PENDING,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
            "sent_at": None,
            "message_id": "",
            "error": "",
        }
        for s, e, v, r in sorted(wanted - have)
    ]
    _insert_many(session, table, fresh)
    return len(fresh)


def pending(
    session: Session, subscription_ids: Sequence[int], now: datetime
) -> dict[int, list[tuple[Delivery, Event]]]:
    """Pending outbox rows due by ``now`` for these subscriptions, with their events."""
    out: dict[int, list[tuple[Delivery, Event]]] = {}
    for chunk in chunks(sorted(subscription_ids)):
        rows = session.execute(
            select(Delivery, Event)
            .join(Event, Event.id == Delivery.event_id)
            .where(
                col(Delivery.subscription_id).in_(chunk),
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.next_attempt_at <= now,
            )
            .order_by(Delivery.id)
        ).all()
        for delivery, event in rows:
            out.setdefault(delivery.subscription_id, []).append((delivery, event))
    return out


def mark_deliveries(
    session: Session,
    ids: Sequence[int],
    *,
    sent: bool,
    now: datetime,
    message_id: str = "",
    error: str = "",
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome of one send for its outbox rows."""
    table = Delivery.__table__
    for chunk in chunks(sorted(ids)):
        values: dict[str, Any] = {"attempts": table.c.attempts + 1, "message_id": message_id[:300]}
        if sent:
            values.update(status=DeliveryStatus.SENT, sent_at=now, error="")
        else:
            values.update(error=error[:2000], next_attempt_at=retry_at or now)
        session.execute(update(table).where(table.c.id.in_(chunk)).values(**values))


def confirm_subscriber(session: Session, subscriber_id: int, now: datetime) -> bool:
    """Confirm a pending subscriber; False if unknown, already confirmed, or ended."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.confirmed_at or subscriber.unsubscribed_at:
        return False
    subscriber.confirmed_at = now
    for subscription in session.execute(
        select(Subscription).where(Subscription.subscriber_id == subscriber_id)
    ).scalars():
        subscription.last_digest_at = now  # only what comes after confirmation
        session.add(subscription)
    session.add(subscriber)
    return True


def end_subscriber(session: Session, subscriber_id: int, now: datetime) -> bool:
    """Unsubscribe; False if unknown or already unsubscribed."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.unsubscribed_at:
        return False
    subscriber.unsubscribed_at = now
    session.add(subscriber)
    return True


# --- bulk reads for the site ---------------------------------------------------------------


# --- the scheduler lock --------------------------------------------------------------------


def acquire_lock(
    session: Session, name: str, owner: str, now: datetime, stale_after: timedelta
) -> str | None:
    """Take or renew the lock ``name`` for ``owner``; returns the other holder if refused.

    The lock is a row ``{owner}|{heartbeat}`` in ``Meta``; it is taken over only when its
    heartbeat is older than ``stale_after``. The update compares the old value, so two
    processes racing for a stale lock cannot both win (works alike on SQLite and PostgreSQL).
    """
    table = Meta.__table__
    key = f"lock:{name}"
    mine = f"{owner}|{now.astimezone(UTC).isoformat()}"
    row = session.execute(select(table.c.value).where(table.c.key == key)).first()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(insert(table).values(key=key, value=mine, updated_at=now))
            return None
        except IntegrityError:
            row = session.execute(select(table.c.value).where(table.c.key == key)).first()
    holder, _, beat = row[0].partition("|")
    if holder != owner:
        try:
            fresh = now - datetime.fromisoformat(beat) < stale_after
        except ValueError:
            fresh = False
        if fresh:
            return holder
    done = session.execute(
        update(table)
        .where(table.c.key == key, table.c.value == row[0])
        .values(value=mine, updated_at=now)
    )
    return None if done.rowcount == 1 else holder


def release_lock(session: Session, name: str, owner: str) -> None:
    """Give the lock back if ``owner`` holds it."""
    table = Meta.__table__
    session.execute(
        table.delete().where(table.c.key == f"lock:{name}", table.c.value.like(f"{owner}|%"))
    )
