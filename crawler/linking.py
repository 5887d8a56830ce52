"""From one kept text to what it implies: the texts it cites, the deadlines it sets, a late
publication; and the re-linking of the whole store into dossiers.

``enrich`` runs on every kept item before it is stored; ``relink`` replays the watches and
citations over every stored event (``veilleur dossiers relink``) after watches or dossiers
changed. An event joins a dossier when it matches one of the dossier's watches, or cites an
identifier of the dossier (one configured, or one of an event already in it: one hop).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from crawler import extract
from crawler.items import EventItem
from crawler.watch import WatchSet
from store import repo
from store.db import session_scope
from store.identity import cited_value, followed_value, identity_keys

MAX_SCAN = 300_000


def _scan_text(item: EventItem) -> str:
    return " ".join([item.title, item.summary, *item.texts, item.body])[:MAX_SCAN]


def enrich(item: EventItem) -> list[EventItem]:
    """Add citations and flags to ``item``; return the deadline events it sets."""
    text = _scan_text(item)
    own = {cited_value(s, v) for s, v in identity_keys(item.kind, item.identifiers)}
    cited = [c for c in extract.citations(text) if c not in own]
    item.cites = list(dict.fromkeys([*item.cites, *cited]))
    if item.kind == "order" and extract.late_publication(text, item.published_on):
        item.flags = sorted({*item.flags, "late_publication"})
    if item.kind == "deadline":
        return []
    keys = identity_keys(item.kind, item.identifiers)
    if not keys:
        return []
    parent = keys[0][1]
    out = []
    for deadline in extract.deadlines(text):
        if deadline.day <= item.date:  # a past date the text only recalls
            continue
        clause = deadline.clause[:500]
        out.append(
            replace(
                item,
                kind="deadline",
                date=deadline.day,
                date_precision=deadline.precision,
                title=f"Échéance : « {clause[:180]} »",
                summary=f"Fixée par : {item.title[:300]}",
                body="",
                identifiers={"GUID": f"deadline:{parent}:{deadline.day.isoformat()}"},
                cites=[parent],
                flags=[],
                details={"clause": clause, "set_by": parent},
                texts=[],
                keep=True,
                only_update=False,
                published_on=item.published_on,
            )
        )
    return out


def dossier_links(
    matches: Iterable[str],
    cites: Iterable[str],
    dossiers: list[dict[str, Any]],
    followed: dict[str, set[str]],
) -> list[tuple[str, str]]:
    """The (dossier, reason) pairs an event belongs to."""
    matched, cited = set(matches), set(cites)
    links = []
    for dossier in dossiers:
        watched = sorted(set(dossier.get("watches", ())) & matched)
        if watched:
            links.append((dossier["slug"], f"watch:{watched[0]}"))
            continue
        hits = sorted(cited & followed.get(dossier["slug"], set()))
        if hits:
            links.append((dossier["slug"], f"cites:{hits[0]}"))
    return links


def relink(engine: Any, watches: WatchSet, dossiers: list[dict[str, Any]]) -> dict[str, int]:
    """Match every stored event against the watches and citations again; returns new links
    per dossier. Existing links are kept (a dossier's history only grows)."""
    added: dict[str, int] = {d["slug"]: 0 for d in dossiers}
    with session_scope(engine) as session:
        followed = repo.followed_identifiers(session)
        for dossier in dossiers:
            values = {followed_value(i) for i in dossier.get("identifiers", ())}
            followed.setdefault(dossier["slug"], set()).update(values)
        events = repo.events(session)
        matches: dict[int, dict[str, list[str]]] = {}
        for event in events:
            found = watches.match(event.title, event.summary, event.body[:MAX_SCAN])
            if found:
                matches[event.id] = found
            cites = set(event.cites) | set(
                extract.citations(" ".join([event.title, event.summary, event.body])[:MAX_SCAN])
            )
            for slug, reason in dossier_links(found, cites, dossiers, followed):
                added[slug] += repo.link_events(session, slug, [event.id], reason)
        repo.record_matches(session, matches)
    return added
