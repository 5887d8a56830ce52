"""The site's manifest: what the last build wrote, and the fingerprint of each page.

``manifest.json`` holds the layout, the state the next build starts from, and the
fingerprints of the few pages that are not an event's. Those of the event pages (a hundred
thousand on a large site) are kept in ``manifest/events-NN.json``, SHARDS files chosen by a
checksum of the page's path, so that a build touching a few events reads and writes a few
small files rather than one of several megabytes.

Files are replaced atomically; ``manifest.json`` last, so that a build stopped half-way
leaves either the previous state or fingerprints of pages already on disk.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILE = "manifest.json"
SHARD_DIR = "manifest"
SHARDS = 64
SHARDED = "events/"  # the pages whose fingerprints go to shards
VERSION = 2  # of this layout of the manifest; another means a full build


def _shard(path: str) -> int:
    return zlib.crc32(path.encode()) % SHARDS


def _shard_path(out: Path, n: int) -> Path:
    return out / SHARD_DIR / f"events-{n:02d}.json"


class Pages:
    """Page path → fingerprint; event pages read by shard when first asked for.

    ``known``: the entries each shard held when saved (from ``manifest.json``), or None
    for a new, empty set of pages.
    """

    def __init__(self, out: Path, top: dict[str, str], known: dict[int, int] | None = None) -> None:
        self.out = out
        self.top = top
        self.known = known or {}
        self.shards: dict[int, dict[str, str]] = {} if known is not None else _empty()
        self.dirty: set[int] = set()

    def _of(self, path: str) -> dict[str, str]:
        if not path.startswith(SHARDED):
            return self.top
        return self.shard(_shard(path))

    def shard(self, n: int) -> dict[str, str]:
        """The entries of shard ``n``, read when first asked for."""
        entries = self.shards.get(n)
        if entries is None:
            entries = self.shards[n] = self._read(n) if self.known.get(n) else {}
        return entries

    def _read(self, n: int) -> dict[str, str]:
        """A shard's entries; an unreadable shard counts as empty (its pages are written
        again, being unknown)."""
        try:
            shard = json.loads(_shard_path(self.out, n).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return shard if isinstance(shard, dict) else {}

    def count(self, n: int) -> int:
        """How many entries shard ``n`` holds (without reading it)."""
        return len(self.shards[n]) if n in self.shards else self.known.get(n, 0)

    def get(self, path: str) -> str | None:
        return self._of(path).get(path)

    def __contains__(self, path: str) -> bool:
        return path in self._of(path)

    def __setitem__(self, path: str, fingerprint: str) -> None:
        if not path.startswith(SHARDED):
            self.top[path] = fingerprint
            return
        n = _shard(path)
        entries = self.shard(n)
        if entries.get(path) != fingerprint:
            entries[path] = fingerprint
            self.dirty.add(n)

    def __len__(self) -> int:
        return len(self.top) + sum(self.count(n) for n in range(SHARDS))

    def __iter__(self) -> Iterator[str]:
        """Every path (reads every shard)."""
        yield from self.top
        for n in range(SHARDS):
            yield from self.shard(n)

    def as_dict(self) -> dict[str, str]:
        """Every page and its fingerprint."""
        return {path: self.get(path) or "" for path in self}


def _empty() -> dict[int, dict[str, str]]:
    return {n: {} for n in range(SHARDS)}


def load(out: Path, layout: str) -> tuple[Pages, dict[str, Any]]:
    """The pages of the last build into ``out`` and its state; empty when there was none,
    or when it was made with another layout (templates, public address)."""
    try:
        manifest = json.loads((out / FILE).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("version") != VERSION:
            raise ValueError("another version")
        if manifest.get("layout") != layout:
            raise ValueError("another layout")
        top = {k: v for k, v in (manifest.get("pages") or {}).items() if not k.startswith(SHARDED)}
        known = {int(n): int(count) for n, count in (manifest.get("shards") or {}).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return Pages(out, {}, None), {}
    return Pages(out, top, known), manifest.get("state") or {}


def save(out: Path, pages: Pages, layout: str, state: dict[str, Any], previous: Pages) -> None:
    """Write the shards that changed (``pages`` updated from ``previous``, or built anew
    beside it), then ``manifest.json``."""
    (out / SHARD_DIR).mkdir(exist_ok=True)
    if pages is previous:
        changed = sorted(pages.dirty)
    else:
        changed = [n for n in range(SHARDS) if pages.shard(n) != previous.shard(n)]
    for n in changed:
        target = _shard_path(out, n)
        if pages.shards[n]:
            _replace(target, json.dumps(pages.shards[n], separators=(",", ":")))
        else:
            target.unlink(missing_ok=True)
    manifest = {
        "version": VERSION,
        "layout": layout,
        "pages": pages.top,
        "shards": {str(n): pages.count(n) for n in range(SHARDS) if pages.count(n)},
        "state": state,
    }
    _replace(out / FILE, json.dumps(manifest, sort_keys=True))


def _replace(target: Path, text: str) -> None:
    aside = target.with_name(target.name + ".tmp")
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, target)


def is_manifest(relative: str) -> bool:
    """Whether a path of the site (relative, with ``/``) is part of the manifest."""
    return relative == FILE or relative.startswith(SHARD_DIR + "/")
