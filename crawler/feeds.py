"""RSS and Atom feeds, parsed from the bytes Scrapy downloaded (the only feedparser import).

feedparser never fetches anything here: it gets a ``BytesIO``. Before parsing, oversized
author fields are cut (feedparser's e-mail regex is quadratic on them), and parsing is
bounded in wall time. Titles and summaries come out as plain text; feedparser's sanitised
HTML is turned into text, and anything ``text/plain`` is text already: the templates escape
both. A feed that parses badly but has
entries keeps its entries; one with no entries is reported, never read as "everything was
removed".
"""

from __future__ import annotations

import io
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import feedparser
from lxml import html as lxml_html

PARIS = ZoneInfo("Europe/Paris")
MAX_FIELD = 20_000
MAX_AUTHOR = 256
# An author element, its text escaped or in CDATA (which may hold "<").
_LONG_AUTHOR = re.compile(
    rb"<(author|dc:creator|managingEditor|webMaster|name|email)(\s[^>]*)?>"
    rb"((?:[^<]|<!\[CDATA\[(?:[^\]]|\](?!\]>))*\]\]>)+)</\1>",
    re.I,
)


def _short_author(match: re.Match) -> bytes:
    """The element of ``match`` with its text cut to MAX_AUTHOR bytes, CDATA unwrapped."""
    raw = match.group(3)
    if len(raw) < 2048:
        return match.group(0)
    text = re.sub(rb"<!\[CDATA\[((?:[^\]]|\](?!\]>))*)\]\]>", lambda m: _escape(m.group(1)), raw)
    text = text[:MAX_AUTHOR]
    amp = text.rfind(b"&")
    if amp > text.rfind(b";"):  # do not leave half an entity
        text = text[:amp]
    tag = match.group(1)
    return b"<" + tag + b">" + text + b"</" + tag + b">"


def cut_long_authors(body: bytes) -> bytes:
    """``body`` with every author element of 2 KB or more cut to MAX_AUTHOR bytes: feedparser's
    e-mail regex is quadratic on them (64 KB in CDATA took 16 s)."""
    return _LONG_AUTHOR.sub(_short_author, body)


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


@dataclass
class Entry:
    guid: str
    link: str
    title: str
    summary: str
    day: date | None
    author: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Feed:
    title: str
    entries: list[Entry]
    bozo: bool
    problem: str = ""


def _text(value: str | None) -> str:
    if not value:
        return ""
    value = value[:MAX_FIELD]
    if "<" in value or "&" in value:
        try:
            value = lxml_html.fromstring(f"<div>{value}</div>").text_content()
        except (ValueError, lxml_html.etree.ParserError):
            value = re.sub(r"<[^>]+>", " ", value)
    return " ".join(value.split())


def _day(entry: dict) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            moment = datetime(*parsed[:6], tzinfo=UTC)
            return moment.astimezone(PARIS).date()
    return None


_DECLARED = re.compile(
    rb"^(\s*<\?xml[^>]*encoding=[\"'])(iso-8859-1|latin-?1|windows-1252)([\"'])", re.I
)


def _fix_encoding(body: bytes) -> bytes:
    """A feed that declares Latin-1 but is valid UTF-8 with accents is read as UTF-8."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    match = _DECLARED.match(body)
    if match and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return body[: match.start(2)] + b"utf-8" + body[match.end(2) :]
    return body


MAX_SECONDS = 20.0


class ParseTimeout(Exception):
    """feedparser ran longer than its bound."""


@contextmanager
def _bounded(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time (main thread only, as Scrapy's
    callbacks are; elsewhere the size caps are the only bound)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ParseTimeout(f"parsing took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_feed(body: bytes, max_seconds: float = MAX_SECONDS) -> Feed:
    """The entries of an RSS or Atom document; none, with the reason, if parsing takes longer
    than ``max_seconds``."""
    body = _fix_encoding(body)
    body = cut_long_authors(body)
    try:
        with _bounded(max_seconds):
            parsed = feedparser.parse(
                io.BytesIO(body), sanitize_html=True, resolve_relative_uris=False
            )
    except ParseTimeout as exc:
        return Feed("", [], True, str(exc))
    entries = []
    for raw in parsed.entries:
        link = (raw.get("link") or "").strip()
        entries.append(
            Entry(
                guid=(raw.get("id") or "").strip()[:500],
                link=link[:2000],
                title=_text(raw.get("title")),
                summary=_text(raw.get("summary"))[:5000],
                day=_day(raw),
                author=_text(raw.get("author"))[:200],
                tags=[_text(t.get("term"))[:100] for t in raw.get("tags") or []][:20],
            )
        )
    problem = ""
    if parsed.get("bozo"):
        problem = (
            f"{type(parsed.get('bozo_exception')).__name__}: "
            f"{str(parsed.get('bozo_exception'))[:200]}"
        )
    return Feed(_text(parsed.feed.get("title")), entries, bool(parsed.get("bozo")), problem)
