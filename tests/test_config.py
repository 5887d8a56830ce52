"""Configuration: defaults with no file, merging, environment, and errors with key and line."""

from __future__ import annotations

import pytest

from scheduler.config import ConfigError, check_schedule, load, locate, mask_secrets


def test_no_file_gives_the_built_in_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load(None, {})
    assert config.path is None
    assert config.database_url == "sqlite:///veilleur.db"
    assert "dila_jorf" in config.sources and config.sources["dila_jorf"].enabled
    assert {"vsa", "drones", "reconnaissance_faciale"} <= set(config.watches)
    assert config.dossiers["vsa"].seed == "vsa_reference_timeline"
    assert "caméras augmentées" in config.watches["vsa"].terms


def test_a_file_changes_only_the_keys_it_sets(make_config):
    config = make_config(
        '[sources.dila_jorf]\nenabled = false\nschedule = "every 2h"\n'
        '[watches.mine]\nterms = ["lecture automatisée de plaques"]\n',
        database_url="sqlite:///x.db",
    )
    jorf = config.sources["dila_jorf"]
    assert (jorf.enabled, jorf.schedule) == (False, "every 2h")
    assert jorf.url.startswith("https://echanges.dila.gouv.fr/")
    assert config.database_url == "sqlite:///x.db"
    assert config.watches["mine"].terms == ("lecture automatisée de plaques",)
    assert "vsa" in config.watches


def test_environment_overrides_the_file(make_config):
    config = make_config(
        "",
        {"VEILLEUR_DATABASE_URL": "sqlite:///env.db", "VEILLEUR_HTTP_TIMEOUT": "12"},
        database_url="sqlite:///file.db",
    )
    assert config.database_url == "sqlite:///env.db"
    assert config.http_timeout == 12


def test_every_error_is_reported_with_its_key_and_line(make_config):
    toml = """
http_timeout = "soon"
colour = "blue"

[sources.dila_jorf]
url = "ftp://echanges.dila.gouv.fr/"
schedule = "sometimes"

[dossiers.vsa]
watches = ["vsa", "nope"]
"""
    with pytest.raises(ConfigError) as caught:
        make_config(toml)
    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {
        "http_timeout",
        "colour",
        "sources.dila_jorf.url",
        "sources.dila_jorf.schedule",
        "dossiers.vsa.watches",
    }
    assert problems["http_timeout"].line == 2
    assert problems["colour"].line == 3
    assert problems["sources.dila_jorf.url"].line == 6
    assert problems["sources.dila_jorf.schedule"].line == 7
    assert problems["dossiers.vsa.watches"].line == 10
    assert "'nope'" in problems["dossiers.vsa.watches"].message
    assert ":6: sources.dila_jorf.url: must be an http(s) URL" in str(caught.value)


def test_a_toml_syntax_error_gives_its_line(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config("[sources.dila_jorf\nurl = 1\n")
    (problem,) = caught.value.problems
    assert problem.line == 1 and "not valid TOML" in problem.message


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load(tmp_path / "absent.toml", {})


def test_subscribers_are_checked(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config('[[subscribers]]\nurl = "nothing"\ncadence = "hourly"\nwatches = ["x"]\n')
    keys = {p.key for p in caught.value.problems}
    assert keys == {"subscribers[0].url", "subscribers[0].cadence", "subscribers[0].watches"}


@pytest.mark.parametrize(
    ("schedule", "valid"),
    [
        ("every 6h", True),
        ("every 30m", True),
        ("15 1,23 * * *", True),
        ("0 7 * * mon", True),
        ("*/10 * * * *", True),
        ("every 0h", False),
        ("61 * * * *", False),
        ("daily", False),
        ("1 2 3 4", False),
    ],
)
def test_schedules(schedule, valid):
    assert (check_schedule(schedule) is None) is valid


def test_locate_finds_keys_in_tables():
    text = 'a = 1\n[sources.x]\nurl = "u"\n[sources.y]\nurl = "v"\n'
    assert (locate(text, "a"), locate(text, "sources.y.url"), locate(text, "sources.y")) == (
        1,
        5,
        4,
    )


def test_secrets_are_masked_for_display():
    shown = mask_secrets(
        {
            "client_secret": "s3cr3t",
            "url": "mailtos://me:pw@example.org",
            "nested": {"password": "pw"},
        }
    )
    assert shown == {
        "client_secret": "****",
        "url": "mailtos://me:****@example.org",
        "nested": {"password": "****"},
    }


def test_whole_numbers_have_a_minimum(make_config):
    assert make_config(archive_workers=0).archive_workers == 0  # 0: one per CPU
    with pytest.raises(ConfigError, match="archive_workers: must be at least 0"):
        make_config(archive_workers=-1)
    with pytest.raises(ConfigError, match="http_timeout: must be at least 1"):
        make_config(http_timeout=0)
