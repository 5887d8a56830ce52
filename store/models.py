"""Every table of veilleur, and the enumerations beside them.

SQLModel is imported in ``store/`` only; the rest of the code talks to the store through
``store.repo`` with plain values. Timestamps are stored in UTC (see ``UTCDateTime``); the
date of a text is a civil ``date`` (the Europe/Paris calendar day printed on the text).
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back timezone-aware (UTC).

    SQLite keeps no offset; storing naive UTC everywhere keeps both backends identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(factory: type = dict) -> Any:
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


def _text() -> Any:
    return Field(default="", sa_column=Column(Text, nullable=False))


class EventKind(StrEnum):
    """What an event is. The values are stable: they are stored and appear in feeds."""

    LAW = "law"
    DECREE = "decree"
    ORDER = "order"
    CNIL_DELIBERATION = "cnil_deliberation"
    CONSTITUTIONAL_DECISION = "constitutional_decision"
    COURT_DECISION = "court_decision"
    REPORT = "report"
    PARLIAMENTARY_STEP = "parliamentary_step"
    ANNOUNCEMENT = "announcement"
    DEADLINE = "deadline"
    NEWS = "news"


class EventStatus(StrEnum):
    CURRENT = "current"
    WITHDRAWN = "withdrawn"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    DISABLED = "disabled"


class Cadence(StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Event(SQLModel, table=True):
    """One dated text or fact: a law, a decree, an order, a deliberation, an article…

    Identity lives in ``EventIdentifier``; ``key`` is a readable, stable handle made once
    from the date and the first official identifier, used in URLs and the CLI.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40, index=True)
    date: Date = Field(index=True)
    date_precision: str = Field(default=DatePrecision.DAY, max_length=8)
    published_on: Date | None = Field(default=None)
    title: str = _text()
    summary: str = _text()
    body: str = _text()
    url: str = Field(default="", max_length=2000)
    identifiers: dict[str, str] = _json()
    details: dict[str, Any] = _json()
    provenance: dict[str, Any] = _json()
    cites: list[str] = _json(list)
    flags: list[str] = _json(list)
    source: str = Field(max_length=80, index=True)
    authority: int = Field(default=0)
    status: str = Field(default=EventStatus.CURRENT, max_length=12, index=True)
    withdrawn_at: datetime | None = _ts()
    revision: int = Field(default=1)
    content_hash: str = Field(max_length=64)
    first_seen_at: datetime = _ts(nullable=False, index=True)
    last_seen_at: datetime = _ts(nullable=False)
    changed_at: datetime = _ts(nullable=False, index=True)


class EventIdentifier(SQLModel, table=True):
    """One identity key of an event: (scheme, value) is unique across all events."""

    __table_args__ = (UniqueConstraint("scheme", "value", name="uq_identifier_scheme_value"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    scheme: str = Field(max_length=40)
    value: str = Field(max_length=500, index=True)


class EventRevision(SQLModel, table=True):
    """A version of an event's content; revision 1 is what we saw first."""

    __table_args__ = (UniqueConstraint("event_id", "number", name="uq_revision_event_number"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    number: int
    source: str = Field(max_length=80)
    seen_at: datetime = _ts(nullable=False)
    kind: str = Field(max_length=40)
    date: Date
    title: str = _text()
    summary: str = _text()
    url: str = Field(default="", max_length=2000)
    content_hash: str = Field(max_length=64)


class Source(SQLModel, table=True):
    """The state kept for one configured source between crawls."""

    slug: str = Field(primary_key=True, max_length=80)
    cursor: dict[str, Any] = _json()
    http_cache: dict[str, Any] = _json()
    last_run_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_new_at: datetime | None = _ts()
    last_error_at: datetime | None = _ts()
    last_error: str = _text()
    consecutive_failures: int = 0
    alerted_at: datetime | None = _ts()


class CrawlRun(SQLModel, table=True):
    """One run of one source: when, what it found, what went wrong."""

    __table_args__ = (Index("ix_crawlrun_source_started", "source", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=80)
    started_at: datetime = _ts(nullable=False)
    finished_at: datetime | None = _ts()
    status: str = Field(default=RunStatus.RUNNING, max_length=12)
    requests: int = 0
    bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    message: str = _text()


class Dossier(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=80)
    title: str = _text()
    description: str = _text()
    updated_at: datetime | None = _ts()


class DossierEvent(SQLModel, table=True):
    """An event belongs to a dossier, and why (seed, watch:<slug>, cites:<identifier>)."""

    dossier: str = Field(foreign_key="dossier.slug", primary_key=True, max_length=80)
    event_id: int = Field(foreign_key="event.id", primary_key=True, index=True)
    reason: str = Field(default="", max_length=300)
    added_at: datetime = _ts(nullable=False)


class Watch(SQLModel, table=True):
    """A named set of terms; the definition comes from configuration, kept here for matches."""

    slug: str = Field(primary_key=True, max_length=80)
    title: str = _text()
    terms: list[str] = _json(list)
    exclude: list[str] = _json(list)


class WatchMatch(SQLModel, table=True):
    watch: str = Field(foreign_key="watch.slug", primary_key=True, max_length=80)
    event_id: int = Field(foreign_key="event.id", primary_key=True, index=True)
    terms: list[str] = _json(list)
    matched_at: datetime = _ts(nullable=False)


class Subscriber(SQLModel, table=True):
    """Somebody to tell: one apprise URL (it may carry a secret, so it is never printed raw)."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    url_masked: str = Field(max_length=2000)
    label: str = Field(default="", max_length=200)
    origin: str = Field(default="cli", max_length=20)
    created_at: datetime = _ts(nullable=False)
    confirmed_at: datetime | None = _ts()
    unsubscribed_at: datetime | None = _ts()
    consecutive_failures: int = 0
    flagged_at: datetime | None = _ts()


class Subscription(SQLModel, table=True):
    """What a subscriber follows (watches and/or dossiers) and how often."""

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    cadence: str = Field(default=Cadence.DAILY, max_length=10)
    watches: list[str] = _json(list)
    dossiers: list[str] = _json(list)
    include_updates: bool = True
    last_digest_at: datetime | None = _ts()


class Delivery(SQLModel, table=True):
    """The outbox: one row per (subscription, event revision, reason) to send."""

    __table_args__ = (
        UniqueConstraint(
            "subscription_id", "event_id", "revision", "reason", name="uq_delivery_once"
        ),
        Index("ix_delivery_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    revision: int = 1
    reason: str = Field(default="new", max_length=20)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=12)
    created_at: datetime = _ts(nullable=False)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    message_id: str = Field(default="", max_length=300)
    error: str = _text()


class Meta(SQLModel, table=True):
    """Small key/value facts about the store itself (seed versions, locks)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = _text()
    updated_at: datetime | None = _ts()
