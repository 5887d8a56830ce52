"""The veilleur command on a fresh store: seeded dossier, listings, and clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scheduler.cli import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VEILLEUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("VEILLEUR_CONFIG", raising=False)

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_the_vsa_dossier_lists_the_60_seeded_events_in_date_order(run):
    result = run("events", "--dossier", "vsa", "--format", "json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert len(events) == 60
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    law = next(e for e in events if e["identifiers"].get("JORFTEXT") == "JORFTEXT000047561974")
    assert law["identifiers"]["NOR"] == "SPOX2233026L" and law["kind"] == "law"
    assert law["url"] == "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000047561974"


def test_the_table_shows_identifiers_and_a_second_start_seeds_nothing_twice(run):
    first = run("events", "--dossier", "vsa", "--kind", "decree")
    second = run("events", "--dossier", "vsa", "--kind", "decree")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert "IOMD2315000D" in first.stdout and "n° 2023-828" in first.stdout
    assert first.stdout.count("\n") == 2 + 3  # header, rule, the three decrees


def test_filters_and_csv(run):
    result = run("events", "--since", "2025-01-01", "--until", "2025-03-31", "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("key,date,")
    assert all("2025-0" in line for line in lines[1:]) and len(lines) > 3


def test_one_event_with_its_revisions(run):
    result = run("event", "JORFTEXT000048007135")
    assert result.exit_code == 0
    (record,) = json.loads(result.stdout)
    assert record["title"].startswith("Décret n° 2023-828")
    assert [r["number"] for r in record["revisions"]] == [1]


def test_dossiers_and_sources_views(run):
    dossiers = run("dossiers")
    assert dossiers.exit_code == 0 and "vsa" in dossiers.stdout and " 60 " in dossiers.stdout
    sources = run("sources")
    assert sources.exit_code == 0 and "dila_jorf" in sources.stdout and "never" in sources.stdout


def test_a_bad_configuration_is_one_clear_message_and_a_failure(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.dila_jorf]\nschedule = "whenever"\n', encoding="utf-8")
    for args in (("--config", str(bad), "events"), ("config", "check", str(bad))):
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 1
        assert f"{bad}:2: sources.dila_jorf.schedule" in result.output
        assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_config_check_accepts_the_defaults(run):
    result = run("config", "check")
    assert result.exit_code == 0 and "built-in defaults: OK" in result.stdout


def test_unknown_dossier_is_a_usage_error(run):
    result = CliRunner().invoke(cli, ["events", "--dossier", "nope"])
    assert result.exit_code == 2 and "unknown dossier 'nope'" in result.output


def test_database_url_password_is_never_printed(run, monkeypatch):
    monkeypatch.setenv(
        "VEILLEUR_DATABASE_URL", "postgresql+psycopg://veilleur:hunter2@127.0.0.1:9/none"
    )
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "***" in result.output


def test_db_upgrade_and_status(run):
    assert "upgraded" in run("db", "upgrade").stdout
    assert "already up to date" in run("db", "upgrade").stdout
    status = run("db", "status").stdout
    assert "up to date" in status and "events:   0" in status
