"""A built site over the seeded store, for the site tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from notifyhelp import prepared

from notify.site import DossierInfo, build_site
from store import repo
from store.db import session_scope

TODAY = date(2025, 3, 1)


def build(config, engine, out: Path, today: date = TODAY, **kw):
    return build_site(
        engine,
        out,
        dossiers={
            d.slug: DossierInfo(d.slug, d.title, d.description, d.watches)
            for d in config.dossiers.values()
        },
        watches={w.slug: w.title for w in config.watches.values()},
        today=today,
        public_url=config.public_url,
        **kw,
    )


def hostile_event(engine) -> None:
    with session_scope(engine) as session:
        result = repo.upsert_events(
            session,
            [
                {
                    "source": "test",
                    "kind": "news",
                    "date": date(2024, 6, 1),
                    "title": '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">',
                    "url": "javascript:alert(1)",
                    "identifiers": {"GUID": "hostile-1"},
                }
            ],
        )
        repo.link_events(session, "vsa", result.item_ids, "test")


__all__ = ["build", "hostile_event", "prepared"]
