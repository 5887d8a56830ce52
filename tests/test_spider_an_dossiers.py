"""an_dossiers end to end: the AN open-data zip, assembled by the test from the two recorded
dossier JSONs in tests/files/parliament (see SOURCE.txt), served on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

from conftest import FILES
from replay import replay  # noqa: F401  (fixture)

from crawler.parliament import dossier_steps, step_label
from store import repo
from store.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parents[1]
NATIVE = FILES / "parliament" / "an_dossier_DLR5L16N46008.json"
EXTRACT = FILES / "parliament" / "an_dossier_DLR5L17N52781_extrait.json"


def archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("json/dossierParlementaire/DLR5L16N46008.json", NATIVE.read_bytes())
        zipped.writestr("json/dossierParlementaire/DLR5L17N52781.json", EXTRACT.read_bytes())
        zipped.writestr("json/dossierParlementaire/broken.json", b"{not json")
        zipped.writestr("json/document/PRJLSNR5S379B0807.json", b"{}")
    return buffer.getvalue()


def test_step_labels():
    assert step_label("AN1-DEPOT") == "Assemblée nationale — dépôt du texte"
    assert step_label("SN2-DEBATS-DEC") == "Sénat — vote en séance"
    assert step_label("PROM-PUB") == "Promulgation de la loi"
    assert step_label("CC-SAISIE-DROIT") == "Saisine du Conseil constitutionnel de droit"
    assert step_label("AN1-COM-FOND-SAISIE") is None


def test_nested_and_flat_dossiers_yield_their_dated_steps():
    native = dossier_steps(json.loads(NATIVE.read_text(encoding="utf-8")))
    assert [(s["date"], s["code"]) for s in native] == [(date(2022, 7, 20), "SN1-DEPOT")]
    steps = dossier_steps(json.loads(EXTRACT.read_text(encoding="utf-8")))
    assert [s["code"] for s in steps] == ["AN1-DEPOT", "SN1-DEPOT", "PROM-PUB"]
    promulgation = steps[-1]
    assert promulgation["date"] == date(2026, 7, 13)
    assert promulgation["cites"] == ["JUSF2534988L", "2026-630"]


def test_crawl_keeps_watched_dossiers_and_joins_a_law_by_its_nor(replay, tmp_path, sqlite_url):  # noqa: F811
    replay.add("/an/Dossiers_Legislatifs.json.zip", archive(), etag='"z1"')
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.an_dossiers]
url = "{replay.url("/an/Dossiers_Legislatifs.json.zip")}"
[sources.dila_jorf]
enabled = false
[sources.dila_cnil]
enabled = false
[sources.legifrance_api]
enabled = false
[watches.onf]
terms = ["Office national des forêts"]
[dossiers.enfance]
title = "Avocat de l'enfant"
identifiers = ["NOR:JUSF2534988L"]
""",
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLEUR_DATABASE_URL": sqlite_url, "VEILLEUR_CONFIG": str(config)}
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "crawl", "an_dossiers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "an_dossiers: partial — 2 new" in done.stdout and "1 error(s)" in done.stdout
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        tabled = repo.find_event(session, "GUID", "an:L16-VD208589DI")
        assert tabled.kind == "parliamentary_step" and tabled.date == date(2022, 7, 20)
        assert tabled.title.endswith("— Sénat — dépôt du texte")
        (promulgation,) = repo.events(session, dossier="enfance")
        assert promulgation.identifiers["GUID"] == "an:L17-VD233231PL"
        assert promulgation.cites == ["2026-630", "JUSF2534988L"]
        assert promulgation.details["nor"] == "JUSF2534988L"
    again = subprocess.run(
        [sys.executable, "-m", "scheduler", "crawl", "an_dossiers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and replay.log[-1][3] == 304


def test_a_rebuilt_archive_reads_only_the_dossiers_that_changed(replay, tmp_path, sqlite_url):  # noqa: F811
    # no ETag: the server answers 200 every time, as the AN does after its nightly rebuild
    route = "/an/rebuilt/Dossiers_Legislatifs.json.zip"
    replay.add(route, archive())
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.an_dossiers]
url = "{replay.url(route)}"
[watches.onf]
terms = ["Office national des forêts", "assistance éducative"]
""",
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLEUR_DATABASE_URL": sqlite_url, "VEILLEUR_CONFIG": str(config)}

    def crawl(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "scheduler", "crawl", "an_dossiers", *extra],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr  # the logs say why when an assertion fails

    first = crawl()
    assert "4 new" in first and "4 item(s) read" in first, first
    second = crawl()
    assert "0 new, 0 updated, 0 unchanged" in second and "0 item(s) read" in second

    changed = json.loads(NATIVE.read_text(encoding="utf-8"))
    changed["dossierParlementaire"]["titreDossier"]["titre"] += " (titre modifié)"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "json/dossierParlementaire/DLR5L16N46008.json",
            json.dumps(changed, ensure_ascii=False).encode("utf-8"),
        )
        zipped.writestr("json/dossierParlementaire/DLR5L17N52781.json", EXTRACT.read_bytes())
    replay.add(route, buffer.getvalue())
    third = crawl()
    assert "0 new, 1 updated" in third and "1 item(s) read" in third
    # a backfill reads every dossier again
    fourth = crawl("--since", "2020-01-01")
    assert "4 item(s) read" in fourth and "0 new, 0 updated, 4 unchanged" in fourth
