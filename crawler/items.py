"""What spiders yield. Plain dataclasses: the pipeline alone turns them into stored rows.

``EventItem`` mirrors ``store.repo.EventIn``; ``WithdrawalItem`` asks for an event to be
marked withdrawn (a deletion list, a removed order), never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class EventItem:
    """A dated text or fact as a source reports it.

    ``texts`` are extra pieces of text (visas, articles, notice) matched against the watches
    but not stored whole; ``keep`` stores the item even when no watch matches it;
    ``only_update`` stores it only if the event is already known (re-delivered old texts).
    """

    source: str
    kind: str
    date: date
    title: str
    url: str = ""
    summary: str = ""
    body: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    published_on: date | None = None
    date_precision: str = "day"
    provenance: dict[str, Any] = field(default_factory=dict)
    cites: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    authority: int = 10
    texts: list[str] = field(default_factory=list)
    keep: bool = False
    only_update: bool = False

    def record(self) -> dict[str, Any]:
        """The item as a ``store.repo.EventIn`` dict."""
        return {
            "source": self.source,
            "kind": self.kind,
            "date": self.date,
            "title": self.title,
            "url": self.url,
            "summary": self.summary,
            "body": self.body,
            "identifiers": dict(self.identifiers),
            "published_on": self.published_on,
            "date_precision": self.date_precision,
            "provenance": dict(self.provenance),
            "cites": list(self.cites),
            "details": dict(self.details),
            "flags": list(self.flags),
            "authority": self.authority,
        }


@dataclass
class WithdrawalItem:
    """The text with this identifier was withdrawn by its source."""

    source: str
    scheme: str
    value: str
