"""The timeline site: a static tree rendered from the store, servable by any web server.

    index.html                          dossiers, their next deadline, the latest events
    dossiers/<slug>/index.html          one dossier's timeline, by year and month
    dossiers/<slug>/atom.xml            its feed; deadlines.ics: its deadlines; events.json
    dossiers/<slug>/search.json         the text the page's search box looks through
    watches/<slug>/atom.xml             one feed per watch
    events/<key>.html                   one page per event: the full record
    static/site.css, static/site.js     no external asset; the page works without script

Rendering is incremental: the manifest (``manifest.json``, and ``manifest/`` for the event
pages, see ``notify.sitemanifest``) keeps a fingerprint per page, and a page is rendered
and written again only when something it shows has changed. File names come from
identifiers and slugs, never from titles.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from notify import sitemanifest
from notify.digest import shown_identifiers
from notify.feeds import atom_feed, deadlines_ics
from notify.render import (
    MONTHS,
    TEMPLATES,
    SharedChrome,
    environment,
    french_date,
    kind_label,
    safe_url,
)
from notify.sitefiles import Files
from notify.sitemanifest import Pages
from store import timeline
from store.db import session_scope
from store.identity import slugify
from store.timeline import decoded

MANIFEST = sitemanifest.FILE
DOSSIER_FILES = ("index.html", "search.json", "events.json", "atom.xml", "deadlines.ics")
LATEST = 30
ASIDE = 2000  # files to write from which a child process renders and writes half of them
EXPORTED = (  # the fields of events.json
    "key",
    "kind",
    "iso",
    "title",
    "summary",
    "url",
    "source",
    "identifiers",
    "status",
    "revision",
    "flags",
)
KIND_ORDER = (
    "law",
    "decree",
    "order",
    "cnil_deliberation",
    "constitutional_decision",
    "court_decision",
    "report",
    "parliamentary_step",
    "announcement",
    "deadline",
    "news",
)


@dataclass(frozen=True)
class DossierInfo:
    slug: str
    title: str
    description: str
    watches: tuple[str, ...] = ()


@dataclass
class BuildReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: Pages | dict[str, str] = field(default_factory=dict)  # path → fingerprint


_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9\-]{0,119}$")


def page_name(key: str) -> str:
    """The file name of an event's page (safe whatever the key holds)."""
    return (key if _SAFE_KEY.match(key) else slugify(key, 120)) + ".html"


class _View(dict):
    """An event as pages show it; its keys read as attributes too, which Jinja does fastest."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def _safe_url(url: str | None) -> str:
    if url and url[:8].lower().startswith(("https://", "http://")) and url == url.strip():
        return url
    return safe_url(url)


@lru_cache(maxsize=8192)
def _shown_date(day: date, precision: str = "day") -> str:
    return french_date(day, precision)


def _view(
    row: Any, dossiers: list[str], watches: list[str], revisions: int, fingerprint: str
) -> _View:
    identifiers = decoded(row.identifiers) or {}
    seen = row.first_seen_at
    day = row.date
    return _View(
        key=row.key,
        page=page_name(row.key),
        kind=row.kind,
        label=kind_label(row.kind),
        date=day,
        iso=day.isoformat(),
        shown_date=_shown_date(day, row.date_precision),
        title=row.title,
        summary=row.summary,
        url=_safe_url(row.url),
        source=row.source,
        ids=shown_identifiers(identifiers),
        identifiers=identifiers,
        status=row.status,
        revision=row.revision,
        revisions=revisions,
        flags=decoded(row.flags) or [],
        details=decoded(row.details) or {},
        provenance=decoded(row.provenance) or {},
        cites=decoded(row.cites) or [],
        seen=seen,
        seen_date=_shown_date(seen.date()),
        dossiers=dossiers,
        watches=watches,
        fingerprint=fingerprint,
    )


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


def _print(row: Any, dossiers: list[str], watches: list[str], revisions: int, titles: Any) -> str:
    """An event page's fingerprint: what the page shows, from columns already stored."""
    named = "\0".join([f"{d}={titles.get(d, d)}" for d in dossiers])
    return _hash(
        row.content_hash, str(row.revision), row.status, named, *watches, "|", str(revisions)
    )


class _Writer:
    """Writes pages whose fingerprint changed, and remembers every page it owns."""

    def __init__(self, out: Path, previous: Pages, force: bool):
        self.out, self.previous, self.force = out, previous, force
        self.report = BuildReport(pages=Pages(out, {}))
        self.files = Files()

    def needed(self, path: str, fingerprint: str) -> bool:
        changed = self.force or self.previous.get(path) != fingerprint
        self.report.pages[path] = fingerprint  # may be ``previous`` itself
        return changed

    def write(self, path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        # replace atomically what a reader may be looking at
        self.files.put(f"{self.out}/{path}", data, replace=path in self.previous)
        self.report.written += 1


def _only_thread(writer: _Writer) -> bool:
    """No thread runs in this process besides this one and the build's file writers."""
    return threading.active_count() - len(writer.files.threads) <= 1


def _aside(work: Callable[[], None], writer: _Writer, files: int) -> Callable[[], int]:
    """Run ``work``, which writes ``files`` files through ``writer``, in a child process,
    so that another core renders meanwhile. Returns a function that waits for it, returns
    how many files it wrote, and raises ``OSError`` if it failed.

    The child only renders and writes: it reads no database, logs nothing and uses the
    templates compiled by this thread. It is forked only when no other thread runs (the
    daemon builds from a thread pool): a lock another thread held would stay held in it.
    """
    if not files or not hasattr(os, "fork") or not _only_thread(writer):
        work()
        return lambda: 0
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, say what went wrong if anything, leave at once
        os.close(reading)
        code = 0
        try:
            writer.files = Files()
            work()
            writer.files.close()
        except BaseException as exc:  # reported to the parent
            os.write(writing, f"{type(exc).__name__}: {exc}".encode()[:4000])
            code = 1
        finally:
            os._exit(code)
    os.close(writing)

    def wait() -> int:
        with os.fdopen(reading, "rb") as pipe:
            problem = pipe.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise OSError(f"writing pages in a child process failed: {problem or status}")
        return files

    return wait


class _Views(dict):
    """The views of events (by id), each built when first asked for: a process builds
    only those of the pages it renders."""

    def __init__(self, rows: dict[int, Any], plan: _Plan) -> None:
        super().__init__()
        self.rows, self.plan = rows, plan

    def __missing__(self, i: int) -> _View:
        plan = self.plan
        view = self[i] = _view(
            self.rows[i],
            plan.dossier_links.get(i, []),
            plan.watch_links.get(i, []),
            plan.counts.get(i, 1),
            plan.prints[i],
        )
        return view

    def release(self) -> None:
        """Free the views at once: each one is its own attribute dictionary, a cycle that
        only the collector would find, later and in one long pause."""
        for view in self.values():
            view.__dict__ = {}
        self.clear()


def _shares(plan: _Plan, slugs: list[str], parts: int) -> list[tuple[list[Any], list[str]]]:
    """The event pages and dossiers to render, in ``parts`` shares of about equal work.

    A page goes with a dossier showing its event, so that most views are built in one
    process only; dossiers go, largest first, to the lightest share.
    """
    if parts == 1:
        return [(plan.render, slugs)]
    pending = {r.id for r in plan.render}
    loads = [0] * parts
    home: dict[int, int] = {}
    shares: list[tuple[list[Any], list[str]]] = [([], []) for _ in range(parts)]
    for slug in sorted(slugs, key=lambda s: -len(plan.members[s])):
        n = loads.index(min(loads))
        shares[n][1].append(slug)
        fresh = [r.id for r in plan.members[slug]]
        fresh = [i for i in fresh if i in pending and i not in home]
        home.update(dict.fromkeys(fresh, n))
        loads[n] += len(plan.members[slug]) + len(fresh)
    for r in plan.render:
        n = home.get(r.id)
        if n is None:
            n = loads.index(min(loads))
            loads[n] += 2
        shares[n][0].append(r)
    return shares


@dataclass
class _Plan:
    """What a build must render, and the fingerprints it knows, from either pass."""

    render: list[Any]  # light rows of the event pages to write
    prints: dict[int, str]
    dossier_links: dict[int, list[str]]
    watch_links: dict[int, list[str]]
    counts: dict[int, int]
    members: dict[str, list[Any]]  # light rows of the dossiers to look at
    watch_members: dict[str, list[Any]]  # the last 50 of the watches to look at
    summaries: dict[str, dict[str, Any]]  # of the dossiers not looked at, from the last build
    latest: list[int]
    rows: dict[int, Any] | None = None  # full rows of every event, when read first


def build_site(
    engine: Engine,
    out: Path,
    *,
    dossiers: Mapping[str, DossierInfo],
    watches: Mapping[str, str],
    today: date,
    public_url: str = "",
    templates_dir: Path = TEMPLATES,
    force: bool = False,
) -> BuildReport:
    """Render the store into ``out``; only what changed is rewritten unless ``force``.

    A missing or foreign manifest (or changed templates or public address) means a full
    build. A build on the day of the previous one reads only the events that moved since
    (``store.timeline.changed``); otherwise, or when unsure, every event's fingerprint is
    computed again from its stored columns.
    """
    out.mkdir(parents=True, exist_ok=True)
    layout = _hash(_templates_fingerprint(templates_dir), public_url.rstrip("/"))
    previous, state = sitemanifest.load(out, layout)
    writer = _Writer(out, previous, force or not state)
    titles = {s: d.title for s, d in dossiers.items()}
    config = _hash(
        json.dumps([[s, d.title, d.description, *d.watches] for s, d in dossiers.items()]),
        json.dumps(sorted(watches.items())),
    )
    # The cycle collector is paused for the build: what it reads and renders makes no
    # cycles to speak of (the views, which are, are freed by ``release``), and each full
    # collection would walk every row and view held so far (and, in a child process,
    # touch and so copy the memory it shares with its parent).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with session_scope(engine) as session:
            counters = timeline.counters(session)
            plan = None
            same_day = state.get("today") == today.isoformat() and state.get("config") == config
            if same_day and not writer.force:
                plan = _changes(session, writer, state, counters, dossiers, watches, titles)
            if plan is None:
                plan = _everything(session, writer, dossiers, watches, titles)
            plan.latest = timeline.latest(session, LATEST)
            _complete(session, plan, plan.latest, titles)
            dossier_prints = {
                slug: _hash(
                    info.title,
                    info.description,
                    ",".join(info.watches),
                    today.isoformat(),
                    *(plan.prints[r.id] for r in plan.members[slug]),
                )
                for slug, info in dossiers.items()
                if slug in plan.members
            }
            stale = set()
            for slug, fp in dossier_prints.items():
                needed = [writer.needed(f"dossiers/{slugify(slug)}/{n}", fp) for n in DOSSIER_FILES]
                if any(needed):  # every file noted first, changed or not
                    stale.add(slug)
            watch_prints = {
                slug: _hash(
                    "watch", slug, title, *(plan.prints[r.id] for r in plan.watch_members[slug])
                )
                for slug, title in watches.items()
                if slug in plan.watch_members
            }
            stale_watches = {
                slug
                for slug, fp in watch_prints.items()
                if writer.needed(f"watches/{slugify(slug)}/atom.xml", fp)
            }
            rows = plan.rows
            if rows is None:
                wanted = {r.id for r in plan.render} | set(plan.latest)
                for slug in stale:
                    wanted.update(r.id for r in plan.members[slug])
                for slug in stale_watches:
                    wanted.update(r.id for r in plan.watch_members[slug])
                for members in plan.members.values():  # what the index says of each dossier
                    wanted.update(r.id for r in _ends(members, today))
                everything = len(wanted) > counters["events"] // 2
                rows = timeline.full(session, None if everything else wanted)
        views = _Views(rows, plan)
        env = _environment(templates_dir, layout)
        context = {
            "public_url": public_url.rstrip("/"),
            "today": today,
            "kinds": [(k, kind_label(k)) for k in KIND_ORDER],
        }
        event_pages = SharedChrome(
            env, "site/event.html", {**context, "root": "../", "dossier_titles": titles}
        )
        summaries = [
            plan.summaries[slug]
            if slug not in plan.members
            else _summary(info, plan.members[slug], views, today, dossier_prints[slug])
            for slug, info in dossiers.items()
        ]
        shown = dict(zip(dossiers, summaries, strict=True))

        def render(pages: list[Any], slugs: list[str]) -> None:
            for r in pages:
                view = views[r.id]
                writer.write(
                    f"events/{view['page']}",
                    event_pages.render({"e": view}),
                )
            for slug in slugs:
                info = dossiers[slug]
                members = plan.members[slug]
                _dossier(writer, env, context, info, shown[slug], members, views, watches, today)

        total = len(plan.render) + len(DOSSIER_FILES) * len(stale)
        shares = _shares(plan, [s for s in dossiers if s in stale], 2 if total >= ASIDE else 1)
        aside = shares[1:] or [([], [])]
        done = _aside(
            lambda: render(*aside[0]),
            writer,
            len(aside[0][0]) + len(DOSSIER_FILES) * len(aside[0][1]),
        )
        try:
            render(*shares[0])
            for slug in stale_watches:
                members = [views[r.id] for r in plan.watch_members[slug]]
                path = f"watches/{slugify(slug)}/atom.xml"
                writer.write(
                    path, atom_feed(env, f"Veilleur — {watches[slug]}", path, members, public_url)
                )

            latest_views = [views[i] for i in plan.latest]
            fingerprint = _hash(
                "index",
                *(s["fingerprint"] for s in summaries),
                *(v["fingerprint"] for v in latest_views),
                today.isoformat(),
            )
            if writer.needed("index.html", fingerprint):
                writer.write(
                    "index.html",
                    env.get_template("site/index.html").render(
                        context, root="", dossiers=summaries, latest=latest_views
                    ),
                )
            _static(writer, templates_dir)
        except BaseException:
            with contextlib.suppress(OSError):  # the parent's failure is the one raised
                done()
            raise
        writer.report.written += done()
        views.release()
    finally:
        if collecting:
            gc.enable()
        writer.files.close()
    report = writer.report
    if report.pages is not writer.previous:
        _remove_stale(out, writer.previous, report)
    report.unchanged = len(report.pages) - report.written
    state = {
        "today": today.isoformat(),
        "config": config,
        "counters": counters,
        "summaries": dict(zip(dossiers, summaries, strict=True)),
    }
    sitemanifest.save(out, report.pages, layout, state, writer.previous)
    return report


def _everything(
    session: Any,
    writer: _Writer,
    dossiers: Mapping[str, DossierInfo],
    watches: Mapping[str, str],
    titles: dict[str, str],
) -> _Plan:
    """Every event's fingerprint, from its light columns and links; a forced build reads
    the full rows at once, since it renders every page."""
    rows = timeline.full(session) if writer.force else None
    light = list(rows.values()) if rows is not None else timeline.light(session)
    dossier_links, watch_links, counts = timeline.links(session)
    prints: dict[int, str] = {}
    render = []
    members: dict[str, list[Any]] = {slug: [] for slug in dossiers}
    watch_members: dict[str, list[Any]] = {slug: [] for slug in watches}
    for r in light:  # one pass: a hundred thousand rows are read many times otherwise
        i = r.id
        in_dossiers, in_watches = dossier_links.get(i, []), watch_links.get(i, [])
        fingerprint = prints[i] = _print(r, in_dossiers, in_watches, counts.get(i, 1), titles)
        if writer.needed(f"events/{page_name(r.key)}", fingerprint):
            render.append(r)
        for slug in in_dossiers:
            if slug in members:
                members[slug].append(r)
        for slug in in_watches:
            if slug in watch_members:
                watch_members[slug].append(r)
    return _Plan(
        render=render,
        prints=prints,
        dossier_links=dossier_links,
        watch_links=watch_links,
        counts=counts,
        members=members,
        watch_members={slug: rows[-50:] for slug, rows in watch_members.items()},
        summaries={},
        latest=[],
        rows=rows,
    )


def _changes(
    session: Any,
    writer: _Writer,
    state: dict[str, Any],
    counters: dict[str, Any],
    dossiers: Mapping[str, DossierInfo],
    watches: Mapping[str, str],
    titles: dict[str, str],
) -> _Plan | None:
    """The events that moved since the last build, and the dossiers and watches showing
    them; None when the store moved in a way that only a full pass can follow."""
    moved = timeline.changed(session, state.get("counters") or {}, counters)
    summaries = state.get("summaries") or {}
    if moved is None or set(summaries) != set(dossiers):
        return None
    writer.report.pages = writer.previous  # kept, then updated where pages change
    plan = _Plan([], {}, {}, {}, {}, {}, {}, {}, [])
    light = _complete(session, plan, moved, titles)
    plan.render = [
        r for r in light if writer.needed(f"events/{page_name(r.key)}", plan.prints[r.id])
    ]
    for slug in dossiers:
        if any(slug in plan.dossier_links.get(r.id, ()) for r in plan.render):
            plan.members[slug] = timeline.light(session, dossier=slug)
            _complete(session, plan, [r.id for r in plan.members[slug]], titles)
        else:
            plan.summaries[slug] = summaries[slug]
    for slug in watches:
        if any(slug in plan.watch_links.get(r.id, ()) for r in plan.render):
            plan.watch_members[slug] = timeline.light(session, watch=slug)[-50:]
            _complete(session, plan, [r.id for r in plan.watch_members[slug]], titles)
    return plan


def _complete(session: Any, plan: _Plan, ids: Any, titles: dict[str, str]) -> list[Any]:
    """Add the fingerprints (and links) of ``ids`` to ``plan``; returns their light rows."""
    missing = [i for i in ids if i not in plan.prints]
    if not missing:
        return []
    light = timeline.light(session, missing)
    dossier_links, watch_links, counts = timeline.links(session, missing)
    plan.dossier_links.update(dossier_links)
    plan.watch_links.update(watch_links)
    plan.counts.update(counts)
    for r in light:
        plan.prints[r.id] = _print(
            r, dossier_links.get(r.id, []), watch_links.get(r.id, []), counts.get(r.id, 1), titles
        )
    return light


def _ends(members: list[Any], today: date) -> list[Any]:
    """The latest past event and the next current deadline of a dossier (light rows)."""
    past = [r for r in members if r.date <= today]
    ahead = [
        r for r in members if r.kind == "deadline" and r.date >= today and r.status == "current"
    ]
    return past[-1:] + ahead[:1]


def _summary(
    info: DossierInfo,
    members: list[Any],
    views: dict[int, dict[str, Any]],
    today: date,
    fingerprint: str,
) -> dict[str, Any]:
    """What the index shows of a dossier (kept in the manifest for the next build)."""
    past = [r for r in members if r.date <= today]
    ahead = [
        r for r in members if r.kind == "deadline" and r.date >= today and r.status == "current"
    ]
    summary: dict[str, Any] = {
        "slug": slugify(info.slug),
        "title": info.title,
        "description": info.description,
        "count": len(members),
        "fingerprint": fingerprint,
        "latest": _brief(views[past[-1].id]) if past else None,
        "next_deadline": None,
    }
    if ahead:
        summary["next_deadline"] = dict(
            _brief(views[ahead[0].id]), days_left=(ahead[0].date - today).days
        )
    return summary


def _brief(view: dict[str, Any]) -> dict[str, Any]:
    return {"key": view["key"], "title": view["title"], "shown_date": view["shown_date"]}


def _dossier(
    writer: _Writer,
    env: Any,
    context: dict[str, Any],
    info: DossierInfo,
    summary: dict[str, Any],
    light: list[Any],
    views: dict[int, dict[str, Any]],
    watches: Mapping[str, str],
    today: date,
) -> None:
    """Write a dossier's page, search index, JSON export and feeds."""
    base = f"dossiers/{summary['slug']}"
    members = [views[r.id] for r in light]
    deadlines = [
        dict(m, days_left=(m["date"] - today).days)
        for m in members
        if m["kind"] == "deadline" and m["date"] >= today and m["status"] == "current"
    ]
    years: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for member in reversed(members):
        years.setdefault(member["date"].year, {}).setdefault(member["date"].month, []).append(
            member
        )
    by_year = [
        (year, [(MONTHS[m - 1], entries) for m, entries in months.items()])
        for year, months in years.items()
    ]
    writer.write(
        f"{base}/index.html",
        env.get_template("site/dossier.html").render(
            context,
            root="../../",
            dossier=summary,
            timeline=by_year,
            deadlines=deadlines,
            watches=[(w, watches.get(w, w)) for w in info.watches],
            sources=sorted({m["source"] for m in members}),
            kinds_present=[k for k in KIND_ORDER if any(m["kind"] == k for m in members)],
            watch_names=sorted({w for m in members for w in m["watches"]}),
        ),
    )
    writer.write(
        f"{base}/search.json",
        json.dumps(
            {
                m["key"]: " ".join(
                    [
                        m["title"],
                        m["summary"][:500],
                        *m["ids"],
                        *m["identifiers"].values(),
                        m["source"],
                        m["label"],
                    ]
                ).lower()
                for m in members
            },
            ensure_ascii=False,
        ),
    )
    exported = itemgetter(*EXPORTED)
    writer.write(
        f"{base}/events.json",
        json.dumps(
            [dict(zip(EXPORTED, exported(m), strict=True)) for m in members], ensure_ascii=False
        ),
    )
    writer.write(
        f"{base}/atom.xml",
        atom_feed(
            env,
            f"Veilleur — {info.title}",
            f"{base}/atom.xml",
            members[-50:],
            context["public_url"],
        ),
    )
    writer.write(
        f"{base}/deadlines.ics",
        deadlines_ics(info.title, [m for m in members if m["kind"] == "deadline"]),
    )


@lru_cache(maxsize=4)
def _environment(templates_dir: Path, layout: str) -> Any:
    """The site's environment for these templates as they are (``layout`` holds their
    fingerprint): templates are compiled once, their files not checked again on each page."""
    return environment(templates_dir, sandboxed=False).overlay(auto_reload=False)


def _templates_fingerprint(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((templates_dir / "site").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def _static(writer: _Writer, templates_dir: Path) -> None:
    for source in sorted((templates_dir / "site" / "static").glob("*")):
        path = f"static/{source.name}"
        data = source.read_bytes()
        if writer.needed(path, hashlib.sha256(data).hexdigest()[:24]):
            writer.write(path, data)


def _remove_stale(out: Path, previous: Pages, report: BuildReport) -> None:
    for path in set(previous) - set(report.pages):
        target = (out / path).resolve()
        if target.is_relative_to(out.resolve()) and target.is_file():
            target.unlink()
            report.removed += 1


def clean(out: Path) -> None:
    """Remove a site directory built by ``build_site`` (only if it has our manifest)."""
    if (out / MANIFEST).is_file():
        shutil.rmtree(out)
