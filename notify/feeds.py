"""Feeds of the site: Atom per dossier and per watch, iCalendar of deadlines (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent


def atom_feed(
    env: Any, title: str, path: str, members: list[dict[str, Any]], public_url: str
) -> str:
    """An Atom 1.0 document of ``members`` (newest first); links absolute when possible."""
    depth = path.count("/")
    base = f"{public_url.rstrip('/')}/" if public_url else "../" * depth
    entries = sorted(members, key=lambda m: (m["seen"], m["date"]), reverse=True)
    updated = max((m["seen"] for m in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    return env.get_template("site/atom.xml").render(
        title=title,
        feed_id=f"urn:veilleur:{path}",
        base=base,
        entries=entries,
        updated=updated.isoformat(),
        self_url=f"{base}{path}" if public_url else "",
    )


def deadlines_ics(title: str, members: list[dict[str, Any]]) -> bytes:
    """An iCalendar file with one all-day event per deadline."""
    calendar = Calendar()
    calendar.add("prodid", "-//veilleur//échéances//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Échéances — {title}")
    for member in members:
        entry = CalendarEvent()
        entry.add("uid", f"{member['key']}@veilleur")
        entry.add("summary", member["title"])
        entry.add("dtstart", member["date"])
        entry.add("dtend", member["date"] + timedelta(days=1))
        entry.add("dtstamp", member["seen"])
        if member["url"]:
            entry.add("url", member["url"])
        entry.add("description", " · ".join([*member["ids"], f"source : {member['source']}"]))
        calendar.add_component(entry)
    return calendar.to_ical()
