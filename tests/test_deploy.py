"""The deployment files are valid: the compose file (checked by docker-compose itself) and
the systemd units."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_compose_file_is_valid_and_wires_the_services():
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.fail("docker-compose is not installed: run the suite with `make test`")
    done = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "--project-directory", str(ROOT), "config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config = done.stdout
    for needle in (
        "veilleur run",
        "pg_isready",
        "service_healthy",
        "profiles",
        "postgresql+psycopg://",
    ):
        assert needle.split()[0] in config


@pytest.mark.parametrize("unit", ["veilleur.service", "veilleur-serve.service"])
def test_systemd_units(unit):
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.read(ROOT / "deploy" / unit)
    assert parser["Service"]["ExecStart"].startswith("/opt/veilleur/.venv/bin/veilleur ")
    assert parser["Install"]["WantedBy"] == "multi-user.target"
