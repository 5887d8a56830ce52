"""What a text says about other texts and about time (pure functions).

- ``citations``: « loi n° 2023-380 du 19 mai 2023 », « décret n° 2023-828 », « délibération
  n° 2023-068 », « décision n° 2023-850 DC », NOR, JORFTEXT / CNILTEXT identifiers and ELI
  paths, each normalised to the identifier value the store keeps (``2023-380``,
  ``2023-850 DC``, ``SPOX2233026L``, ``JORFTEXT000047561974``, ``/eli/…``); a deliberation's
  number is ``cnil:2023-068`` (``store.identity.cited_value``).
- ``french_dates``: « 1er mars 2025 », « 31 mars 2025 », and « mars 2027 » (month precision).
- ``deadlines``: « jusqu'au 31 mars 2025 », « au plus tard le 31 décembre 2024 », « pour une
  durée de six mois à compter du 1er janvier 2025 », with the clause quoted.
- ``late_publication``: an order published after the start of the period it authorises.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from store.identity import cited_value

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>1er|premier|\d{1,2})"
_D = r"(?:1er|premier|\d{1,2})"
DATE = re.compile(rf"(?:{_DAY}\s+)?(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_NUMBER = r"n[°o]\s*(?P<number>\d{2,4}-\d{1,5}(?:\s*(?:DC|QPC|LP|LOM|I|L))?)"
CITATION = re.compile(
    rf"\b(?P<kind>loi(?:\s+organique)?|d[ée]cret|ordonnance|d[ée]lib[ée]ration|d[ée]cision)"
    rf"(?:\s+(?!n[°o]\s*\d)[\w'’\-]+){{0,4}}?\s+{_NUMBER}",
    re.I,
)
# The word boundary is checked behind the literal start, not before it: a pattern that
# begins with a literal is searched for at C speed, one that begins with \b is tried at
# every position.
NOR = re.compile(r"NOR(?<=\bNOR)\s*:?\s*(?P<nor>[A-Z]{4}\d{7}[A-Z])\b")
TEXT_ID = re.compile(r"(?:JORF|CNIL|LEGI|CONS|CETA|JURI)(?<=\b[A-Z]{4})TEXT\d{12}\b")
ELI = re.compile(r"/eli/[a-z_]+/\d{4}/\d{1,2}/\d{1,2}/[A-Za-z0-9\-]+/jo/texte")
WORD_NUMBERS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "dix-huit": 18,
    "vingt-quatre": 24,
    "trente-six": 36,
}
_UNTIL = re.compile(
    rf"(?:jusqu['’]\s*au|au plus tard le|avant le|d['’]ici au)\s+(?P<date>"
    rf"(?:{_D}\s+)?(?:{_MONTH})\s+(?:19|20)\d\d)",
    re.I,
)
_DURATION = re.compile(
    rf"pour une (?:durée|période) (?:maximale )?de (?P<amount>\d+|[a-z\-]+) (?P<unit>ans?|mois|"
    rf"jours?)\s+(?:à compter|courant) (?:du|de la date du|à partir du)\s+(?P<date>"
    rf"(?:{_D}\s+)?(?:{_MONTH})\s+(?:19|20)\d\d)",
    re.I,
)
_PERIOD = re.compile(
    rf"\bdu\s+(?P<start>{_D}(?:\s+(?:{_MONTH}))?(?:\s+(?:19|20)\d\d)?)\s+"
    rf"au\s+(?P<end>{_D}\s+(?:{_MONTH})\s+(?:19|20)\d\d)",
    re.I,
)


# Each pattern above needs some literal text to match; a text without it is passed over
# without running the pattern, which would try every position. Case-insensitive patterns
# are checked against the lower-cased text, unless the text holds one of the four letters
# that match an ASCII letter under re.IGNORECASE but do not lower-case to it.
_NUMBER_HINT = re.compile(r"[nN][°oO]\s*\d{2,4}-\d")
_ODD_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")  # İ ı ſ K (Kelvin)


def _lowered(text: str) -> str | None:
    """``text`` lower-cased for the hints, or None when a hint could not be trusted."""
    if not text.isascii() and any(odd in text for odd in _ODD_CASES):
        return None
    return text.lower()


@dataclass(frozen=True)
class FrenchDate:
    day: date
    precision: str  # day or month
    text: str


@dataclass(frozen=True)
class Deadline:
    day: date
    precision: str
    clause: str


def parse_french_date(text: str) -> FrenchDate | None:
    """« 1er mars 2025 » → 2025-03-01 (day); « mars 2027 » → 2027-03-01 (month)."""
    match = DATE.search(text)
    if not match:
        return None
    return _date(match)


def _date(match: re.Match) -> FrenchDate | None:
    month = MONTHS[match.group("month").lower()]
    year = int(match.group("year"))
    raw = match.group("day")
    if raw is None:
        return FrenchDate(date(year, month, 1), "month", match.group(0))
    number = 1 if raw.lower() in ("1er", "premier") else int(raw)
    if not 1 <= number <= calendar.monthrange(year, month)[1]:
        return None
    return FrenchDate(date(year, month, number), "day", match.group(0))


def french_dates(text: str) -> list[FrenchDate]:
    """Every French date written in ``text``, in order."""
    return [d for d in (_date(m) for m in DATE.finditer(text)) if d is not None]


def citations(text: str) -> list[str]:
    """Identifier values of the texts ``text`` cites, in order, without repeats."""
    found: list[str] = []
    if _NUMBER_HINT.search(text):
        for match in _citation_matches(text):
            number = " ".join(match.group("number").split()).upper()
            cnil = match.group("kind").lower().startswith(("délib", "delib"))
            found.append(cited_value("NUM:cnil" if cnil else "NUM", number))
    if "NOR" in text:
        found += [m.group("nor") for m in NOR.finditer(text)]
    if "TEXT" in text:
        found += TEXT_ID.findall(text)
    if "/eli/" in text:
        found += ELI.findall(text)
    return list(dict.fromkeys(found))


# The lower-cased words a citation starts with (its « kind »).
_KIND_STARTS = ("loi", "décret", "decret", "ordonnance", "délib", "delib", "décision", "decision")


def _citation_matches(text: str) -> Iterator[re.Match[str]]:
    """``CITATION.finditer(text)``, with the pattern tried only where a kind word starts
    (found with ``str.find``) rather than at every position of the text."""
    low = _lowered(text)
    if low is None or len(low) != len(text):
        yield from CITATION.finditer(text)
        return
    starts = set()
    for word in _KIND_STARTS:
        at = low.find(word)
        while at >= 0:
            starts.add(at)
            at = low.find(word, at + 1)
    end = 0
    for at in sorted(starts):
        if at < end:
            continue
        match = CITATION.match(text, at)
        if match:
            end = match.end()
            yield match


def _add(start: date, amount: int, unit: str) -> date:
    if unit.startswith("jour"):
        return date.fromordinal(start.toordinal() + amount)
    months = amount * (12 if unit.startswith("an") else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind(";", 0, start), start - 200)
    right_candidates = [i for i in (text.find(".", end), text.find(";", end)) if i != -1]
    right = min([*right_candidates, end + 200])
    return " ".join(text[left + 1 : right].split())


def deadlines(text: str) -> list[Deadline]:
    """Deadlines a text sets, each with the clause that sets it."""
    out: dict[tuple[date, str], Deadline] = {}
    low = _lowered(text)
    until = low is None or any(h in low for h in ("jusqu", "plus tard", "avant le", "ici au"))
    for match in _UNTIL.finditer(text) if until else ():
        parsed = parse_french_date(match.group("date"))
        if parsed:
            key = (parsed.day, parsed.precision)
            out.setdefault(
                key,
                Deadline(parsed.day, parsed.precision, _clause(text, match.start(), match.end())),
            )
    for match in _DURATION.finditer(text) if low is None or "pour une" in low else ():
        parsed = parse_french_date(match.group("date"))
        raw = match.group("amount").lower()
        amount = int(raw) if raw.isdigit() else WORD_NUMBERS.get(raw)
        if parsed and amount:
            day = _add(parsed.day, amount, match.group("unit").lower())
            out.setdefault(
                (day, "day"), Deadline(day, "day", _clause(text, match.start(), match.end()))
            )
    return sorted(out.values(), key=lambda d: d.day)


def authorised_period(text: str) -> tuple[date, date] | None:
    """The first « du 7 au 14 mai 2024 » period of a text, as (start, end)."""
    match = _PERIOD.search(text)
    if not match:
        return None
    end = parse_french_date(match.group("end"))
    if end is None:
        return None
    start_text = match.group("start")
    start = parse_french_date(start_text)
    if start is None or start.precision == "month":
        day = (
            1 if start_text.split()[0].lower() in ("1er", "premier") else int(start_text.split()[0])
        )
        month = (
            MONTHS[start_text.split()[1].lower()]
            if len(start_text.split()) > 1 and start_text.split()[1].lower() in MONTHS
            else end.day.month
        )
        try:
            first = date(end.day.year, month, day)
        except ValueError:
            return None
        return first, end.day
    return start.day, end.day


def late_publication(text: str, published_on: date | None) -> bool:
    """True when the period an order authorises began before the order was published."""
    if published_on is None:
        return False
    period = authorised_period(text)
    return period is not None and period[0] < published_on
