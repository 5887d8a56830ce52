"""`veilleur run --once` completes without the network and names what it could not reach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scheduler.config import load

ROOT = Path(__file__).resolve().parents[1]
# every other built-in source is off: tests never look up the real sites
OTHERS = [s for s in load(None, {}).sources if s not in ("dila_jorf", "dila_cnil")]


def test_run_once_completes_and_names_unreachable_sources(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text(
        """
[sources.dila_jorf]
url = "http://127.0.0.1:9/OPENDATA/JORF/"
[sources.dila_cnil]
url = "http://no-such-host.invalid/OPENDATA/CNIL/"
"""
        + "".join(f"[sources.{slug}]\nenabled = false\n" for slug in OTHERS),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "VEILLEUR_CONFIG": str(config),
        "VEILLEUR_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "run", "--once"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "dila_jorf: unreachable" in done.stdout
    assert "dila_cnil: unreachable" in done.stdout
    assert "could not reach: dila_jorf, dila_cnil" in done.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "scheduler", "events", "--dossier", "vsa", "--format", "csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.stdout.count("\n") == 61
