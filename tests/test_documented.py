"""The README documents every setting and the two commands CI relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_table(setting):
    row = next(
        (line for line in README.splitlines() if line.startswith(f"| `{setting.name}` |")), None
    )
    assert row is not None, f"README has no row for setting {setting.name}"
    assert f"`{setting.env}`" in row


def test_readme_starts_with_the_run_and_test_commands_and_ci_runs_the_latter():
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line]
    assert commands[:2] == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nmake test\n" in ci
