"""The scheduler: APScheduler 3 (the only module importing it), jobs rebuilt from configuration.

Every job has an explicit id and is added with ``replace_existing`` to a memory job store, so
the schedule is always exactly what the configuration says (nothing pickled can go stale or be
deleted behind our back). Times are read in Europe/Paris. ``coalesce`` and a generous
``misfire_grace_time`` mean that after downtime each job runs once, not once per missed slot;
``max_instances=1`` means a job still running when its next slot comes is not started twice.

Cron schedules go through ``WallClockTrigger``: APScheduler 3 fires a 02:30 job twice on the
night clocks go back (02:30 CEST, then 02:30 CET); this trigger fires once per wall-clock slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.config import EVERY, Config

PARIS = ZoneInfo("Europe/Paris")
MISFIRE_GRACE = 6 * 3600
DAYS = {
    "mon": "mon",
    "tue": "tue",
    "wed": "wed",
    "thu": "thu",
    "fri": "fri",
    "sat": "sat",
    "sun": "sun",
}
log = logging.getLogger(__name__)


class WallClockTrigger(BaseTrigger):
    """A cron trigger that fires once per local wall-clock time, across DST changes."""

    def __init__(self, cron: CronTrigger):
        self.cron = cron

    def get_next_fire_time(self, previous_fire_time, now):
        candidate = self.cron.get_next_fire_time(previous_fire_time, now)
        while (
            candidate is not None
            and previous_fire_time is not None
            and _wall(candidate) == _wall(previous_fire_time)
        ):
            after = candidate.astimezone(UTC) + timedelta(seconds=1)  # UTC: no fold trap
            candidate = self.cron.get_next_fire_time(candidate, after)
        return candidate

    def __str__(self) -> str:
        return f"wallclock[{self.cron}]"


def _wall(moment: datetime) -> tuple[Any, ...]:
    local = moment.astimezone(PARIS)
    return local.year, local.month, local.day, local.hour, local.minute


def trigger_for(schedule: str, jitter: int = 0) -> BaseTrigger:
    """The trigger of a schedule string: ``every 6h`` or a 5-field cron line (Paris time)."""
    text = schedule.strip()
    match = EVERY.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        length = {
            "m": timedelta(minutes=amount),
            "h": timedelta(hours=amount),
            "d": timedelta(days=amount),
        }[unit]
        return IntervalTrigger(
            seconds=int(length.total_seconds()), timezone=PARIS, jitter=jitter or None
        )
    return WallClockTrigger(CronTrigger.from_crontab(text, timezone=PARIS))


@dataclass
class JobSpec:
    """One job: its id, when it runs, and what it calls."""

    id: str
    trigger: BaseTrigger
    func: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)


def job_specs(config: Config, jobs: Mapping[str, Callable[..., Any]]) -> list[JobSpec]:
    """The jobs of a configuration; ``jobs`` maps "crawl", "digest", "heartbeat" to functions."""
    specs = [
        JobSpec(
            f"crawl:{s.slug}", trigger_for(s.schedule, jitter=60), jobs["crawl"], {"slug": s.slug}
        )
        for s in config.enabled_sources()
    ]
    hour, minute = (int(x) for x in config.digest_time.split(":"))
    specs.append(
        JobSpec(
            "digest:instant",
            IntervalTrigger(minutes=1, timezone=PARIS),
            jobs["digest"],
            {"cadence": "instant"},
        )
    )
    specs.append(
        JobSpec(
            "digest:daily",
            WallClockTrigger(CronTrigger(hour=hour, minute=minute, timezone=PARIS)),
            jobs["digest"],
            {"cadence": "daily"},
        )
    )
    specs.append(
        JobSpec(
            "digest:weekly",
            WallClockTrigger(
                CronTrigger(
                    day_of_week=DAYS[config.weekly_day], hour=hour, minute=minute, timezone=PARIS
                )
            ),
            jobs["digest"],
            {"cadence": "weekly"},
        )
    )
    if "heartbeat" in jobs:
        specs.append(
            JobSpec("heartbeat", IntervalTrigger(seconds=30, timezone=PARIS), jobs["heartbeat"])
        )
    return specs


def build_scheduler(specs: list[JobSpec], scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """A scheduler holding exactly ``specs`` (Europe/Paris, coalesced, one instance each)."""
    scheduler = scheduler or BlockingScheduler(timezone=PARIS)
    scheduler.configure(
        timezone=PARIS,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    for spec in specs:
        scheduler.add_job(
            spec.func,
            spec.trigger,
            id=spec.id,
            name=spec.id,
            kwargs=spec.kwargs,
            replace_existing=True,
        )
    return scheduler


def fire_times(trigger: BaseTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Every time ``trigger`` fires in [start, end) — the schedule, without running it."""
    out: list[datetime] = []
    previous = None
    now = start
    while True:
        moment = trigger.get_next_fire_time(previous, now)
        if moment is None or moment >= end:
            return out
        out.append(moment)
        previous, now = moment, moment.astimezone(UTC) + timedelta(microseconds=1)
