"""senat_dossiers end to end on a constructed CSV in the documented format (see SOURCE.txt)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import FILES
from replay import replay  # noqa: F401  (fixture)

from crawler.spiders.senat_dossiers import parse_day, rows
from store import repo
from store.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parents[1]
CSV = FILES / "senat_dossiers" / "dossiers-legislatifs.csv"


def test_rows_are_read_as_latin1():
    parsed = rows(CSV.read_bytes())
    assert len(parsed) == 3 and parsed[1]["Titre"].startswith("Renforcement de la sûreté")
    assert parse_day("19/05/2023") == date(2023, 5, 19) == parse_day("2023-05-19")
    assert parse_day("") is None


def test_the_promulgation_joins_the_vsa_law_by_its_number(replay, tmp_path, sqlite_url):  # noqa: F811
    replay.add(
        "/dosleg/dossiers-legislatifs.csv",
        CSV.read_bytes(),
        content_type="text/csv",
        last_modified="Mon, 23 Nov 2026 22:00:00 GMT",
    )
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.senat_dossiers]
url = "{replay.url("/dosleg/dossiers-legislatifs.csv")}"
""",
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLEUR_DATABASE_URL": sqlite_url, "VEILLEUR_CONFIG": str(config)}
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "crawl", "senat_dossiers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        steps = [e for e in repo.events(session, dossier="vsa") if e.source == "senat_dossiers"]
        titles = [e.title for e in steps]
        assert any(t.endswith("promulgation de la loi (loi n° 2023-380)") for t in titles)
        promulgation = next(e for e in steps if "2023-380" in e.title)
        assert promulgation.date == date(2023, 5, 19) and promulgation.cites == ["2023-380"]
        assert not any("agriculteurs" in t for t in titles)
    again = subprocess.run(
        [sys.executable, "-m", "scheduler", "crawl", "senat_dossiers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0
    last = replay.requests_to("/dosleg/dossiers-legislatifs.csv")[-1]
    assert last[2]["If-Modified-Since"] == "Mon, 23 Nov 2026 22:00:00 GMT" and last[3] == 304
