"""The store's reads for the static timeline site (``notify.site``).

Two ways in. A full pass reads every event's light columns, its dossiers and watches, so
that each page's fingerprint can be compared with the last build. A build that follows
another one the same day reads only what moved since: events changed or added, links and
watch matches made, and checks with a few counts that nothing else did (``counters``).

Columns holding JSON are returned as stored (text on SQLite) and decoded by ``decoded``,
which skips the empty ``{}`` and ``[]`` that most events carry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, func, select, type_coerce
from sqlmodel import Session

from store.models import DossierEvent, Event, EventRevision, EventStatus, WatchMatch
from store.repo import chunks

_CHUNK = 900
_EMPTY = {"{}": {}, "[]": [], "": None}
JSON_COLUMNS = ("identifiers", "details", "provenance", "cites", "flags")


def decoded(value: Any) -> Any:
    """A JSON column's value: text is decoded (a fresh object each time), objects kept."""
    if not isinstance(value, str):
        return value
    empty = _EMPTY.get(value, False)
    if empty is not False:
        return type(empty)() if empty is not None else None
    return json.loads(value)


def _chunked(ids: Iterable[int]) -> Iterable[list[int]]:
    return chunks(sorted(ids), _CHUNK)


def _light_columns() -> list[Any]:
    ev = Event.__table__
    return [ev.c.id, ev.c.key, ev.c.kind, ev.c.date, ev.c.status, ev.c.revision, ev.c.content_hash]


def light(
    session: Session,
    ids: Iterable[int] | None = None,
    *,
    dossier: str | None = None,
    watch: str | None = None,
) -> list[Any]:
    """Light columns (no text) of events, ordered by date then id.

    All events, or those of ``ids``, or the members of one dossier or one watch.
    """
    ev = Event.__table__
    query = select(*_light_columns()).order_by(ev.c.date, ev.c.id)
    if dossier is not None or watch is not None:
        table = DossierEvent.__table__ if dossier is not None else WatchMatch.__table__
        column = table.c.dossier if dossier is not None else table.c.watch
        query = query.join(table, table.c.event_id == ev.c.id).where(
            column == (dossier if dossier is not None else watch)
        )
    if ids is None:
        return list(session.execute(query))
    rows = [r for chunk in _chunked(ids) for r in session.execute(query.where(ev.c.id.in_(chunk)))]
    rows.sort(key=lambda r: (r.date, r.id))
    return rows


def links(
    session: Session, ids: Iterable[int] | None = None
) -> tuple[dict[int, list[str]], dict[int, list[str]], dict[int, int]]:
    """Each event's dossiers and watches (sorted), and revision counts above one."""
    de, wm, rev = DossierEvent.__table__, WatchMatch.__table__, EventRevision.__table__
    queries = (
        select(de.c.event_id, de.c.dossier),
        select(wm.c.event_id, wm.c.watch),
        select(rev.c.event_id, func.count()).group_by(rev.c.event_id).having(func.count() > 1),
    )
    columns = (de.c.event_id, wm.c.event_id, rev.c.event_id)
    found: list[dict[int, Any]] = [{}, {}, {}]
    for n, (query, column) in enumerate(zip(queries, columns, strict=True)):
        chunks = [None] if ids is None else list(_chunked(ids))
        for chunk in chunks:
            part = query if chunk is None else query.where(column.in_(chunk))
            for event_id, value in session.execute(part):
                if n == 2:
                    found[2][event_id] = value
                else:
                    found[n].setdefault(event_id, []).append(value)
    for mapping in found[:2]:
        for names in mapping.values():
            names.sort()
    return found[0], found[1], found[2]


def full(session: Session, ids: Iterable[int] | None = None) -> dict[int, Any]:
    """The full rows (without the body) of all events, in date order, or of ``ids``, by id.

    JSON columns come back undecoded (see ``decoded``).
    """
    ev = Event.__table__
    columns = [
        type_coerce(c, Text).label(c.name) if c.name in JSON_COLUMNS else c
        for c in ev.c
        if c.name not in ("body", "last_seen_at", "changed_at", "withdrawn_at", "published_on")
    ]
    query = select(*columns)
    if ids is None:
        return {row.id: row for row in session.execute(query.order_by(ev.c.date, ev.c.id))}
    return {
        row.id: row
        for chunk in _chunked(ids)
        for row in session.execute(query.where(ev.c.id.in_(chunk)))
    }


def latest(session: Session, count: int) -> list[int]:
    """The ``count`` events seen last (then the latest dated, then by id)."""
    ev = Event.__table__
    query = (
        select(ev.c.id).order_by(ev.c.first_seen_at.desc(), ev.c.date.desc(), ev.c.id).limit(count)
    )
    return list(session.execute(query).scalars())


def counters(session: Session) -> dict[str, Any]:
    """Cheap figures telling whether the store moved only in ways ``changed`` can see.

    Counts and maxima over indexed or narrow columns; timestamps as ISO text.
    """
    ev, de, wm = Event.__table__, DossierEvent.__table__, WatchMatch.__table__
    events, last_id, changed = session.execute(
        select(func.count(), func.max(ev.c.id), func.max(ev.c.changed_at))
    ).one()
    withdrawn = session.execute(
        select(func.count()).where(ev.c.status == EventStatus.WITHDRAWN)
    ).scalar_one()
    links, linked = session.execute(select(func.count(), func.max(de.c.added_at))).one()
    matches, matched = session.execute(select(func.count(), func.max(wm.c.matched_at))).one()
    return {
        "events": events,
        "last_id": last_id or 0,
        "changed": _iso(changed),
        "withdrawn": withdrawn,
        "links": links,
        "linked": _iso(linked),
        "matches": matches,
        "matched": _iso(matched),
    }


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def changed(session: Session, before: dict[str, Any], now: dict[str, Any]) -> set[int] | None:
    """Events that may show something new since the counters ``before``; None if unsure.

    Unsure means something moved that leaves no trace to follow: an event deleted, a link
    or a watch match removed. Events changed, added, withdrawn (even with a past date),
    linked or matched since ``before`` are returned; the caller compares fingerprints.

    "Since" is strictly after the latest stamp the last build saw: the events stamped with
    it (often a whole batch of a crawl, written in one transaction) were all visible to it.
    A link or match committed later with that very stamp changes a count, and so makes
    the answer None.
    """
    ev, de, wm = Event.__table__, DossierEvent.__table__, WatchMatch.__table__
    found: set[int] = set()
    added = session.execute(select(ev.c.id).where(ev.c.id > before["last_id"])).scalars().all()
    if now["events"] != before["events"] + len(added):
        return None
    found.update(added)
    checks = (
        (ev.c.changed_at, ev.c.id, "changed", None),
        (de.c.added_at, de.c.event_id, "linked", "links"),
        (wm.c.matched_at, wm.c.event_id, "matched", "matches"),
    )
    for stamp, column, mark, count in checks:
        since = datetime.fromisoformat(before[mark]) if before[mark] else None
        query = select(column, stamp)
        if since is not None:
            query = query.where(stamp > since)
        rows = session.execute(query).all() if now[mark] is not None else []
        if count is not None and now[count] != before[count] + len(rows):
            return None
        found.update(event_id for event_id, _ in rows)
    if now["withdrawn"] != before["withdrawn"]:
        found.update(
            session.execute(select(ev.c.id).where(ev.c.status == EventStatus.WITHDRAWN)).scalars()
        )
    return found
