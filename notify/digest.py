"""A digest: what one subscription is told in one message (pure, no I/O).

Entries are grouped by dossier, then by date; revised texts are marked as updates; the
deadlines ahead come first, with the days left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One event in a digest, as plain values."""

    key: str
    kind: str
    date: date
    date_precision: str
    title: str
    url: str
    source: str
    identifiers: Mapping[str, str]
    reason: str  # new, update, reminder-30, reminder-7, reminder-1
    revision: int
    dossiers: tuple[str, ...] = ()


@dataclass
class Deadline:
    entry: Entry
    days_left: int


@dataclass
class Group:
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Digest:
    """One message: deadlines on top, then one group per dossier."""

    subscription_id: int
    digest_id: str
    deadlines: list[Deadline]
    groups: list[Group]

    @property
    def count(self) -> int:
        return len(self.deadlines) + sum(len(g.entries) for g in self.groups)


SHOWN_IDS = ("JORFTEXT", "CNILTEXT", "LEGITEXT", "NOR", "ELI", "NUM", "ECLI")


def shown_identifiers(identifiers: Mapping[str, Any]) -> list[str]:
    """The official identifiers worth printing, in a fixed order."""
    out = []
    for scheme in SHOWN_IDS:
        value = identifiers.get(scheme)
        if value:
            out.append(
                f"n° {value}"
                if scheme == "NUM"
                else value
                if scheme.endswith("TEXT") or scheme == "ECLI"
                else f"{scheme} {value}"
            )
    return out


def digest_id(delivery_ids: Iterable[int]) -> str:
    """The same outbox rows always make the same id (duplicates are recognisable)."""
    joined = ",".join(str(i) for i in sorted(delivery_ids))
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def build_digest(
    subscription_id: int,
    entries: Iterable[tuple[int, Entry]],
    dossier_titles: Mapping[str, str],
    today: date,
) -> Digest:
    """Arrange ``(delivery id, entry)`` pairs into a digest."""
    pairs = list(entries)
    deadlines: dict[str, Deadline] = {}
    groups: dict[str, Group] = {}
    seen: set[tuple[str, str]] = set()
    for _, entry in pairs:
        if entry.reason.startswith("reminder") or (
            entry.kind == "deadline" and entry.date >= today
        ):
            deadlines.setdefault(entry.key, Deadline(entry, (entry.date - today).days))
            if entry.reason.startswith("reminder"):
                continue
        dossier = entry.dossiers[0] if entry.dossiers else ""
        if (dossier, entry.key) in seen:
            continue
        seen.add((dossier, entry.key))
        title = (
            dossier_titles.get(dossier, "Autres textes suivis")
            if dossier
            else "Autres textes suivis"
        )
        groups.setdefault(dossier, Group(title)).entries.append(entry)
    ordered = [groups[k] for k in sorted(groups, key=lambda d: (d == "", d))]
    for group in ordered:
        group.entries.sort(key=lambda e: (e.date, e.key))
    return Digest(
        subscription_id,
        digest_id(i for i, _ in pairs),
        sorted(deadlines.values(), key=lambda d: d.entry.date),
        ordered,
    )
