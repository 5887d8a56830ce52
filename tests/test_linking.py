"""Dossier linking over the whole store: `veilleur dossiers relink` joins an event to a dossier
by its watches, by an identifier the dossier is configured with, or through one hop (an
identifier of an event already in the dossier); links only ever grow."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from crawler.linking import dossier_links
from store import repo
from store.db import make_engine, session_scope
from store.identity import followed_value

ROOT = Path(__file__).resolve().parents[1]


def relink(db_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    config = tmp_path / "veilleur.toml"
    config.write_text("", encoding="utf-8")
    env = {**os.environ, "VEILLEUR_DATABASE_URL": db_url, "VEILLEUR_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "scheduler", "dossiers", "relink"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def news(slug: str, title: str, summary: str) -> dict:
    return {
        "source": "presse",
        "kind": "news",
        "date": date(2026, 11, 20),
        "title": title,
        "summary": summary,
        "identifiers": {"URL": f"https://journal.example.org/{slug}"},
        "authority": 10,
    }


def test_relink_joins_by_watch_citation_and_one_hop(sqlite_url, tmp_path):
    first = relink(sqlite_url, tmp_path)  # prepares and seeds the store
    assert first.returncode == 0, first.stderr
    items = [
        news("loi", "Un an après", "Le bilan de la loi n° 2023-380 du 19 mai 2023 est publié."),
        news("nor", "Sécurité globale", "Le texte (NOR : INTX2028939L) reste contesté."),
        news("cameras", "Marseille", "Des caméras augmentées installées sur le Vieux-Port."),
        news("budget", "Budget des communes", "Le décret n° 2025-9999 fixe la dotation."),
        # CNIL deliberations are numbered apart: délibération n° 2022-118 is in the dossier
        news("aides", "Aides agricoles", "Vu le décret n° 2022-118 du 3 février 2022."),
        news("avis", "L'avis de la CNIL", "La délibération n° 2022-118 du 8 décembre 2022."),
    ]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        stored = repo.upsert_events(session, items)  # stored raw: no cites, no links yet
        assert len(stored.new) == 6
        names = ["loi", "nor", "cameras", "budget", "aides", "avis"]
        ids = dict(zip(names, stored.new, strict=True))
        assert not {e.id for e in repo.events(session, dossier="vsa")} & set(ids.values())
    result = relink(sqlite_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "vsa: 4 event(s) added" in result.stdout
    with session_scope(engine) as session:
        in_vsa = {e.id for e in repo.events(session, dossier="vsa")}
    # the law's number; a NOR the dossier is not configured with but one of its events has
    # (loi n° 2021-646, seeded: one hop); a watch. The budget decree cites nothing followed.
    assert {ids["loi"], ids["nor"], ids["cameras"], ids["avis"]} <= in_vsa
    assert ids["budget"] not in in_vsa and ids["aides"] not in in_vsa
    again = relink(sqlite_url, tmp_path)
    assert "vsa: 0 event(s) added" in again.stdout


def test_dossier_links_prefers_watches_and_names_the_reason():
    dossiers = [{"slug": "vsa", "watches": ["vsa"]}, {"slug": "drones", "watches": ["drones"]}]
    followed = {"vsa": {"2023-380"}, "drones": {"2023-283"}}
    assert dossier_links(["vsa"], ["2023-283"], dossiers, followed) == [
        ("vsa", "watch:vsa"),
        ("drones", "cites:2023-283"),
    ]
    assert dossier_links([], ["2099-1"], dossiers, followed) == []


@pytest.mark.parametrize(
    ("configured", "followed"),
    [
        ("JORFTEXT000047561974", "JORFTEXT000047561974"),
        ("NOR:SPOX2233026L", "SPOX2233026L"),
        ("NUM:loi:2023-380", "2023-380"),
        ("NUM:cnil:2023-068", "cnil:2023-068"),
        ("NUM:cc:2023-850 dc", "2023-850 DC"),
    ],
)
def test_configured_identifiers_take_their_cited_form(configured, followed):
    assert followed_value(configured) == followed
