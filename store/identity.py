"""How two sightings of a text are recognised as one event (pure functions, no database).

An event is identified by its official identifiers first (JORFTEXT, CNILTEXT, …, NOR, ELI,
the number of a law, decree, deliberation or decision), then by a feed guid, then by its
canonical URL. ``identity_keys`` turns an item's identifiers into ``(scheme, value)`` pairs
in that order of priority; the store keeps each pair unique across events.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Official text identifiers: a prefix and 12 digits.
TEXT_ID_SCHEMES = ("JORFTEXT", "CNILTEXT", "LEGITEXT", "CONSTEXT", "CETATEXT", "JURITEXT")
# Order of priority when an item matches several events.
SCHEME_PRIORITY = (*TEXT_ID_SCHEMES, "NOR", "ELI", "NUM", "ECLI", "GUID", "URL", "SEED")
# Kinds whose number ("2023-380", "2023-068", "2023-850 DC") names one text on its own.
NUMBERED_KINDS = {
    "law": "loi",
    "decree": "decret",
    "cnil_deliberation": "cnil",
    "constitutional_decision": "cc",
}
TRACKING_PARAMS = re.compile(r"^(utm_|egn-|xtor$|at_|mc_|fbclid$|gclid$|xtref$)", re.I)
_TEXT_ID = re.compile(r"^(JORFTEXT|CNILTEXT|LEGITEXT|CONSTEXT|CETATEXT|JURITEXT)\d{12}$")


def cited_value(scheme: str, value: str) -> str:
    """How a citation names the identifier ``(scheme, value)`` (``Event.cites``, followed sets).

    Values are self-describing (``JORFTEXT…``, a NOR, ``/eli/…``, ``2023-850 DC``) and laws,
    ordinances and decrees share one numbering (``2023-380``), except CNIL deliberations, whose
    own numbering collides with it: they are ``cnil:2022-118`` (≠ décret n° 2022-118).
    """
    return f"cnil:{value}" if scheme == "NUM:cnil" else value


def followed_value(configured: str) -> str:
    """A dossier's configured identifier in its cited form: ``JORFTEXT000047561974`` and
    ``NOR:SPOX2233026L`` → the value, ``NUM:loi:2023-380`` → ``2023-380``,
    ``NUM:cnil:2023-068`` → ``cnil:2023-068``."""
    configured = configured.strip()
    scheme, _, value = configured.partition(":")
    if not value:
        return configured
    if scheme.upper() == "NUM":
        kind, _, number = value.partition(":")
        if not number:
            return normalise_number(kind)
        return cited_value(f"NUM:{kind.lower()}", normalise_number(number))
    return value.strip()


def canonical_url(url: str) -> str:
    """The URL with scheme and host lower-cased, tracking parameters and fragment removed.

    >>> canonical_url("HTTPS://Example.org/a/?utm_source=x&id=3#top")
    'https://example.org/a/?id=3'
    """
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(k)
    ]
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


def normalise_eli(eli: str) -> str:
    """ELI as a path starting at ``/eli/``, whatever host it was written with."""
    eli = eli.strip()
    at = eli.find("/eli/")
    return eli[at:].rstrip("/") if at >= 0 else eli


def normalise_number(number: str) -> str:
    """``n° 2023-850  dc`` → ``2023-850 DC``."""
    number = re.sub(r"^\s*n\s*[°o]\s*", "", number.strip(), flags=re.I)
    return re.sub(r"\s+", " ", number).upper()


def identity_keys(kind: str, identifiers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The ``(scheme, value)`` pairs that identify an item, most authoritative first.

    Keys of ``identifiers`` are scheme names (``JORFTEXT``, ``NOR``, ``ELI``, ``NUM``, ``ECLI``,
    ``GUID``, ``URL``, ``SEED``); any other key is descriptive and ignored here. A number
    identifies a text only together with its kind (``loi 2023-380`` ≠ ``décret 2023-380``).
    """
    keys: list[tuple[str, str]] = []
    for scheme in SCHEME_PRIORITY:
        raw = identifiers.get(scheme)
        if not raw or not str(raw).strip():
            continue
        value = str(raw).strip()
        if scheme in TEXT_ID_SCHEMES:
            value = value.upper()
            if not _TEXT_ID.match(value):
                continue
        elif scheme == "NOR":
            value = value.upper().replace(" ", "")
        elif scheme == "ELI":
            value = normalise_eli(value)
        elif scheme == "NUM":
            prefix = NUMBERED_KINDS.get(kind)
            if prefix is None:
                continue
            scheme, value = f"NUM:{prefix}", normalise_number(value)
        elif scheme == "URL":
            value = canonical_url(value)
        keys.append((scheme, value[:500]))
    return keys


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII, lower-case, hyphen-separated; never empty, never with a path separator."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].rstrip("-") or "x"


def event_key(day: date, keys: Iterable[tuple[str, str]], title: str) -> str:
    """A readable, stable handle: ``20230519-jorftext000047561974`` or ``<day>-<slug>-<hash>``."""
    keys = list(keys)
    if keys and keys[0][0] in (*TEXT_ID_SCHEMES, "NOR"):
        return f"{day.year:04d}{day.month:02d}{day.day:02d}-{keys[0][1].lower()}"
    basis = "|".join(f"{s}={v}" for s, v in keys) or title
    digest = hashlib.sha1(basis.encode()).hexdigest()[:10]
    return f"{day.year:04d}{day.month:02d}{day.day:02d}-{slugify(title, 40)}-{digest}"


def content_hash(kind: str, day: date, title: str, summary: str, url: str, body: str) -> str:
    """The fingerprint of what a reader sees; a change makes a new revision."""
    payload = json.dumps(
        [
            kind,
            day.isoformat(),
            " ".join(title.split()),
            " ".join(summary.split()),
            url,
            " ".join(body.split()),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
