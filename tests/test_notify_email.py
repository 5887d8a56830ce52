"""Digests by email through apprise to the real SMTP sink of the test suite."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from conftest import need_env
from notifyhelp import add_vsa_event, messages_to, parts, prepared, recipient, subscribe

from notify import outbox
from notify.subscribe import read_token
from scheduler.jobs import send_digests
from store import repo
from store.db import session_scope
from store.models import Delivery


@pytest.fixture
def smtp():
    return int(need_env("VEILLEUR_TEST_SMTP_PORT")), need_env("VEILLEUR_TEST_MAILDIR")


def mail_url(port: int, to: str) -> str:
    return f"mailto://127.0.0.1:{port}?from=veille@example.org&to={to}&cto=5"


@pytest.fixture
def setup(make_config, sqlite_url):
    config = make_config(public_url="https://veille.example.org", secret_key="k" * 32)
    return config, prepared(config, sqlite_url)


def test_a_daily_digest_arrives_with_text_html_and_one_click_unsubscribe(smtp, setup):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscribe(engine, mail_url(port, to))
    add_vsa_event(engine, "Arrêté autorisant <script>alert(1)</script> {{ 7*7 }} drones")
    report = send_digests(config, engine, "daily")
    assert (report.sent, report.failed) == (1, 0)
    (message,) = messages_to(maildir, to)
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body["text/html"]
    assert "<script>" not in body["text/html"] and "{{ 7*7 }}" in body["text/html"]
    assert "Vidéosurveillance algorithmique" in body["text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://veille.example.org/unsubscribe?token=")
    assert read_token("k" * 32, "unsubscribe", link.split("token=")[1]) > 0
    assert message["X-Veilleur-Digest"].startswith("<")
    # running the job again sends nothing twice
    again = send_digests(config, engine, "daily")
    assert again.sent == 0 and len(messages_to(maildir, to)) == 1


def test_nothing_new_sends_nothing(smtp, setup):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscribe(engine, mail_url(port, to))
    assert send_digests(config, engine, "daily").sent == 0
    assert messages_to(maildir, to) == []


def test_cadences_are_kept_apart(smtp, setup):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscribe(engine, mail_url(port, to), cadence="weekly")
    add_vsa_event(engine, "Décret relatif aux caméras augmentées")
    assert send_digests(config, engine, "daily").sent == 0
    assert send_digests(config, engine, "weekly").sent == 1
    assert len(messages_to(maildir, to)) == 1


def test_smtp_down_then_back_delivers_once(smtp, setup):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscription = subscribe(engine, f"mailto://127.0.0.1:9?from=veille@example.org&to={to}&cto=2")
    add_vsa_event(engine, "Arrêté préfectoral drones")
    first = send_digests(config, engine, "daily")
    assert (first.sent, first.failed) == (0, 1)
    assert "127.0.0.1" in first.errors[0]
    with session_scope(engine) as session:
        row = session.query(Delivery).filter_by(subscription_id=subscription).one()
        assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at
        # the server comes back: the subscriber's address now reaches it
        from store.models import Subscriber, Subscription

        sub = session.get(Subscription, subscription)
        session.get(Subscriber, sub.subscriber_id).url = mail_url(port, to)
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert send_digests(config, engine, "daily", now=later).sent == 1
    assert send_digests(config, engine, "daily", now=later + timedelta(hours=1)).sent == 0
    assert len(messages_to(maildir, to)) == 1


def test_a_crash_between_deciding_and_sending_loses_nothing(smtp, setup):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscribe(engine, mail_url(port, to))
    add_vsa_event(engine, "Loi relative aux drones")
    now = datetime.now(UTC)
    assert outbox.decide(engine, now, now.date()) == 1  # the process dies here
    engine.dispose()
    assert send_digests(config, engine, "daily").sent == 1
    assert len(messages_to(maildir, to)) == 1


def test_a_crash_between_sending_and_marking_sends_one_duplicate_with_the_same_id(
    smtp, setup, monkeypatch
):
    port, maildir = smtp
    config, engine = setup
    to = recipient()
    subscribe(engine, mail_url(port, to))
    add_vsa_event(engine, "Décret VSA")

    def crash(*args, **kwargs):
        raise SystemExit("killed after the server accepted the message")

    monkeypatch.setattr(repo, "mark_deliveries", crash)
    with pytest.raises(SystemExit):
        send_digests(config, engine, "daily")
    monkeypatch.undo()
    assert send_digests(config, engine, "daily").sent == 1
    assert send_digests(config, engine, "daily").sent == 0
    received = messages_to(maildir, to)
    assert len(received) == 2
    assert received[0]["X-Veilleur-Digest"] == received[1]["X-Veilleur-Digest"]


def test_one_failing_channel_does_not_block_the_others_and_is_flagged_once(smtp, setup, caplog):
    port, maildir = smtp
    config, engine = setup
    good, bad = recipient(), recipient()
    subscribe(
        engine, f"mailto://user:hunter2secret@127.0.0.1:9?from=veille@example.org&to={bad}&cto=1"
    )
    subscribe(engine, mail_url(port, good))
    add_vsa_event(engine, "Arrêté VSA")
    caplog.set_level(logging.DEBUG)
    now = datetime.now(UTC)
    for attempt in range(4):
        send_digests(config, engine, "daily", now=now + timedelta(hours=7 * attempt))
    assert len(messages_to(maildir, good)) == 1
    from store.models import Subscriber

    with session_scope(engine) as session:
        flagged = [s for s in session.query(Subscriber) if s.flagged_at]
        assert len(flagged) == 1 and flagged[0].consecutive_failures >= 3
    assert "hunter2secret" not in caplog.text
    assert caplog.text.count("a subscriber cannot be reached") <= 1
