"""The timeline site: a static tree rendered from the store, servable by any web server.

    index.html                          dossiers, their next deadline, the latest events
    dossiers/<slug>/index.html          one dossier's timeline, by year and month
    dossiers/<slug>/atom.xml            its feed; deadlines.ics: its deadlines; events.json
    dossiers/<slug>/search.json         the text the page's search box looks through
    watches/<slug>/atom.xml             one feed per watch
    events/<key>.html                   one page per event: the full record
    static/site.css, static/site.js     no external asset; the page works without script

Rendering is incremental: ``manifest.json`` keeps a fingerprint per page, and a page is
rendered and written again only when something it shows has changed. File names come from
identifiers and slugs, never from titles.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from notify.digest import shown_identifiers
from notify.feeds import atom_feed, deadlines_ics
from notify.render import MONTHS, TEMPLATES, environment, french_date, kind_label, safe_url
from store import repo
from store.db import session_scope
from store.identity import slugify

MANIFEST = "manifest.json"
DOSSIER_FILES = ("index.html", "search.json", "events.json", "atom.xml", "deadlines.ics")
LATEST = 30
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
    pages: dict[str, str] = field(default_factory=dict)


_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9\-]{0,119}$")


def page_name(key: str) -> str:
    """The file name of an event's page (safe whatever the key holds)."""
    return (key if _SAFE_KEY.match(key) else slugify(key, 120)) + ".html"


def _view(
    row: Any, dossiers: list[str], watches: list[str], revisions: int, fingerprint: str
) -> dict[str, Any]:
    identifiers = dict(row.identifiers or {})
    return {
        "key": row.key,
        "page": page_name(row.key),
        "kind": row.kind,
        "label": kind_label(row.kind),
        "date": row.date,
        "iso": row.date.isoformat(),
        "shown_date": french_date(row.date, row.date_precision),
        "title": row.title,
        "summary": row.summary,
        "url": safe_url(row.url),
        "source": row.source,
        "ids": shown_identifiers(identifiers),
        "identifiers": identifiers,
        "status": row.status,
        "revision": row.revision,
        "revisions": revisions,
        "flags": list(row.flags or []),
        "details": dict(row.details or {}),
        "provenance": dict(row.provenance or {}),
        "cites": list(row.cites or []),
        "seen": row.first_seen_at,
        "seen_date": french_date(row.first_seen_at.date()),
        "dossiers": sorted(dossiers),
        "watches": sorted(watches),
        "fingerprint": fingerprint,
    }


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


class _Writer:
    """Writes pages whose fingerprint changed, and remembers every page it owns."""

    def __init__(self, out: Path, previous: dict[str, str], force: bool):
        self.out, self.previous, self.force = out, previous, force
        self.report = BuildReport()
        self.made: set[Path] = set()

    def needed(self, path: str, fingerprint: str) -> bool:
        self.report.pages[path] = fingerprint
        if not self.force and self.previous.get(path) == fingerprint:
            self.report.unchanged += 1
            return False
        return True

    def write(self, path: str, content: str | bytes) -> None:
        target = self.out / path
        parent = target.parent
        if parent not in self.made:
            parent.mkdir(parents=True, exist_ok=True)
            self.made.add(parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if path in self.previous:  # replace atomically what a reader may be looking at
            temporary = target.with_name(target.name + ".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
        else:
            target.write_bytes(data)
        self.report.written += 1


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

    A missing or foreign manifest (or changed templates) means a full build.
    """
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    templates = _templates_fingerprint(templates_dir)
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
        if previous.get("templates") != templates:
            previous = {}
    except (OSError, ValueError):
        previous = {}
    writer = _Writer(out, previous.get("pages", {}), force or not previous)
    with session_scope(engine) as session:
        light, links, matches = repo.site_index(session)
        counts = repo.revision_counts(session)
        prints = {
            r.id: _hash(
                r.content_hash,
                str(r.revision),
                r.status,
                *sorted(links.get(r.id, ())),
                "|",
                *sorted(matches.get(r.id, ())),
                str(counts.get(r.id, 1)),
            )
            for r in light
        }
        # which pages must be rendered, and so which full rows must be read
        render_events = [
            r for r in light if writer.needed(f"events/{page_name(r.key)}", prints[r.id])
        ]
        by_dossier: dict[str, list[Any]] = defaultdict(list)
        by_watch: dict[str, list[Any]] = defaultdict(list)
        for r in light:
            for slug in links.get(r.id, ()):
                by_dossier[slug].append(r)
            for slug in matches.get(r.id, ()):
                by_watch[slug].append(r)
        dossier_prints = {
            slug: _hash(
                info.title,
                info.description,
                ",".join(info.watches),
                today.isoformat(),
                *(prints[r.id] for r in by_dossier.get(slug, ())),
            )
            for slug, info in dossiers.items()
        }
        stale_dossiers = [
            slug
            for slug, fp in dossier_prints.items()
            if writer.force
            or any(
                writer.previous.get(f"dossiers/{slugify(slug)}/{n}") != fp for n in DOSSIER_FILES
            )
        ]
        latest = sorted(light, key=lambda r: (r.first_seen_at, r.date), reverse=True)[:LATEST]
        wanted = {r.id for r in render_events} | {r.id for r in latest}
        for slug in stale_dossiers:
            wanted.update(r.id for r in by_dossier.get(slug, ()))
        for members in by_watch.values():
            wanted.update(r.id for r in members[-50:])
        for members in by_dossier.values():  # what the index says of each dossier
            past = [r for r in members if r.date <= today]
            ahead = [
                r
                for r in members
                if r.kind == "deadline" and r.date >= today and r.status == "current"
            ]
            wanted.update(r.id for r in past[-1:] + ahead[:1])
        full = repo.site_events(session, sorted(wanted))
    views = {
        i: _view(full[i], links.get(i, []), matches.get(i, []), counts.get(i, 1), prints[i])
        for i in wanted
    }
    env = environment(templates_dir, sandboxed=False)
    context = {
        "public_url": public_url.rstrip("/"),
        "today": today,
        "kinds": [(k, kind_label(k)) for k in KIND_ORDER],
    }
    titles = {s: d.title for s, d in dossiers.items()}
    event_template = env.get_template("site/event.html")
    for r in render_events:
        view = views[r.id]
        writer.write(
            f"events/{view['page']}",
            event_template.render(context, e=view, root="../", dossier_titles=titles),
        )

    summaries = []
    for slug, info in dossiers.items():
        members = by_dossier.get(slug, [])
        summaries.append(
            _dossier(
                writer,
                env,
                context,
                info,
                members,
                views,
                watches,
                today,
                dossier_prints[slug],
                slug in stale_dossiers,
            )
        )
    for slug, title in watches.items():
        members = [views[r.id] for r in by_watch.get(slug, [])[-50:]]
        fingerprint = _hash("watch", slug, title, *(m["fingerprint"] for m in members))
        path = f"watches/{slugify(slug)}/atom.xml"
        if writer.needed(path, fingerprint):
            writer.write(path, atom_feed(env, f"Veilleur — {title}", path, members, public_url))

    latest_views = [views[r.id] for r in latest]
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
    _remove_stale(out, previous.get("pages", {}), writer.report)
    manifest = {"templates": templates, "pages": writer.report.pages}
    manifest_path.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    return writer.report


def _dossier(
    writer: _Writer,
    env: Any,
    context: dict[str, Any],
    info: DossierInfo,
    light: list[Any],
    views: dict[int, dict[str, Any]],
    watches: Mapping[str, str],
    today: date,
    fingerprint: str,
    stale: bool,
) -> dict[str, Any]:
    slug = slugify(info.slug)
    base = f"dossiers/{slug}"
    ahead = [r for r in light if r.kind == "deadline" and r.date >= today and r.status == "current"]
    past = [r for r in light if r.date <= today]
    summary = {
        "slug": slug,
        "title": info.title,
        "description": info.description,
        "count": len(light),
        "fingerprint": fingerprint,
        "latest": _summary_view(views, past[-1]) if past else None,
        "next_deadline": None,
    }
    if ahead:
        summary["next_deadline"] = dict(
            _summary_view(views, ahead[0]), days_left=(ahead[0].date - today).days
        )
    for name in DOSSIER_FILES:
        writer.needed(f"{base}/{name}", fingerprint)
    if not stale:
        return summary
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
    timeline = [
        (year, [(MONTHS[m - 1], entries) for m, entries in months.items()])
        for year, months in years.items()
    ]
    writer.write(
        f"{base}/index.html",
        env.get_template("site/dossier.html").render(
            context,
            root="../../",
            dossier=summary,
            timeline=timeline,
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
    writer.write(
        f"{base}/events.json",
        json.dumps(
            [
                {
                    k: m[k]
                    for k in (
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
                }
                for m in members
            ],
            ensure_ascii=False,
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
    return summary


def _summary_view(views: dict[int, dict[str, Any]], row: Any) -> dict[str, Any]:
    """What the index shows of an event, from its full view when loaded."""
    if row.id in views:
        return views[row.id]
    return {"title": "", "shown_date": french_date(row.date), "key": row.key}


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


def _remove_stale(out: Path, previous: dict[str, str], report: BuildReport) -> None:
    for path in set(previous) - set(report.pages):
        target = (out / path).resolve()
        if target.is_relative_to(out.resolve()) and target.is_file():
            target.unlink()
            report.removed += 1


def clean(out: Path) -> None:
    """Remove a site directory built by ``build_site`` (only if it has our manifest)."""
    if (out / MANIFEST).is_file():
        shutil.rmtree(out)
