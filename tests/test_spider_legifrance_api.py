"""legifrance_api end to end against a PISTE emulator on 127.0.0.1 (token + consult endpoints)
replaying the recorded real responses in tests/files/legifrance_api (lastNJo and jorf are
real; jorfCont is constructed, see SOURCE.txt)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import FILES
from replay import replay  # noqa: F401  (fixture)

from store import repo
from store.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parents[1]
API = FILES / "legifrance_api"
SECRET = "s3cr3t-client-Value"
TOKEN = "tok-7f3a9c-bearer"


def run(config: Path, db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VEILLEUR_DATABASE_URL": db_url, "VEILLEUR_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def piste(replay, tmp_path):  # noqa: F811
    replay.add(
        "/api/oauth/token",
        f'{{"access_token": "{TOKEN}", "token_type": "Bearer", '
        '"expires_in": 3600, "scope": "openid"}',
        content_type="application/json",
    )
    replay.add(
        "/lf/consult/lastNJo",
        (API / "consult_lastNJo_response_2020-12-05.json").read_bytes(),
        content_type="application/json",
    )
    replay.add(
        "/lf/consult/jorfCont",
        (API / "consult_jorfCont_constructed.json").read_bytes(),
        content_type="application/json",
    )
    replay.add(
        "/lf/consult/jorf",
        (API / "consult_jorf_response_JORFTEXT000042665307.json").read_bytes(),
        content_type="application/json",
    )
    replay.add(
        "/lf/search",
        (API / "search_constructed.json").read_bytes(),
        content_type="application/json",
    )
    replay.add(
        "/lf/consult/cnil",
        (API / "consult_cnil_constructed.json").read_bytes(),
        content_type="application/json",
    )
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.dila_jorf]
enabled = false
[sources.dila_cnil]
enabled = false
[sources.legifrance_api]
enabled = true
url = "{replay.url("/lf/")}"
token_url = "{replay.url("/api/oauth/token")}"
client_id = "veilleur-test"
client_secret = "{SECRET}"
[watches.securite_sociale]
terms = ["financement de la sécurité sociale"]
""",
        encoding="utf-8",
    )
    return replay, config


def test_the_latest_issues_are_read_and_the_matching_text_stored(piste, sqlite_url):
    server, config = piste
    server.routes["/lf/consult/jorf"].statuses = [429, 200]
    server.routes["/lf/consult/jorf"].headers = {"Retry-After": "1"}
    result = run(config, sqlite_url, "-v", "crawl", "legifrance_api")
    assert result.returncode == 0, result.stderr
    assert "legifrance_api: ok — " in result.stdout and "2 item(s) read" in result.stdout
    assert len(server.requests_to("/api/oauth/token")) == 1
    assert len(server.requests_to("/lf/consult/jorfCont")) == 5  # the five issues listed
    assert [e[3] for e in server.requests_to("/lf/consult/jorf")] == [429, 200]
    jorf = server.requests_to("/lf/consult/jorf")[-1]
    assert jorf[2]["Authorization"] == f"Bearer {TOKEN}"
    assert SECRET not in result.stderr + result.stdout and TOKEN not in result.stderr
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000042665307")
        assert (event.kind, event.date, event.published_on) == (
            "law",
            date(2020, 12, 14),
            date(2020, 12, 15),
        )
        assert event.identifiers["NOR"] == "ECOX2023815L"
        assert event.identifiers["NUM"] == "2020-1576"
        assert repo.find_event(session, "NUM:loi", "2020-1576").id == event.id
        # the CNIL search found a deliberation of the VSA dossier: the seeded event is
        # revised with the official wording, not duplicated
        avis = repo.find_event(session, "CNILTEXT", "CNILTEXT000046865563")
        assert avis.source == "legifrance_api" and avis.revision == 2
        assert (avis.date, avis.published_on) == (date(2022, 12, 8), date(2023, 1, 6))
        assert avis.details["nature_delib"] == "Avis"
        assert avis.id in [e.id for e in repo.events(session, dossier="vsa")]
        assert "Article 13 Il est institué" in event.body
        # the deadlines the law sets, each quoting its clause and pointing at the law
        deadlines = repo.events(session, kinds=["deadline"], sources=["legifrance_api"])
        assert deadlines and all(d.date > date(2020, 12, 14) for d in deadlines)
        assert all(d.details["set_by"] == "JORFTEXT000042665307" for d in deadlines)
        assert all(d.title.startswith("Échéance : « ") for d in deadlines)
    again = run(config, sqlite_url, "crawl", "legifrance_api")
    assert again.returncode == 0 and "0 new, 0 updated" in again.stdout
    assert len(server.requests_to("/lf/consult/jorfCont")) == 5  # issues already seen
    searches = server.requests_to("/lf/search")
    assert len(searches) == 4 and all(s[2]["Authorization"] == f"Bearer {TOKEN}" for s in searches)


def test_without_credentials_the_source_says_it_is_disabled(piste, sqlite_url, tmp_path):
    server, config = piste
    config.write_text(
        config.read_text().replace(f'client_secret = "{SECRET}"', 'client_secret = ""'),
        encoding="utf-8",
    )
    result = run(config, sqlite_url, "crawl", "legifrance_api")
    assert result.returncode == 0, result.stderr
    assert "legifrance_api: disabled — no PISTE credentials" in result.stdout
    assert server.log == []


def test_credentials_from_the_environment_only(piste, sqlite_url, make_config):
    server, config = piste
    text = config.read_text().replace('client_id = "veilleur-test"\n', "")
    config.write_text(text.replace(f'client_secret = "{SECRET}"\n', ""), encoding="utf-8")
    env = {
        **os.environ,
        "VEILLEUR_DATABASE_URL": sqlite_url,
        "VEILLEUR_CONFIG": str(config),
        "VEILLEUR_PISTE_CLIENT_ID": "veilleur-env",
        "VEILLEUR_PISTE_CLIENT_SECRET": SECRET,
    }
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "-v", "crawl", "legifrance_api"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "legifrance_api: ok — " in result.stdout
    assert len(server.requests_to("/api/oauth/token")) == 1
    assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stderr
    # a source's own keys win over the environment
    own = make_config(
        '[sources.legifrance_api]\nclient_id = "own"\nclient_secret = "own-secret"\n',
        {"VEILLEUR_PISTE_CLIENT_ID": "env", "VEILLEUR_PISTE_CLIENT_SECRET": "env-secret"},
    )
    assert own.sources["legifrance_api"].options["client_secret"] == "own-secret"
    from_env = make_config(
        "", {"VEILLEUR_PISTE_CLIENT_ID": "env", "VEILLEUR_PISTE_CLIENT_SECRET": "env-secret"}
    )
    assert from_env.sources["legifrance_api"].options["client_id"] == "env"
    assert from_env.sources["legifrance_api"].options["client_secret"] == "env-secret"
