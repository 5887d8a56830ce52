"""A prefecture's recueil des actes administratifs (RAA), split into its orders. Pure functions.

A recueil is one PDF bundling many orders, each opening on a heading at the start of a line:
« ARRÊTÉ n° 2024-00512 du 3 mai 2024 », « Arrêté préfectoral n° 13-2024-05-03-00001 … »,
« ARRÊTÉ PRÉFECTORAL portant … ». ``split_orders(pages)`` cuts the text at those headings (the
recueil's table of contents repeats them: of several segments with the same number the longest
is the order) and reads in each order:

- its number and date (the heading's « du … », else « Fait à …, le … »);
- the signatory authority (« Le préfet de police », « La préfète des Hauts-de-Seine »);
- the legal basis cited: article L. 242-5 (L. 242-6, L. 242-7) of the code de la sécurité
  intérieure for drones, article 10 of loi n° 2023-380 for algorithmic video surveillance;
- the commune(s), the event or purpose, the authorised period (« du 7 mai 2024 à 8 h au
  8 mai 2024 à 2 h », « du 7 au 14 mai 2024 », « le 14 juillet 2024 de 8 h à 23 h »);
- the page of the recueil where it starts.

``Order.late(published_on)``: the recueil was published after the authorised period began.
French dates are read with ``crawler.extract``; numeric dates (03/05/2024) here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from crawler import extract

MAX_ORDER_CHARS = 20_000
MIN_ORDER_CHARS = 120  # a table-of-contents line is shorter than any order
_MONTH = "|".join(sorted(extract.MONTHS, key=len, reverse=True))
_NUMERIC = r"\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d\d"
_FRENCH = rf"(?:1er|premier|\d{{1,2}})\s+(?:{_MONTH})\s+(?:19|20)\d\d"
HEADING = re.compile(
    r"^[ \t]*(?P<word>ARR[ÊE]T[ÉE]|Arr[êe]t[ée])"
    r"(?P<qualifier>(?:[ \t]+(?:inter-?)?(?:PR[ÉE]FECTORAL|pr[ée]fectoral|INTER-?PR[ÉE]FECTORAL))?)"
    r"(?:[ \t]+(?:n[°o]|N[°O]|numéro|NUMÉRO)[ \t]*(?P<number>[A-Za-z0-9][A-Za-z0-9./_\-]*"
    r"[A-Za-z0-9]|\d))?"
    rf"(?:[ \t]+(?:du|en date du|DU)[ \t]+(?P<date>{_FRENCH}|{_NUMERIC}))?",
    re.M,
)
_AUTHORITY = re.compile(
    r"^[ \t]*(?P<who>(?:L[ea]|LE|LA)[ \t]+(?:pr[ée]f[èe]te?|PR[ÉE]F[ÈE]TE?|sous-pr[ée]f[èe]te?|"
    r"secr[ée]taire g[ée]n[ée]ral(?:e)?)\b[^\n,]{0,120})",
    re.M,
)
_SIGNED = re.compile(rf"\bFait à [^,\n]{{1,60}},?\s+le\s+(?P<date>{_FRENCH}|{_NUMERIC})", re.I)
_DECISION = re.compile(r"\bARR[ÊE]TE\s*:|\bArticle\s+(?:1er|premier|1)\b", re.I)
BASES = (
    ("CSI L. 242-5", re.compile(r"\bL\.?\s*242-5\b")),
    ("CSI L. 242-6", re.compile(r"\bL\.?\s*242-6\b")),
    ("CSI L. 242-7", re.compile(r"\bL\.?\s*242-7\b")),
)
_LOI_VSA = re.compile(r"\b2023-380\b")
_ARTICLE_10 = re.compile(r"\barticle\s+10\b", re.I)
TOPICS = {
    "drones": re.compile(
        r"\bL\.?\s*242-[567]\b|a[ée]ronefs?\b|\bdrones?\b|caméras aéroportées", re.I
    ),
    "vsa": re.compile(
        r"\b2023-380\b|traitements? algorithmiques?|vid[ée]o(?:surveillance|protection) "
        r"algorithmique",
        re.I,
    ),
}
_NAME = (
    r"(?:(?:L[ae]s?|Le) |L['’])?[A-ZÉÈÊÎÔ][\w’']+(?:-[\w’']+)*"
    r"(?: (?:sur|sous|en|lès|lez)[ -][A-ZÉÈ][\w’']+(?:-[\w’']+)*)?"
)
_COMMUNES = re.compile(
    rf"\b(?:communes?|villes?) (?:de |d['’])(?P<list>{_NAME}(?:(?:, | et ){_NAME})*)"
)
_EVENT = re.compile(
    r"\b(?:à l['’]occasion|lors|dans le cadre) (?:de la |de l['’]|du |des |de |d['’])"
    r"(?P<event>[^.;:]{3,240})",
    re.I,
)
_EVENT_END = re.compile(
    rf",|\s(?:du|le|les|au)\s+(?:\d|1er|premier)|\s(?:sur|dans) (?:le territoire|la commune|les"
    rf" communes)|\s(?:à|de) \d{{1,2}}\s*h|\s(?:{_MONTH})\s",
    re.I,
)
_DAY = rf"(?:1er|premier|\d{{1,2}})(?:\s+(?:{_MONTH}))?(?:\s+(?:19|20)\d\d)?|{_NUMERIC}"
_TIME = r"(?:\s*(?:à|,)?\s*\d{1,2}\s*[h:]\s*\d{0,2}(?:\s*min)?)?"
_PERIOD = re.compile(
    rf"\b(?:du|à compter du|à partir du)\s+(?P<start>{_DAY}){_TIME}\s+(?:jusqu['’]\s*)?au\s+"
    rf"(?P<end>{_DAY}){_TIME}",
    re.I,
)
_ONE_DAY = re.compile(
    rf"\b(?:le|la journée du|pour la journée du)\s+(?P<day>{_DAY})\s*,?\s*(?:de|entre)\s+\d{{1,2}}"
    r"\s*h",
    re.I,
)


@dataclass
class Order:
    """One order read from a recueil."""

    number: str
    date: date | None
    title: str
    page: int
    text: str
    authority: str = ""
    bases: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    purpose: str = ""
    period: tuple[date, date] | None = None

    def late(self, published_on: date | None) -> bool:
        """True when the recueil came out after the authorised period had begun."""
        return bool(published_on and self.period and self.period[0] < published_on)

    def details(self) -> dict[str, object]:
        """What was read, as JSON-ready values (dates in ISO form)."""
        start, end = self.period or (None, None)
        return {
            "number": self.number,
            "authority": self.authority,
            "legal_basis": list(self.bases),
            "topics": list(self.topics),
            "communes": list(self.communes),
            "purpose": self.purpose,
            "period_start": start.isoformat() if start else "",
            "period_end": end.isoformat() if end else "",
            "page": self.page,
        }


def numeric_date(text: str) -> date | None:
    """« 03/05/2024 » (or 03.05.2024) → 2024-05-03; None when not a valid date."""
    match = re.search(r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b", text)
    if not match:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def read_date(text: str) -> date | None:
    """The first full date (French words or numeric, day precision) written in ``text``."""
    candidates = []
    for match in extract.DATE.finditer(text):
        parsed = extract.parse_french_date(match.group(0))
        if parsed and parsed.precision == "day":
            candidates.append((match.start(), parsed.day))
            break
    numeric = re.search(_NUMERIC, text)
    if numeric and numeric_date(numeric.group(0)):
        candidates.append((numeric.start(), numeric_date(numeric.group(0))))
    return min(candidates)[1] if candidates else None


def _day(text: str, default: date) -> date | None:
    """A possibly partial day (« 7 », « 7 mai ») completed from ``default`` (the end)."""
    full = read_date(text)
    if full:
        return full
    words = text.split()
    try:
        number = 1 if words[0].lower() in ("1er", "premier") else int(words[0])
        month = extract.MONTHS[words[1].lower()] if len(words) > 1 else default.month
        return date(default.year, month, number)
    except (ValueError, KeyError, IndexError):
        return None


def authorised_period(text: str) -> tuple[date, date] | None:
    """The period an order authorises, read in its articles (after « ARRÊTE : »)."""
    decision = _DECISION.search(text)
    scopes = [text[decision.start() :], text] if decision else [text]
    for scope in scopes:
        flat = " ".join(scope.split())
        match = _PERIOD.search(flat)
        if match:
            end = read_date(match.group("end"))
            start = _day(match.group("start"), end) if end else None
            if start and end and start <= end:
                return start, end
        match = _ONE_DAY.search(flat)
        if match:
            day = read_date(match.group("day"))
            if day:
                return day, day
        period = extract.authorised_period(flat)
        if period:
            return period
    return None


def legal_bases(text: str) -> list[str]:
    """The drone and VSA provisions ``text`` cites."""
    found = [name for name, pattern in BASES if pattern.search(text)]
    if _LOI_VSA.search(text):
        found.append("loi n° 2023-380, art. 10" if _ARTICLE_10.search(text) else "loi n° 2023-380")
    return found


def topics(text: str) -> list[str]:
    """``drones`` and/or ``vsa`` when the order is about them."""
    return [name for name, pattern in TOPICS.items() if pattern.search(text)]


def communes(text: str) -> list[str]:
    """Commune names after « commune(s) de » / « ville de », in order, at most 30."""
    flat = " ".join(text.split())
    names: list[str] = []
    for match in _COMMUNES.finditer(flat):
        for name in re.split(r", | et ", match.group("list")):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return names[:30]


def purpose(text: str, title: str) -> str:
    """The event or purpose: « à l'occasion de … », else what the title says it is about."""
    flat = " ".join(text.split())
    match = _EVENT.search(flat)
    if match:
        event = match.group("event")
        cut = _EVENT_END.search(event)
        return (event[: cut.start()] if cut else event).strip()[:200]
    about = re.search(r"\b(?:portant|relatif|relative|autorisant)\b.*", title, re.I)
    return about.group(0)[:200] if about else ""


def _title(segment: str) -> str:
    lines = []
    for line in segment.splitlines():
        line = line.strip()
        if not line:
            if lines:
                break
            continue
        if lines and (_AUTHORITY.match(line) or re.match(r"(?:Vu|VU|Considérant)\b", line)):
            break
        lines.append(line)
        if sum(len(x) for x in lines) > 300:
            break
    return " ".join(" ".join(lines).split())[:300]


def split_orders(pages: list[str]) -> list[Order]:
    """The orders of a recueil whose pages' text is ``pages`` (see the module docstring)."""
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page.replace("\f", " ") + "\n"
    headings = [m for m in HEADING.finditer(text) if m.group("number") or m.group("qualifier")]
    best: dict[str, Order] = {}
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        segment = text[match.start() : end].strip()
        if len(segment) < MIN_ORDER_CHARS:
            continue
        segment = segment[:MAX_ORDER_CHARS]
        title = _title(segment)
        number = (match.group("number") or "").strip(".-/")
        day = read_date(match.group("date") or "")
        if day is None:
            signed = _SIGNED.search(segment)
            day = read_date(signed.group("date")) if signed else None
        who = _AUTHORITY.search(segment)
        order = Order(
            number=number,
            date=day,
            title=title,
            page=bisect.bisect_right(starts, match.start()),
            text=segment,
            authority=" ".join(who.group("who").split()).rstrip(" ,") if who else "",
            bases=legal_bases(segment),
            topics=topics(segment),
            communes=communes(segment),
            purpose=purpose(segment, title),
            period=authorised_period(segment),
        )
        key = number or f"p{order.page}:{title[:80]}"
        if key not in best or len(segment) > len(best[key].text):
            best[key] = order
    return sorted(best.values(), key=lambda o: (o.page, text.find(o.text[:80])))


def whole_document(pages: list[str], title: str) -> Order | None:
    """A document holding one order without a recognisable heading, read as that order."""
    text = "\n".join(p.replace("\f", " ") for p in pages).strip()
    if not text:
        return None
    segment = text[:MAX_ORDER_CHARS]
    number = re.search(r"\bn[°o]\s*([A-Za-z0-9][A-Za-z0-9./_\-]*[A-Za-z0-9])", segment[:600])
    signed = _SIGNED.search(segment)
    who = _AUTHORITY.search(segment)
    return Order(
        number=number.group(1) if number else "",
        date=read_date(signed.group("date")) if signed else None,
        title=" ".join(title.split())[:300] or _title(segment),
        page=1,
        text=segment,
        authority=" ".join(who.group("who").split()).rstrip(" ,") if who else "",
        bases=legal_bases(segment),
        topics=topics(segment),
        communes=communes(segment),
        purpose=purpose(segment, title),
        period=authorised_period(segment),
    )


def recueil_date(url: str, link_text: str = "", first_page: str = "") -> date | None:
    """When a recueil was published: from its link's text, its file name, or its cover."""
    found = read_date(link_text)
    if found:
        return found
    name = url.rsplit("/", 1)[-1]
    match = re.search(r"(?<!\d)((?:19|20)\d\d)[-_]?(\d\d)[-_]?(\d\d)(?!\d)", name)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    cover = re.search(
        rf"(?:publié le|publication le|parution le|du)\s+({_FRENCH}|{_NUMERIC})",
        first_page[:3000],
        re.I,
    )
    return read_date(cover.group(1)) if cover else None


def older_than(text: str, limit: date) -> bool:
    """True when a listing link's text or URL names only years (or a month) before ``limit``."""
    years = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)}
    if not years:
        return False
    if max(years) < limit.year:
        return True
    found = extract.parse_french_date(text)
    return bool(found and found.precision == "month" and found.day < limit.replace(day=1))


def french_day(day: date | None) -> str:
    """03/05/2024, or an empty string."""
    return day.strftime("%d/%m/%Y") if day else ""


def summary(order: Order, published: date | None, sha256: str) -> str:
    """One paragraph saying what the order authorises, where, when, and where it was found."""
    start, end = order.period or (None, None)
    facts = [
        ("Signataire", order.authority),
        ("Base légale", ", ".join(order.bases)),
        ("Commune(s)", ", ".join(order.communes)),
        ("Objet", order.purpose),
        ("Période autorisée", f"du {french_day(start)} au {french_day(end)}" if start else ""),
        ("Recueil", f"publié le {french_day(published)}" if published else ""),
    ]
    text = ". ".join(f"{label} : {value}" for label, value in facts if value)
    text += f". Page {order.page} du recueil (PDF sha256 {sha256[:12]})."
    if order.late(published):
        text += " Publié après le début de la période autorisée."
    return text.lstrip(". ")
