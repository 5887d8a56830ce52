"""Incremental site builds: after each change to the store, the configuration or the date,
the site equals a full build of the same state, and only the pages showing the change are
written again."""

from __future__ import annotations

import gc
import json
import os
import re
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sitehelp import TODAY, prepared

import notify.site
from notify import sitemanifest
from notify.site import DOSSIER_FILES, DossierInfo, build_site
from notify.sitemanifest import is_manifest
from store import repo, timeline
from store.db import session_scope

LAW = "20230519-jorftext000047561974"
GENERATED = re.compile(rb"Page g\xc3\xa9n\xc3\xa9r\xc3\xa9e le [^<.]*")


@pytest.fixture
def site(make_config, sqlite_url, tmp_path):
    config = make_config(
        public_url="https://veille.example.org",
        toml='[dossiers.drones]\ntitle = "Drones"\ndescription = "Captations aériennes."\n',
    )
    engine = prepared(config, sqlite_url)
    return Site(config, engine, tmp_path)


class Site:
    def __init__(self, config, engine, tmp_path: Path):
        self.engine, self.tmp = engine, tmp_path
        self.out = tmp_path / "site"
        self.dossiers = {
            d.slug: DossierInfo(d.slug, d.title, d.description, d.watches)
            for d in config.dossiers.values()
        }
        self.watches = {w.slug: w.title for w in config.watches.values()}
        self.today = TODAY
        self.fresh = 0

    def build(self, out: Path | None = None, **kw):
        return build_site(
            self.engine,
            out or self.out,
            dossiers=self.dossiers,
            watches=self.watches,
            today=self.today,
            public_url="https://veille.example.org",
            **kw,
        )

    def check(self) -> set[str]:
        """Build incrementally, compare with a full build; returns the files written."""
        before = _manifest(self.out)
        report = self.build()
        after = _manifest(self.out)
        self.fresh += 1
        full = self.tmp / f"full{self.fresh}"
        self.build(full, force=True)
        assert _shown(_files(self.out)) == _shown(_files(full))
        written = {p for p, fp in after.items() if before.get(p) != fp}
        assert report.written == len(written)
        return written


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not is_manifest(p.relative_to(root).as_posix())
    }


def _manifest(root: Path) -> dict[str, str]:
    return sitemanifest.load(root, _layout(root))[0].as_dict()


def _layout(root: Path) -> str:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))["layout"]


def _shown(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files without the footer's generation date (a page kept is not generated again)."""
    return {p: GENERATED.sub(b"", data) for p, data in files.items()}


def _event(engine, key: str):
    with session_scope(engine) as session:
        event = repo.get_event(session, key)
        session.expunge(event)
        return event


def _vsa_pages(written: set[str]) -> set[str]:
    return {p for p in written if p.startswith("dossiers/vsa/")}


def test_a_second_build_writes_nothing(site):
    site.build()
    assert site.check() == set()


def test_a_new_revision_rewrites_its_page_and_its_dossier(site):
    site.build()
    law = _event(site.engine, LAW)
    with session_scope(site.engine) as session:
        repo.upsert_events(
            session,
            [
                {
                    "source": law.source,
                    "kind": law.kind,
                    "date": law.date,
                    "title": law.title + " (rectifié)",
                    "identifiers": dict(law.identifiers),
                }
            ],
        )
    written = site.check()
    assert f"events/{LAW}.html" in written and "dossiers/vsa/index.html" in written
    assert "(rectifié)" in (site.out / f"events/{LAW}.html").read_text(encoding="utf-8")
    assert len(written) < 15


def test_a_withdrawal_dated_in_the_past_is_shown(site):
    site.build()
    law = _event(site.engine, LAW)
    with session_scope(site.engine) as session:
        at = datetime(2020, 1, 1, tzinfo=UTC)
        assert repo.withdraw(session, "JORFTEXT", law.identifiers["JORFTEXT"], at=at)
    written = site.check()
    assert f"events/{LAW}.html" in written and _vsa_pages(written)
    assert "retiré" in (site.out / f"events/{LAW}.html").read_text(encoding="utf-8")


def test_an_event_linked_to_another_dossier(site):
    site.build()
    law = _event(site.engine, LAW)
    with session_scope(site.engine) as session:
        repo.link_events(session, "drones", [law.id], "test")
    written = site.check()
    assert f"events/{LAW}.html" in written and "dossiers/drones/index.html" in written
    assert not _vsa_pages(written) - {f"dossiers/vsa/{n}" for n in DOSSIER_FILES}
    assert "Drones" in (site.out / f"events/{LAW}.html").read_text(encoding="utf-8")


def test_watch_matches_added_then_removed(site):
    site.build()
    law = _event(site.engine, LAW)
    with session_scope(site.engine) as session:
        repo.record_matches(session, {law.id: {"drones": ["drone"]}})
    written = site.check()
    assert f"events/{LAW}.html" in written
    with session_scope(site.engine) as session:
        repo.record_matches(session, {law.id: {}})
    written = site.check()
    assert f"events/{LAW}.html" in written


def test_a_changed_description_rewrites_only_the_dossier(site):
    site.build()
    site.dossiers["vsa"] = replace(site.dossiers["vsa"], description="Autre description.")
    written = site.check()
    assert written - {"index.html"} == {f"dossiers/vsa/{n}" for n in DOSSIER_FILES}
    assert "Autre description." in (site.out / "dossiers/vsa/index.html").read_text("utf-8")


def test_a_renamed_dossier_rewrites_the_pages_naming_it(site):
    site.build()
    site.dossiers["vsa"] = replace(site.dossiers["vsa"], title="VSA")
    written = site.check()
    assert f"events/{LAW}.html" in written and "index.html" in written


def test_the_passing_days_update_the_countdowns(site):
    site.build()
    page = (site.out / "dossiers/vsa/index.html").read_text(encoding="utf-8")
    assert "dans 30 jours" in page
    site.today = TODAY + timedelta(days=1)
    written = site.check()
    assert "dossiers/vsa/index.html" in written and "index.html" in written
    assert not any(p.startswith("events/") for p in written)
    assert "dans 29 jours" in (site.out / "dossiers/vsa/index.html").read_text("utf-8")


def test_a_dossier_dropped_from_the_configuration_loses_its_pages(site):
    site.build()
    del site.dossiers["drones"]
    report = site.build()
    assert report.removed == len(DOSSIER_FILES)
    assert not (site.out / "dossiers/drones/index.html").exists()
    assert site.check() == set()


def test_new_events_then_a_change_the_same_day(site):
    site.build()
    for n in range(3):
        with session_scope(site.engine) as session:
            result = repo.upsert_events(
                session,
                [
                    {
                        "source": "test",
                        "kind": "deadline",
                        "date": TODAY + timedelta(days=n + 1),
                        "title": f"Échéance {n}",
                        "identifiers": {"GUID": f"deadline-{n}"},
                    }
                ],
            )
            repo.link_events(session, "drones", result.item_ids, "test")
        written = site.check()
        assert "dossiers/drones/index.html" in written and not _vsa_pages(written)
    assert "Échéance 0" in (site.out / "index.html").read_text(encoding="utf-8")


def test_many_event_pages_are_written_by_a_child_process(site, monkeypatch):
    monkeypatch.setattr(notify.site, "ASIDE", 1)
    report = site.build()
    assert report.written == len(report.pages)
    assert "SPOX2233026L" in (site.out / f"events/{LAW}.html").read_text(encoding="utf-8")
    site.today = TODAY + timedelta(days=1)
    assert site.check()


def _alone(writer) -> bool:
    return True


def test_a_failure_to_write_in_the_child_process_is_raised(site, monkeypatch):
    monkeypatch.setattr(notify.site, "_only_thread", _alone)  # the test runner has threads
    monkeypatch.setattr(notify.site, "ASIDE", 1)
    shares = notify.site._shares
    monkeypatch.setattr(  # every page to the child
        notify.site, "_shares", lambda plan, slugs, parts: [([], []), shares(plan, slugs, 1)[0]]
    )
    site.out.mkdir()
    (site.out / "events").write_text("not a directory", encoding="utf-8")
    with pytest.raises(OSError, match="child process"):
        site.build()


def test_a_failure_in_the_parent_waits_for_the_child(site, monkeypatch):
    monkeypatch.setattr(notify.site, "_only_thread", _alone)  # the test runner has threads
    monkeypatch.setattr(notify.site, "ASIDE", 1)
    site.out.mkdir()
    (site.out / "events").write_text("not a directory", encoding="utf-8")
    waited = []
    waitpid = os.waitpid
    monkeypatch.setattr(os, "waitpid", lambda pid, options: waited.append(pid) or waitpid(pid, 0))
    with pytest.raises(OSError, match="File exists"):
        site.build()
    assert len(waited) == 1  # the child did not outlive the build


def test_the_pages_are_shared_between_two_processes(site, monkeypatch):
    monkeypatch.setattr(notify.site, "_only_thread", _alone)  # the test runner has threads
    monkeypatch.setattr(notify.site, "ASIDE", 1)
    report = site.build()
    monkeypatch.setattr(notify.site, "ASIDE", 10**9)
    alone = site.build(site.tmp / "alone", force=True)
    assert report.pages.as_dict() == alone.pages.as_dict() and report.written == alone.written
    assert _files(site.out) == _files(site.tmp / "alone")


def test_no_child_process_while_other_threads_run(site, monkeypatch):
    monkeypatch.setattr(notify.site, "ASIDE", 1)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside another thread"))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        report = site.build()
    finally:
        stop.set()
        other.join()
    assert report.written == len(report.pages)


def test_the_collector_is_left_as_it_was(site):
    site.build()
    assert gc.isenabled() and not gc.get_freeze_count()
    gc.disable()
    try:
        site.build(force=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _shards(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / sitemanifest.SHARD_DIR).glob("*.json")}


def _revise(engine, key: str) -> None:
    event = _event(engine, key)
    with session_scope(engine) as session:
        repo.upsert_events(
            session,
            [
                {
                    "source": event.source,
                    "kind": event.kind,
                    "date": event.date,
                    "title": event.title + " (rectifié)",
                    "identifiers": dict(event.identifiers),
                }
            ],
        )


def test_a_change_rewrites_one_shard_of_the_manifest(site):
    site.build()
    before = _shards(site.out)
    assert len(before) > 1
    _revise(site.engine, LAW)
    assert f"events/{LAW}.html" in site.check()
    after = _shards(site.out)
    moved = {name for name in before if after.get(name) != before[name]}
    assert len(moved) == 1 and set(after) == set(before)
    assert f"events/{LAW}.html" in json.loads(after[moved.pop()])


def test_a_damaged_shard_costs_rewrites_never_a_wrong_site(site):
    site.build()
    page = f"events/{LAW}.html"
    _revise(site.engine, LAW)
    site.check()  # from now on, only what changes after this revision is looked at
    damaged = next(
        p
        for p in (site.out / sitemanifest.SHARD_DIR).glob("*.json")
        if page in json.loads(p.read_text(encoding="utf-8"))
    )
    pages = set(json.loads(damaged.read_text(encoding="utf-8")))
    damaged.write_text('{"events/x.html": ', encoding="utf-8")
    _revise(site.engine, LAW)
    assert page in site.check()
    unknown = pages - set(_manifest(site.out))  # the damaged shard's other pages
    assert unknown
    site.today = TODAY + timedelta(days=1)  # a build that looks at every page
    assert unknown <= site.check()
    assert set(_manifest(site.out)) == set(_files(site.out))


def test_a_manifest_of_another_version_means_a_full_build(site):
    first = site.build()
    manifest = json.loads((site.out / "manifest.json").read_text(encoding="utf-8"))
    del manifest["version"]
    (site.out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    again = site.build()
    assert again.written == first.written == len(again.pages)
    assert site.build().written == 0


def test_nothing_moved_since_the_last_build_means_no_event_to_look_at(site):
    """The events of the last batch the previous build saw (one stamp for the whole
    seeded timeline here) are not looked at again, then a new one is."""
    site.build()
    with session_scope(site.engine) as session:
        before = timeline.counters(session)
        assert timeline.changed(session, before, before) == set()
    _revise(site.engine, LAW)
    with session_scope(site.engine) as session:
        moved = timeline.changed(session, before, timeline.counters(session))
        assert moved == {_event(site.engine, LAW).id}
