"""The scheduler: DST-safe schedules, one instance per job, one scheduler per database,
clean stop, and operator alerts sent once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from conftest import need_env
from notifyhelp import messages_to, prepared, recipient

from scheduler.jobs import source_health
from scheduler.schedule import PARIS, JobSpec, build_scheduler, fire_times, job_specs, trigger_for
from store import repo
from store.db import session_scope
from store.models import RunStatus

ROOT = Path(__file__).resolve().parents[1]


def days_of(times):
    return [t.astimezone(PARIS).date() for t in times]


@pytest.mark.parametrize(
    "start",
    [datetime(2026, 3, 26, tzinfo=PARIS), datetime(2026, 10, 22, tzinfo=PARIS)],
    ids=["spring-forward", "fall-back"],
)
@pytest.mark.parametrize("schedule", ["0 7 * * *", "30 2 * * *", "15 1,23 * * *"])
def test_one_run_per_slot_across_dst(start, schedule):
    end = start + timedelta(days=7)
    times = fire_times(trigger_for(schedule), start, end)
    per_day = len(schedule.split()[1].split(","))
    assert len(times) == 7 * per_day
    days = days_of(times)
    assert all(days.count(d) == per_day for d in set(days))
    assert len(set(times)) == len(times)


def test_daily_digest_at_seven_paris_time_all_year(make_config):
    config = make_config(digest_time="07:00")
    specs = {s.id: s for s in job_specs(config, {"crawl": print, "digest": print})}
    year = fire_times(
        specs["digest:daily"].trigger,
        datetime(2026, 1, 1, tzinfo=PARIS),
        datetime(2027, 1, 1, tzinfo=PARIS),
    )
    assert len(year) == 365
    assert {t.astimezone(PARIS).strftime("%H:%M") for t in year} == {"07:00"}
    weekly = fire_times(
        specs["digest:weekly"].trigger,
        datetime(2026, 1, 1, tzinfo=PARIS),
        datetime(2026, 2, 1, tzinfo=PARIS),
    )
    assert [t.strftime("%a") for t in weekly] == ["Mon"] * 4
    assert set(specs) >= {"crawl:dila_jorf", "crawl:dila_cnil", "digest:instant"}


def test_jobs_never_overlap_and_restart_does_not_replay_missed_slots():
    running, peak, runs = [0], [0], []
    lock = threading.Lock()

    def slow():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        runs.append(time.monotonic())
        time.sleep(1.2)
        with lock:
            running[0] -= 1

    scheduler = build_scheduler(
        [JobSpec("slow", trigger_for("every 1m"), slow)], BackgroundScheduler(timezone=PARIS)
    )
    scheduler.start(paused=True)
    job = scheduler.get_job("slow")
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time >= 3600
    # on a (re)start the next run is in the future: no burst of missed runs
    assert scheduler.get_job("slow").next_run_time > datetime.now(PARIS)
    scheduler.modify_job("slow", next_run_time=datetime.now(PARIS))
    scheduler.resume()
    time.sleep(0.3)
    for _ in range(3):  # asked again while it still runs: refused
        scheduler.modify_job("slow", next_run_time=datetime.now(PARIS))
        time.sleep(0.2)
    time.sleep(1.5)
    scheduler.shutdown(wait=True)
    assert peak[0] == 1


def start_daemon(config: Path, db_url: str) -> subprocess.Popen:
    env = {**os.environ, "VEILLEUR_CONFIG": str(config), "VEILLEUR_DATABASE_URL": db_url}
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_scheduler_on_the_same_database_is_refused(tmp_path, db_url):
    config = tmp_path / "veilleur.toml"
    config.write_text(
        '[sources.dila_jorf]\nschedule = "0 3 1 1 *"\n[sources.dila_cnil]\nenabled = false\n',
        encoding="utf-8",
    )
    first = start_daemon(config, db_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = first.stderr.readline()
            if "scheduler running" in line or first.poll() is not None:
                break
        assert first.poll() is None, first.stderr.read()
        second = start_daemon(config, db_url)
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert "another scheduler" in err and "is running on this database" in err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 0
    third = start_daemon(config, db_url)  # the lock was released on a clean stop
    try:
        time.sleep(4)
        assert third.poll() is None
    finally:
        third.send_signal(signal.SIGTERM)
        third.communicate(timeout=60)


def test_an_ops_alert_is_sent_once_after_n_failures_and_once_on_recovery(make_config, sqlite_url):
    port, maildir = int(need_env("VEILLEUR_TEST_SMTP_PORT")), need_env("VEILLEUR_TEST_MAILDIR")
    to = recipient()
    config = make_config(
        ops_url=f"mailto://127.0.0.1:{port}?from=veille@example.org&to={to}", failure_threshold=3
    )
    engine = prepared(config, sqlite_url)
    said = []
    for status in [RunStatus.FAILED] * 5 + [RunStatus.OK, RunStatus.OK]:
        with session_scope(engine) as session:
            run = repo.start_run(session, "dila_jorf")
            repo.finish_run(session, run, status, "unreachable: DNS lookup failed")
        said.append(source_health(config, engine, "dila_jorf"))
    assert said == [
        None,
        None,
        "veilleur: source dila_jorf failing",
        None,
        None,
        "veilleur: source dila_jorf recovered",
        None,
    ]
    subjects = sorted(m["Subject"] for m in messages_to(maildir, to))
    assert subjects == [
        "veilleur: source dila_jorf failing",
        "veilleur: source dila_jorf recovered",
    ]
