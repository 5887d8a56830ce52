"""Shared fixtures: databases (SQLite file and a real PostgreSQL), configuration, fixtures.

The PostgreSQL, SMTP, Matrix and Chromium servers are started by ``tests/services.sh``
(``make test``); a test that needs one fails with a clear message when it is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scheduler.config import Config, load
from store.db import make_engine, upgrade

FILES = Path(__file__).resolve().parent / "files"


def need_env(name: str) -> str:
    """The value of a service variable set by tests/services.sh, or a failure saying so."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run the suite with `make test` (tests/services.sh "
            "starts PostgreSQL, the SMTP sink, Synapse and finds Chromium)"
        )
    return value


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'veilleur.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL server, dropped afterwards."""
    admin_url = need_env("VEILLEUR_TEST_POSTGRES_URL")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on SQLite and on the real PostgreSQL server."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str):
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def make_config(tmp_path: Path):
    """Build a ``Config`` from TOML text (over the built-in defaults) and an environment."""

    def build(toml: str = "", environ: dict[str, str] | None = None, **settings: str) -> Config:
        path = tmp_path / f"veilleur-{uuid.uuid4().hex[:6]}.toml"
        lines = [f"{k} = {v!r}".replace("'", '"') + "\n" for k, v in settings.items()]
        path.write_text("".join(lines) + toml, encoding="utf-8")
        return load(path, environ or {})

    return build


def veilleur(config: Path, db_url: str, *args: str, timeout: float = 120):
    """Run ``veilleur ARGS`` in a child process (Scrapy's reactor cannot be restarted)."""
    import subprocess
    import sys

    env = {**os.environ, "VEILLEUR_DATABASE_URL": db_url, "VEILLEUR_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
