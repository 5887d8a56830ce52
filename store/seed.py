"""The seed history shipped with veilleur: the reference timeline of the VSA dossier.

``reference_items`` turns ``store/data/<name>.json`` into items for ``repo.upsert_events``.
Seeded events have the lowest authority, so the first official crawl of the same text
(same JORFTEXT, NOR, ELI or number) replaces their wording and keeps a revision.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from store.identity import slugify
from store.repo import EventIn

DATA = Path(__file__).resolve().parent / "data"
SOURCE = "reference"
# Keys of the reference file that are official identifiers, and their scheme names.
_SCHEMES = {
    "JORFTEXT": "JORFTEXT",
    "CNILTEXT": "CNILTEXT",
    "NOR": "NOR",
    "ELI": "ELI",
    "ECLI": "ECLI",
    "numero": "NUM",
}


def dataset_path(name: str) -> Path:
    """The shipped data file for a seed name such as ``vsa_reference_timeline``."""
    path = DATA / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no seed data named {name!r} (looked for {path})")
    return path


def dataset_digest(name: str) -> str:
    """A fingerprint of the shipped file, to seed again only when it changed."""
    return hashlib.sha256(dataset_path(name).read_bytes()).hexdigest()


def reference_items(name: str) -> list[EventIn]:
    """The events of a shipped reference timeline, ready to upsert."""
    records = json.loads(dataset_path(name).read_text(encoding="utf-8"))
    return [_item(name, record) for record in records]


def _item(name: str, record: dict[str, Any]) -> EventIn:
    day = date.fromisoformat(record["date"])
    identifiers: dict[str, str] = {}
    details: dict[str, Any] = {}
    for key, value in (record.get("identifiers") or {}).items():
        if value is None:
            continue
        if key in _SCHEMES:
            identifiers[_SCHEMES[key]] = str(value)
        else:
            details[key] = value
    identifiers["SEED"] = f"{name}/{day.isoformat()}/{slugify(record['title'], 50)}"
    details["origin"] = record.get("source") or ""
    details["confidence"] = record.get("confidence") or ""
    return {
        "source": SOURCE,
        "kind": record["kind"],
        "date": day,
        "title": record["title"],
        "summary": record.get("summary") or "",
        "url": record.get("source_url") or "",
        "identifiers": identifiers,
        "details": details,
        "provenance": {"dataset": f"{name}.json", "compiled_from": record.get("source") or ""},
        "authority": 0,
    }
