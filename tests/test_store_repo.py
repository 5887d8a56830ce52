"""The event store on SQLite and on the real PostgreSQL server: identity, revisions, withdrawal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import FILES
from lxml import etree
from sqlalchemy import func, select

from store import repo
from store.db import session_scope
from store.models import Event, EventIdentifier, EventRevision
from store.seed import reference_items


def dila_item(path, **changes) -> repo.EventIn:
    """The minimal reading of a real DILA TEXTE_VERSION member that the store tests need."""
    root = etree.parse(str(path)).getroot()

    def text(tag: str) -> str:
        return (root.findtext(f".//{tag}") or "").strip()

    item: repo.EventIn = {
        "source": "dila_jorf",
        "kind": {"ARRETE": "order", "DECRET": "decree", "LOI": "law"}[text("NATURE")],
        "date": date.fromisoformat(text("DATE_TEXTE")),
        "published_on": date.fromisoformat(text("DATE_PUBLI")),
        "title": text("TITREFULL"),
        "url": f"https://www.legifrance.gouv.fr/jorf/id/{text('CID')}",
        "identifiers": {"JORFTEXT": text("CID"), "NOR": text("NOR"), "ELI": text("ID_ELI")},
        "authority": 30,
    }
    item.update(changes)  # type: ignore[typeddict-item]
    return item


ARRETE = FILES / "dila_jorf" / "JORFTEXT000054861441.xml"
DECRET = FILES / "dila_jorf" / "JORFTEXT000027904809.xml"


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_same_real_document_twice_is_one_event(engine):
    with session_scope(engine) as session:
        first = repo.upsert_events(session, [dila_item(ARRETE)])
    with session_scope(engine) as session:
        second = repo.upsert_events(session, [dila_item(ARRETE)])
        assert (len(first.new), len(second.new), len(second.unchanged)) == (1, 0, 1)
        assert second.unchanged == first.new
        assert count(session, Event) == 1
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        assert event.date == date(2026, 9, 18)
        assert event.published_on == date(2026, 9, 20)
        assert event.identifiers["NOR"] == "ARMK2624825A"
        assert repo.find_event(session, "NOR", "ARMK2624825A").id == event.id
        assert (
            repo.find_event(session, "ELI", "/eli/arrete/2026/9/18/ARMK2624825A/jo/texte").id
            == event.id
        )
        assert event.revision == 1
        assert len(repo.revisions(session, event.id)) == 1


def test_a_changed_title_is_a_revision_of_the_same_event(engine):
    with session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE)])
    corrected = dila_item(
        ARRETE, title="Arrêté du 18 septembre 2026 (rectificatif) modifiant deux arrêtés"
    )
    with session_scope(engine) as session:
        result = repo.upsert_events(session, [corrected])
        assert len(result.updated) == 1 and not result.new
    with session_scope(engine) as session:
        assert count(session, Event) == 1
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        history = repo.revisions(session, event.id)
        assert [r.number for r in history] == [1, 2]
        assert history[0].title.startswith("Arrêté du 18 septembre 2026 modifiant deux arrêtés")
        assert history[1].title == corrected["title"] == event.title
        assert event.revision == 2
        assert event.changed_at >= event.first_seen_at


def test_items_sharing_an_identifier_in_one_batch_are_one_event(engine):
    by_nor = dila_item(DECRET, identifiers={"NOR": "JUSX1319588D"}, source="legifrance_api")
    with session_scope(engine) as session:
        result = repo.upsert_events(session, [dila_item(DECRET), by_nor])
        assert len(result.new) == 1
        assert count(session, Event) == 1
        assert count(session, EventIdentifier) == 3


def test_an_official_text_replaces_the_seed_wording_and_keeps_it_as_a_revision(engine):
    seed = [
        i
        for i in reference_items("vsa_reference_timeline")
        if i["identifiers"].get("JORFTEXT") == "JORFTEXT000047561974"
    ]
    official = {
        "source": "dila_jorf",
        "kind": "law",
        "date": date(2023, 5, 19),
        "published_on": date(2023, 5, 20),
        "title": "LOI n° 2023-380 du 19 mai 2023 relative aux jeux Olympiques et Paralympiques "
        "de 2024 et portant diverses autres dispositions (1)",
        "url": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000047561974",
        "identifiers": {"JORFTEXT": "JORFTEXT000047561974", "NOR": "SPOX2233026L"},
        "authority": 30,
    }
    with session_scope(engine) as session:
        repo.upsert_events(session, seed)
    with session_scope(engine) as session:
        result = repo.upsert_events(session, [official])
        assert len(result.updated) == 1
        event = repo.find_event(session, "NUM:loi", "2023-380")
        assert event.title == official["title"] and event.source == "dila_jorf"
        assert event.identifiers["SEED"].startswith("vsa_reference_timeline/")
    # the seed shipped again does not undo the official wording (lower authority)
    with session_scope(engine) as session:
        again = repo.upsert_events(session, seed)
        assert again.unchanged == result.updated
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000047561974")
        assert event.title == official["title"] and event.revision == 2


def test_two_sources_of_equal_authority_do_not_flip_flop(engine):
    api = dila_item(ARRETE, source="legifrance_api", title="Arrêté du 18 septembre 2026 (API)")
    with session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE)])
    for _ in range(2):
        with session_scope(engine) as session:
            assert len(repo.upsert_events(session, [api]).unchanged) == 1
            assert len(repo.upsert_events(session, [dila_item(ARRETE)]).unchanged) == 1
    with session_scope(engine) as session:
        assert count(session, EventRevision) == 1


def test_new_identifiers_on_an_unchanged_text_are_kept_and_mark_it_changed(engine):
    first = dila_item(ARRETE)
    first["identifiers"] = {"JORFTEXT": first["identifiers"]["JORFTEXT"]}
    with session_scope(engine) as session:
        repo.upsert_events(session, [first])
        before = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441").changed_at
    with session_scope(engine) as session:
        result = repo.upsert_events(session, [dila_item(ARRETE)])  # the same text, its NOR too
        assert len(result.unchanged) == 1 and not result.updated
    with session_scope(engine) as session:
        event = repo.find_event(session, "NOR", "ARMK2624825A")
        assert event.identifiers["NOR"] == "ARMK2624825A" and event.revision == 1
        assert event.changed_at > before
        again = event.changed_at
    with session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE)])  # nothing new: nothing changes
        assert repo.find_event(session, "NOR", "ARMK2624825A").changed_at == again


def test_withdrawal_marks_and_keeps_the_event(engine):
    with session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE)])
    at = datetime(2026, 10, 1, 22, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        assert repo.withdraw(session, "JORFTEXT", "JORFTEXT000054861441", at)
        assert not repo.withdraw(session, "JORFTEXT", "JORFTEXT000054861441", at)
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        assert event.status == "withdrawn" and event.withdrawn_at == at
        assert repo.events(session, include_withdrawn=False) == []
        assert len(repo.events(session)) == 1


def test_an_invalid_item_stops_the_batch_before_anything_is_written(engine):
    bad = dila_item(DECRET, identifiers={"NOTE": "no identity"})
    with pytest.raises(repo.InvalidEvent), session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE), bad])
    with pytest.raises(repo.InvalidEvent), session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE, kind="rumour")])
    with session_scope(engine) as session:
        assert count(session, Event) == 0


def test_an_identifier_owned_by_one_event_is_never_moved_to_another(engine):
    a = dila_item(ARRETE)
    # b claims a's NOR but has its own JORFTEXT: one official identifier names one event
    b = dila_item(DECRET, identifiers={"JORFTEXT": "JORFTEXT000027904809", "NOR": "ARMK2624825A"})
    with session_scope(engine) as session:
        first = repo.upsert_events(session, [a])
    with session_scope(engine) as session:
        second = repo.upsert_events(session, [b])
        assert len(second.new) == 1 and second.new != first.new
    with session_scope(engine) as session:
        assert repo.find_event(session, "NOR", "ARMK2624825A").id == first.new[0]
        assert repo.find_event(session, "JORFTEXT", "JORFTEXT000027904809").id == second.new[0]
        assert count(session, Event) == 2


def test_timestamps_are_utc_aware_and_dates_are_civil(engine):
    with session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE)])
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        assert event.first_seen_at.tzinfo is UTC
        assert type(event.date) is date


def test_seed_then_dossier_links_and_summaries(engine):
    items = reference_items("vsa_reference_timeline")
    with session_scope(engine) as session:
        repo.save_dossier(session, "vsa", "VSA")
        ids = repo.upsert_events(session, items).new
        assert repo.link_events(session, "vsa", ids, "seed") == 60
        assert repo.link_events(session, "vsa", ids, "seed") == 0
    with session_scope(engine) as session:
        timeline = repo.events(session, dossier="vsa")
        assert len(timeline) == 60
        assert [e.date for e in timeline] == sorted(e.date for e in timeline)
        (summary,) = repo.dossier_summaries(session, date(2025, 3, 1))
        assert summary.count == 60
        assert summary.next_deadline.date == date(2025, 3, 31)
        assert summary.latest.date <= date(2025, 3, 1)


def test_a_batch_interrupted_half_way_leaves_nothing_behind(engine, monkeypatch):
    """A crawl stopped (or killed) while writing a batch: the batch is all or nothing."""
    written = []
    original = repo._insert_many

    def dies_after_the_events(session, table, rows):
        original(session, table, rows)
        written.append(table.name)
        if table.name == "eventidentifier":
            raise KeyboardInterrupt("SIGTERM while the batch was being written")

    monkeypatch.setattr(repo, "_insert_many", dies_after_the_events)
    with pytest.raises(KeyboardInterrupt), session_scope(engine) as session:
        repo.upsert_events(session, [dila_item(ARRETE), dila_item(DECRET)])
    assert written[:2] == ["event", "eventidentifier"]
    monkeypatch.undo()
    with session_scope(engine) as session:
        assert count(session, Event) == 0 and count(session, EventIdentifier) == 0
        assert len(repo.upsert_events(session, [dila_item(ARRETE), dila_item(DECRET)]).new) == 2
