"""Helpers of the alert tests: a prepared store, events in the VSA dossier, a Maildir reader."""

from __future__ import annotations

import email
import mailbox
import uuid
from datetime import UTC, date, datetime
from email.message import Message

from notify.send import masked
from scheduler.jobs import prepare_store
from store import repo
from store.db import make_engine, session_scope


def prepared(config, url: str):
    engine = make_engine(url)
    prepare_store(config, engine)
    return engine


def recipient() -> str:
    return f"r{uuid.uuid4().hex[:10]}@example.org"


def subscribe(
    engine,
    url: str,
    *,
    cadence: str = "daily",
    dossiers=("vsa",),
    watches=(),
    since: datetime | None = None,
) -> int:
    with session_scope(engine) as session:
        subscription = repo.add_subscription(
            session,
            url,
            masked(url),
            cadence=cadence,
            watches=watches,
            dossiers=dossiers,
            now=since or datetime.now(UTC),
        )
        return subscription.id


def add_vsa_event(engine, title: str, **extra) -> int:
    item = {
        "source": "test",
        "kind": "order",
        "date": date(2026, 11, 20),
        "title": title,
        "url": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000099999999",
        "identifiers": {"GUID": f"test-{uuid.uuid4().hex}"},
        "authority": 10,
        **extra,
    }
    with session_scope(engine) as session:
        event_id = repo.upsert_events(session, [item]).item_ids[0]
        repo.link_events(session, "vsa", [event_id], "test")
    return event_id


def messages_to(maildir: str, address: str) -> list[Message]:
    box = mailbox.Maildir(maildir, factory=None, create=False)
    out = []
    for key in box.iterkeys():
        message = email.message_from_bytes(box.get_bytes(key))
        if address in (message.get("To") or ""):
            out.append(message)
    return out


def parts(message: Message) -> dict[str, str]:
    return {
        p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset())
        for p in message.walk()
        if not p.is_multipart()
    }
