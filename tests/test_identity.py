"""Identity keys and normalisation (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from store.identity import canonical_url, content_hash, event_key, identity_keys, slugify


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.vie-publique.fr/loi/123-x?egn-publisher=dila_vp&egn-name=informer_rss_lois",
            "https://www.vie-publique.fr/loi/123-x",
        ),
        ("HTTPS://Example.ORG:443/a?utm_source=rss&id=3#comments", "https://example.org/a?id=3"),
        ("http://example.org", "http://example.org/"),
        ("http://127.0.0.1:8765/feed?b=2&a=1", "http://127.0.0.1:8765/feed?b=2&a=1"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_identity_keys_are_ordered_by_authority_and_normalised():
    keys = identity_keys(
        "law",
        {
            "URL": "https://x.org/?utm_medium=a",
            "NUM": "n° 2023-380",
            "NOR": "spox2233026l",
            "ELI": "https://www.legifrance.gouv.fr/eli/loi/2023/5/19/SPOX2233026L/jo/texte/",
            "JORFTEXT": "jorftext000047561974",
            "actor": "ignored",
        },
    )
    assert keys == [
        ("JORFTEXT", "JORFTEXT000047561974"),
        ("NOR", "SPOX2233026L"),
        ("ELI", "/eli/loi/2023/5/19/SPOX2233026L/jo/texte"),
        ("NUM:loi", "2023-380"),
        ("URL", "https://x.org/"),
    ]


def test_a_number_identifies_only_with_a_numbered_kind():
    assert identity_keys("decree", {"NUM": "2023-828"}) == [("NUM:decret", "2023-828")]
    assert identity_keys("constitutional_decision", {"NUM": "2023-850 dc"}) == [
        ("NUM:cc", "2023-850 DC")
    ]
    assert identity_keys("court_decision", {"NUM": "446155"}) == []


def test_malformed_text_ids_are_not_identity():
    assert identity_keys("law", {"JORFTEXT": "JORFTEXT0000475"}) == []


def test_keys_and_slugs_are_safe_file_names():
    assert slugify("../../index") == "index"
    assert slugify("«  »") == "x"
    key = event_key(date(2023, 5, 19), [("JORFTEXT", "JORFTEXT000047561974")], "t")
    assert key == "20230519-jorftext000047561974"
    other = event_key(date(2024, 1, 5), [("GUID", "urn:x")], "Vidéo / algorithmique ?")
    assert other.startswith("20240105-video-algorithmique-") and "/" not in other


def test_content_hash_ignores_whitespace_only_changes():
    a = content_hash("law", date(2023, 5, 19), "Loi  n° 2023-380", "", "u", "a\nb")
    b = content_hash("law", date(2023, 5, 19), "Loi n° 2023-380", "", "u", "a b")
    c = content_hash("law", date(2023, 5, 19), "Loi n° 2023-381", "", "u", "a b")
    assert a == b != c
