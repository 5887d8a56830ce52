"""Feeds of the site: Atom per dossier and per watch, iCalendar of deadlines (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


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


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping (backslash, semicolon, comma, newline)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(parts)


def deadlines_ics(title: str, members: list[dict[str, Any]]) -> bytes:
    """An iCalendar file with one all-day event per deadline."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//veilleur//echeances//FR",
        f"X-WR-CALNAME:{_escape('Échéances — ' + title)}",
    ]
    for member in members:
        stamp = member["seen"].astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(member['key'])}@veilleur",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{member['date']:%Y%m%d}",
            f"DTEND;VALUE=DATE:{member['date'] + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(member['title'])}",
            f"DESCRIPTION:{_escape(' · '.join([*member['ids'], 'source : ' + member['source']]))}",
        ]
        if member["url"]:
            lines.append(f"URL:{member['url']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
