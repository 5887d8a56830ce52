"""The dependency rule, checked on the source: who may import whom, and where each library lives.

crawler and notify import store; scheduler imports everything; nothing imports scheduler.
Each third-party library with a boundary role is imported in one place only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("store", "crawler", "notify", "scheduler")
ALLOWED = {
    "store": {"store"},
    "crawler": {"crawler", "store"},
    "notify": {"notify", "store"},
    "scheduler": {"scheduler", "crawler", "notify", "store"},
}
# library → the package folder (or single module) allowed to import it
LIBRARY_HOMES = {
    "sqlmodel": ("store/",),
    "alembic": ("store/",),
    "scrapy": ("crawler/",),
    "twisted": ("crawler/",),
    "feedparser": ("crawler/feeds.py",),
    "apprise": ("notify/send.py",),
    "apscheduler": ("scheduler/schedule.py",),
    "jinja2": ("notify/render.py",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _modules() -> list[Path]:
    return sorted(
        p
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations/versions" not in p.as_posix()
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_package_imports_follow_the_dependency_rule(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    ours = {name.split(".")[0] for name in _imports(path)} & set(PACKAGES)
    assert ours <= ALLOWED[package], f"{package} may not import {ours - ALLOWED[package]}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_boundary_libraries_are_imported_in_their_home_only(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    for name in _imports(path):
        top = name.split(".")[0]
        homes = LIBRARY_HOMES.get(top)
        if homes and not any(relative.startswith(home) for home in homes):
            pytest.fail(f"{relative} imports {top}, which belongs in {', '.join(homes)}")


def test_the_rule_is_checked_on_something() -> None:
    assert len(_modules()) >= 10
