"""The static site: pages, escaping, feeds, and incremental rendering."""

from __future__ import annotations

import json
import random
from datetime import date

import feedparser
import icalendar
import markupsafe
import pytest
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup
from sitehelp import TODAY, build, hostile_event, prepared

import notify.site
from notify import render
from notify.render import SharedChrome
from store import repo
from store.db import session_scope


@pytest.fixture
def site(make_config, sqlite_url, tmp_path):
    config = make_config(public_url="https://veille.example.org")
    engine = prepared(config, sqlite_url)
    return config, engine, tmp_path / "site"


def test_the_dossier_page_lists_the_seeded_events_with_identifiers_and_deadlines(site):
    config, engine, out = site
    report = build(config, engine, out)
    assert report.written > 60
    page = (out / "dossiers/vsa/index.html").read_text(encoding="utf-8")
    assert page.count('class="event ') == 60
    assert '<html lang="fr">' in page and "script-src 'self'" in page
    assert "<script>" not in page.replace('<script src="../../static/site.js" defer></script>', "")
    assert "19 mai 2023" in page and "JORFTEXT000047561974" in page
    assert "Échéances à venir" in page and "31 mars 2025" in page and "dans 30 jours" in page
    dates = [
        line.split('data-date="')[1][:10] for line in page.splitlines() if 'data-date="' in line
    ]
    assert dates == sorted(dates, reverse=True)
    law = (out / "events/20230519-jorftext000047561974.html").read_text(encoding="utf-8")
    assert "SPOX2233026L" in law and "https://www.legifrance.gouv.fr/jorf/id/" in law
    assert "vsa_reference_timeline.json" in law  # provenance
    assert "https://veille.example.org/subscribe" in page


def test_crawled_text_is_escaped_and_unsafe_links_dropped(site):
    config, engine, out = site
    hostile_event(engine)
    build(config, engine, out)
    page = (out / "dossiers/vsa/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<img src=x" not in page and "javascript:" not in page


def test_feeds_parse(site):
    config, engine, out = site
    build(config, engine, out)
    feed = feedparser.parse((out / "dossiers/vsa/atom.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 50
    assert feed.feed.title.startswith("Veilleur — Vidéosurveillance algorithmique")
    assert all(e.link.startswith("https://veille.example.org/events/") for e in feed.entries)
    calendar = icalendar.Calendar.from_ical((out / "dossiers/vsa/deadlines.ics").read_bytes())
    starts = sorted(e.get("dtstart").dt for e in calendar.walk("VEVENT"))
    assert date(2025, 3, 31) in starts and len(starts) == 3
    exported = json.loads((out / "dossiers/vsa/events.json").read_text(encoding="utf-8"))
    assert len(exported) == 60
    watch = feedparser.parse((out / "watches/vsa/atom.xml").read_bytes())
    assert not watch.bozo


def test_rendering_is_incremental(site):
    config, engine, out = site
    first = build(config, engine, out)
    second = build(config, engine, out)
    assert second.written == 0 and second.unchanged == first.written
    with session_scope(engine) as session:
        result = repo.upsert_events(
            session,
            [
                {
                    "source": "test",
                    "kind": "decree",
                    "date": date(2025, 2, 20),
                    "title": "Décret relatif aux caméras augmentées",
                    "identifiers": {"GUID": "n1"},
                }
            ],
        )
        repo.link_events(session, "vsa", result.item_ids, "test")
    third = build(config, engine, out)
    written = {p for p in third.pages if (out / p).stat().st_mtime_ns}
    assert 1 < third.written <= 8, third.written
    assert len(written) == len(third.pages)
    assert (out / "events" / "20250220-decret-relatif-aux-cameras-augmentees-").parent.exists()


def test_file_names_come_from_keys_not_titles(site):
    config, engine, out = site
    with session_scope(engine) as session:
        repo.upsert_events(
            session,
            [
                {
                    "source": "t",
                    "kind": "news",
                    "date": TODAY,
                    "title": "../../index",
                    "identifiers": {"GUID": "x"},
                }
            ],
        )
    build(config, engine, out)
    names = [p.name for p in (out / "events").iterdir()]
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert (out / "index.html").read_text(encoding="utf-8").count("../../index") == 1


class _WholePages:
    """Every page rendered whole, as ``Template.render`` does."""

    def __init__(self, env, name, shared):
        self.template, self.shared = env.get_template(name), shared

    def render(self, values):
        return self.template.render(self.shared, **values)


def test_event_pages_around_shared_chrome_equal_whole_pages(site, monkeypatch):
    config, engine, out = site
    hostile_event(engine)
    build(config, engine, out)
    monkeypatch.setattr(notify.site, "SharedChrome", _WholePages)
    whole = out.parent / "whole"
    build(config, engine, whole)
    pages = sorted(p.name for p in (out / "events").iterdir())
    assert len(pages) > 60 and pages == sorted(p.name for p in (whole / "events").iterdir())
    for name in pages:
        assert (out / "events" / name).read_bytes() == (whole / "events" / name).read_bytes()


def test_shared_chrome_splits_a_page_or_renders_it_whole():
    templates = {
        "base.html": "<title>{% block title %}{% endblock %}</title>{{ root }}"
        "<main>{% block main %}{% endblock %}</main><footer>{{ range(2) | list }}</footer>",
        "page.html": '{% extends "base.html" %}{% block title %}{{ e }}{% endblock %}'
        "{% block main %}<p>{{ e }} {{ root }}</p>{% endblock %}",
        "twice.html": '{% extends "page.html" %}{% block main %}{{ self.title() }}{% endblock %}',
        "repeats.html": "<title>{% block title %}{% endblock %}</title><h1>{{ self.title() }}</h1>",
        "repeated.html": '{% extends "repeats.html" %}{% block title %}{{ e }}{% endblock %}',
        "out.html": "<b>{{ e }}</b>{% block main %}{% endblock %}",
        "outside.html": '{% extends "out.html" %}{% block main %}{{ e }}{% endblock %}',
        "super.html": '{% extends "page.html" %}{% block main %}[{{ super() }}]{% endblock %}',
    }
    env = Environment(loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined)
    cases = [("page.html", True), ("twice.html", True), ("super.html", True)]
    cases += [("repeated.html", False), ("outside.html", False)]
    for name, split in cases:
        pages = SharedChrome(env, name, {"root": "../"})
        assert (pages.steps is not None) is split
        for value in ("<x>", "é & ü"):
            expected = env.get_template(name).render(root="../", e=value)
            assert pages.render({"e": value}) == expected


def test_templates_escape_as_markupsafe_does():
    """The environment's templates call a shorter escape; it gives what markupsafe gives."""
    chance = random.Random(11)
    alphabet = "<>&'\"aé€\x00 \n"
    values = [
        "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 12))) for _ in range(3000)
    ]
    values += [0, 5, -1.5, None, True, Markup("<b>ok</b>"), ["<x>"], date(2025, 3, 1)]
    for value in values:
        assert render._escape(value) == markupsafe.escape(value)
        assert type(render._escape(value)) is Markup
    for sandboxed in (True, False):
        template = render.environment(render.TEMPLATES, sandboxed).get_template("site/event.html")
        assert template.root_render_func.__globals__["escape"] is render._escape
