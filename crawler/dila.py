"""DILA open-data dumps (echanges.dila.gouv.fr/OPENDATA/<FOND>/): listings, archives, members.

Pure functions: they take bytes and return values. An archive is read as a stream
(``crawler.tarstream``) from memory; nothing is ever written to disk, so a member named
``../../x`` or a symlink can do no harm: it is skipped and counted. XML is parsed with entity
expansion, DTD loading and network access off, so an entity bomb or an external entity is
inert. One bad member never stops the archive.

Formats (SOURCES.md §2): incremental archives ``JORF_YYYYMMDD-HHMMSS.tar.gz`` (lower-case in
2017); members ``…/texte/version/JORF/TEXT/…/JORFTEXT….xml`` (root ``TEXTE_VERSION``),
``…/article/JORF/ARTI/…/JORFARTI….xml`` (root ``ARTICLE``), ``…/cnil/…/CNILTEXT….xml`` (root
``TEXTE_CNIL``), and ``liste_suppression_<fond>.dat`` (one deleted path per line).
"""

from __future__ import annotations

import html
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat

from lxml import etree

from crawler import tarstream

ARCHIVE = re.compile(r"^(?P<fund>[A-Za-z]+)_(?P<day>\d{8})-(?P<time>\d{6})\.tar\.gz$")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
NO_DATE = date(2999, 1, 1)
LICENCE = "DILA — Licence Ouverte / Etalab 2.0"
MAX_MEMBER_BYTES = 20 * 1024 * 1024
# NATURE → event kind. Texts of other natures (CIRCULAIRE, INSTRUCTION, …) are kept as orders
# only when a watch matches them; the mapping says what they are, not whether they are kept.
KINDS = {
    "LOI": "law",
    "LOI_CONSTIT": "law",
    "LOI_ORGANIQUE": "law",
    "ORDONNANCE": "law",
    "DECRET": "decree",
    "DECRET_LOI": "decree",
    "ARRETE": "order",
    "DECISION": "court_decision",
    "AVIS": "report",
    "RAPPORT": "report",
    "DELIBERATION": "cnil_deliberation",
}
_NUMBERED = {"LOI", "LOI_CONSTIT", "LOI_ORGANIQUE", "ORDONNANCE", "DECRET", "DECRET_LOI"}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


class MemberError(ValueError):
    """A member that cannot be read as a DILA document."""


@dataclass(frozen=True)
class Archive:
    """One archive of a listing: its name, fund and delivery time."""

    name: str
    fund: str
    stamp: str  # YYYYMMDD-HHMMSS, sorts chronologically

    @property
    def day(self) -> date:
        return datetime.strptime(self.stamp[:8], "%Y%m%d").date()


def kind_for(nature: str, origin: str = "", author: str = "") -> str:
    """The event kind of a DILA text from its NATURE (and origin for decisions and avis)."""
    nature = (nature or "").upper()
    if origin.upper() == "CNIL" or nature == "DELIBERATION":
        return "cnil_deliberation"
    if nature == "DECISION" and ("CONSTIT" in origin.upper() or "constitutionnel" in author):
        return "constitutional_decision"
    if nature == "AVIS" and "CNIL" in author.upper():
        return "cnil_deliberation"
    return KINDS.get(nature, "order")


def parse_listing(html: bytes | str, fund: str) -> list[Archive]:
    """The archives of ``fund`` named in an Apache index page, oldest first."""
    if isinstance(html, bytes):
        html = html.decode("latin-1")
    found = {}
    for href in _HREF.findall(html):
        name = href.rsplit("/", 1)[-1]
        match = ARCHIVE.match(name)
        if match and match.group("fund").upper() == fund.upper():
            stamp = f"{match.group('day')}-{match.group('time')}"
            found[name] = Archive(name, fund.upper(), stamp)
    return sorted(found.values(), key=lambda a: a.stamp)


@dataclass
class ArchiveContent:
    """What one archive holds, once read."""

    documents: list[dict] = field(default_factory=list)
    articles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (member, reason)
    truncated: str = ""  # why reading stopped early, if it did
    texts: int = 0  # texts found, read in full or not
    workers: int = 0  # worker processes that looked at members, if any


# (searchable text of a member, identifiers it names) -> could a text drawn from it be kept?
Wanted = Callable[[str, Iterable[str]], bool]
# Worker processes take a second or two to start: they look at members only in archives of
# at least POOL_BYTES (compressed), past the first SEQUENTIAL_MEMBERS; a daily archive (a few
# hundred kilobytes to a few megabytes) never starts them.
POOL_BYTES = 4 * 1024 * 1024
SEQUENTIAL_MEMBERS = 5000
_BATCH = 256
# Workers are forked where the system can: they start at once, with the watches already in
# memory, and run only ``look`` (regular expressions, expat, set operations): nothing that
# takes a lock another thread of the crawl could hold. Elsewhere they are spawned.
_START = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def read_archive(
    body: bytes,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    wanted: Wanted | None = None,
    workers: int = 1,
    sequential_members: int = SEQUENTIAL_MEMBERS,
    pool_bytes: int = POOL_BYTES,
) -> ArchiveContent:
    """Read every member of a ``.tar.gz`` held in memory; bad members are skipped and noted.

    With ``wanted``, a text is parsed in full only when ``wanted`` says that its member, or
    one of its articles, could be kept; every member is still checked, so a malformed one is
    reported whether or not it matters. Members are not kept in memory: the texts an article
    made worth reading, and the articles of the texts read, are read in a second pass over
    the archive. With ``workers`` > 1 (and a picklable ``wanted``), in an archive of at least
    ``pool_bytes``, the members past the first ``sequential_members`` are looked at in that
    many worker processes while this one decompresses; the result is the same.
    """
    workers = workers if len(body) >= pool_bytes else 1
    reader = _Reader(max_member_bytes, wanted, workers, sequential_members)
    try:
        for member, data in tarstream.iter_members(body, max_member_bytes):
            reader.add(member, data)
    except (tarstream.TarError, *tarstream.STREAM_ERRORS) as exc:
        reader.content.truncated = f"{type(exc).__name__}: {exc}"
    finally:
        reader.drain()
    reader.second_pass(body)
    return reader.finish()


_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*)")
_ARTICLE_CID = re.compile(rb"<TEXTE\s[^>]*?\bcid=\"([A-Z]{4}TEXT\d{12})\"")
_TEXT_CID = re.compile(rb"<CID>\s*([A-Z]{4}TEXT\d{12})\s*</CID>")
_TEXT_OWN_ID = re.compile(rb"<ID>\s*([A-Z]{4}TEXT\d{12})\s*</ID>")
_TAG = re.compile(rb"<[^>]*>")
_TITLE = re.compile(rb"<(TITREFULL|TITRE)>(.*?)</\1>", re.S)
_ID_TAIL = re.compile(rb"TEXT\d{12}")  # a literal start: searched at C speed
_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([\w.\-]+)", re.I)
_TEXT_ROOTS = (b"TEXTE_VERSION", b"TEXTE_CNIL")

# (why it is not well-formed, root tag, text identifier or "" to read it in full, wanted)
Look = tuple[str, bytes, str, bool]


def look(data: bytes, wanted: Wanted) -> Look:
    """A member's first look: is it well-formed, what is it, could it be kept."""
    problem = check_xml(data)
    if problem:
        return problem, b"", "", False
    root = _ROOT.search(data)
    tag = root.group(1) if root else b""
    if tag == b"ARTICLE":
        found = _ARTICLE_CID.search(data)
    elif tag in _TEXT_ROOTS:  # the chronicle id first, as parse_text reads it
        found = _TEXT_CID.search(data) or _TEXT_OWN_ID.search(data)
    else:
        return "", tag, "", False
    if found is None:
        return "", tag, "", True
    text = searchable_text(data, tag)
    keep = text is None or wanted(text, _cited(data, tag))
    return "", tag, found.group(1).decode(), keep


_WORKER_WANTED: Wanted | None = None


def _start_worker(wanted: Wanted) -> None:
    global _WORKER_WANTED
    _WORKER_WANTED = wanted


def _look_batch(batch: list[bytes]) -> list[Look]:
    return [look(data, _WORKER_WANTED) for data in batch]


class _Reader:
    """The members of one archive, read in full or only looked at (see ``read_archive``)."""

    def __init__(self, cap: int, wanted: Wanted | None, workers: int, sequential: int):
        self.cap, self.wanted = cap, wanted
        self.workers, self.sequential = (workers if wanted is not None else 1), sequential
        self.content = ArchiveContent()
        self.order = 0
        self.documents: list[tuple[int, dict]] = []
        self.later: dict[int, tuple[bool, str]] = {}  # order -> (is an article, text cid)
        self.revived: set[str] = set()  # texts one of whose articles is wanted
        self.pool: ProcessPoolExecutor | None = None
        self.batch: list[tuple[int, str, bytes]] = []
        self.in_flight: deque[tuple[list[tuple[int, str, bytes]], Future]] = deque()

    def add(self, member: tarstream.Member, data: bytes | None) -> None:
        name, skipped = member.name, self.content.skipped
        if not _safe(name):
            skipped.append((name, "unsafe path"))
            return
        if member.kind != "file":
            if member.kind != "dir":
                skipped.append((name, "not a regular file"))
            return
        if data is None:
            skipped.append((name, f"larger than {self.cap} bytes"))
            return
        base = name.rsplit("/", 1)[-1]
        if base.startswith("liste_suppression") and base.endswith(".dat"):
            self.content.deleted.extend(parse_deletions(data))
            return
        if not base.endswith(".xml"):
            return
        self.order += 1
        if self.wanted is None:
            self._read(name, data)
        elif self.workers > 1 and self.order > self.sequential:
            self.batch.append((self.order, name, data))
            if len(self.batch) >= _BATCH:
                self._submit()
        else:
            self._apply(self.order, name, data, look(data, self.wanted))

    def _submit(self) -> None:
        batch, self.batch = self.batch, []
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(_START),
                initializer=_start_worker,
                initargs=(self.wanted,),
            )
            self.content.workers = self.workers
        self.in_flight.append((batch, self.pool.submit(_look_batch, [m[2] for m in batch])))
        while len(self.in_flight) > 2 * self.workers:  # bounded: memory stays flat
            self._take_first()

    def _take_first(self) -> None:
        batch, future = self.in_flight.popleft()
        try:
            looks = future.result()
        except Exception:  # a worker died: look at this batch here
            looks = [look(data, self.wanted) for _, _, data in batch]
        for (order, name, data), result in zip(batch, looks, strict=True):
            self._apply(order, name, data, result)

    def drain(self) -> None:
        """Wait for the worker processes, if any, and stop them."""
        try:
            if self.batch:
                if self.pool is None and len(self.batch) < _BATCH:
                    for order, name, data in self.batch:
                        self._apply(order, name, data, look(data, self.wanted))
                    self.batch = []
                else:
                    self._submit()
            while self.in_flight:
                self._take_first()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
                self.pool = None

    def _apply(self, order: int, name: str, data: bytes, result: Look) -> None:
        problem, tag, cid, keep = result
        if problem:
            self.content.skipped.append((name, problem))
        elif tag == b"ARTICLE":
            if not cid:
                self._read(name, data, order)
                return
            self.later[order] = (True, cid)
            if keep:
                self.revived.add(cid)
        elif tag in _TEXT_ROOTS:
            self.content.texts += 1
            if not cid or keep:
                self._read(name, data, order)
            else:
                self.later[order] = (False, cid)

    def second_pass(self, body: bytes) -> None:
        """Read the texts revived by an article, and the articles of every text read."""
        read = {document["id"] for _, document in self.documents}
        texts = {
            order
            for order, (article, cid) in self.later.items()
            if not article and cid in self.revived and cid not in read
        }
        read |= {self.later[order][1] for order in texts}
        wanted = texts | {
            order for order, (article, cid) in self.later.items() if article and cid in read
        }
        if not wanted:
            return
        last, order = max(wanted), 0
        try:
            for member, data in tarstream.iter_members(body, self.cap):
                if data is None or member.kind != "file" or not _safe(member.name):
                    continue
                if not member.name.endswith(".xml"):
                    continue
                order += 1
                if order in wanted:
                    self._read(member.name, data, order)
                if order >= last:
                    break
        except (tarstream.TarError, *tarstream.STREAM_ERRORS):
            pass  # where the archive stops was noted by the first pass

    def _read(self, name: str, data: bytes, order: int | None = None) -> None:
        try:
            root = parse_xml(data)
        except MemberError as exc:
            self.content.skipped.append((name, str(exc)))
            return
        if root.tag == "ARTICLE":
            cid, number, text = parse_article(root)
            if cid:
                self.content.articles.setdefault(cid, []).append((number, text))
        elif root.tag in ("TEXTE_VERSION", "TEXTE_CNIL"):
            try:
                document = parse_text(root) if root.tag == "TEXTE_VERSION" else parse_cnil(root)
            except (MemberError, ValueError) as exc:
                self.content.skipped.append((name, str(exc)))
                return
            document["member"] = name
            self.documents.append((order or self.order, document))
            if self.wanted is None:
                self.content.texts += 1

    def finish(self) -> ArchiveContent:
        self.documents.sort(key=lambda pair: pair[0])
        self.content.documents = [document for _, document in self.documents]
        return self.content


def _cited(data: bytes, root: bytes) -> set[str]:
    """What a member could cite, as ``parse_text`` reads it: the texts its ``LIENS`` name
    (articles and CNIL deliberations cite nothing here)."""
    if root != b"TEXTE_VERSION":
        return set()
    start = data.find(b"<LIENS>")
    end = data.find(b"</LIENS>", start) if start >= 0 else -1
    return named_identifiers(data[start:end] if 0 <= start < end else data)


def named_identifiers(data: bytes) -> set[str]:
    """Every text identifier (``JORFTEXT…``, ``CNILTEXT…``) written in a member."""
    out = set()
    for found in _ID_TAIL.finditer(data):
        start = found.start()
        head = data[start - 4 : start] if start >= 4 else b""
        if head.isalpha() and head.isupper():
            out.add((head + found.group()).decode())
    return out


def _safe(name: str) -> bool:
    return not name.startswith("/") and ".." not in name.split("/")


def check_xml(data: bytes) -> str:
    """Why a member is not well-formed XML, or "" (no tree is built: a fast first check)."""
    refused = _refused(data)
    if refused:
        return refused
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return f"malformed XML: {exc}"
    return ""


def searchable_text(data: bytes, root: bytes = b"TEXTE_VERSION") -> str | None:
    """Every word a watch could find in a member's text, and more; None if it cannot tell.

    Tags become spaces (paragraphs as ``itertext`` separates them), titles are added with
    their inline tags removed (as the title is read), entities are decoded. A member in
    another encoding than UTF-8, or with CDATA sections, cannot be judged this way.
    """
    declared = _ENCODING.match(data)
    if b"<![CDATA[" in data or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        return None
    # The blocks a watch is matched against (tag names and attributes come along as extra
    # words, and '<' and '>' fold to spaces like tags), and the titles.
    parts = _blocks_of(data, _BLOCKS.get(root, ()))
    if parts is None:  # an unexpected shape: everything after the metadata
        end = data.find(b"</META>")
        parts = [data[end:] if end >= 0 else data]
    parts.extend(_TAG.sub(b"", title) for _, title in _TITLE.findall(data))
    if root == b"ARTICLE":  # an article is matched as « Article <number> <text> »
        parts.append(b"Article")
        parts.extend(_NUM.findall(data))
    text = b" ".join(parts).decode("utf-8", "replace")
    return html.unescape(text) if "&#" in text else text


_BLOCKS = {
    b"TEXTE_VERSION": (b"NOTICE", b"VISAS", b"SIGNATAIRES"),
    b"TEXTE_CNIL": (b"BLOC_TEXTUEL",),
    b"ARTICLE": (b"BLOC_TEXTUEL",),
}
_NUM = re.compile(rb"<NUM>([^<]*)</NUM>")


def _blocks_of(data: bytes, tags: tuple[bytes, ...]) -> list[bytes] | None:
    """The blocks ``tags`` of a member (notice, visas, signatures, text); None if one is
    written in a way this quick reading does not expect (attributes, no end), or if the
    member is of another kind."""
    if not tags:
        return None
    parts = []
    for tag in tags:
        start = data.find(b"<" + tag + b">")
        if start < 0:
            other = data.find(b"<" + tag)
            if other >= 0 and not data.startswith(b"/>", other + len(tag) + 1):
                return None
            continue
        end = data.find(b"</" + tag + b">", start)
        if end < 0:
            return None
        parts.append(data[start:end])
    return parts


def parse_deletions(data: bytes) -> list[str]:
    """Identifiers (JORFTEXT…, CNILTEXT…) named by a ``liste_suppression`` file."""
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        last = line.strip().rstrip("/").rsplit("/", 1)[-1]
        last = last.removesuffix(".xml")
        if re.fullmatch(r"[A-Z]{4}TEXT\d{12}", last):
            out.append(last)
    return out


def _refused(data: bytes) -> str:
    head = data[:4096]
    if b"<!ENTITY" in head or (b"<!DOCTYPE" in head and b"[" in head):
        return "document type declaration with entities refused"
    return ""


def parse_xml(data: bytes) -> etree._Element:
    """Parse one member safely; entities stay unexpanded and DTDs are never fetched."""
    refused = _refused(data)
    if refused:
        raise MemberError(refused)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MemberError(f"malformed XML: {exc}") from None


def _flat(node: etree._Element | None) -> str:
    """The text of ``node`` and its descendants, whitespace folded ("" if absent)."""
    if node is None:
        return ""
    text = "".join(node.itertext()) if len(node) else node.text
    return " ".join(text.split()) if text else ""


def _fields(node: etree._Element | None) -> dict[str, str]:
    """The folded text of each child element of ``node``, by tag (the first of a tag wins).

    One pass over a metadata block instead of one path lookup per field: metadata blocks
    hold a dozen leaves, and a DILA archive tens of thousands of blocks.
    """
    out: dict[str, str] = {}
    if node is None:
        return out
    for child in node:
        tag = child.tag
        if isinstance(tag, str) and tag not in out:
            out[tag] = _flat(child)
    return out


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return None if day >= NO_DATE else day


def _content(node: etree._Element | None) -> str:
    """The text of a ``<NOTICE>``-like block's ``CONTENU``, paragraphs separated."""
    node = node.find("CONTENU") if node is not None else None
    if node is None:
        return ""
    text = " ".join(node.itertext()) if len(node) else node.text
    return " ".join(text.split()) if text else ""


def _blocks(root: etree._Element) -> dict[str, etree._Element]:
    """The top-level children of a member, by tag (the first of a tag wins)."""
    out: dict[str, etree._Element] = {}
    for child in root:
        if isinstance(child.tag, str):
            out.setdefault(child.tag, child)
    return out


_TEXT_ID = re.compile(r"[A-Z]{4}TEXT\d{12}")


def parse_text(root: etree._Element) -> dict:
    """A ``TEXTE_VERSION`` member as plain values (JORF fund)."""
    blocks = _blocks(root)
    meta = blocks.get("META")
    common_node = meta.find("META_COMMUN") if meta is not None else None
    spec = meta.find("META_SPEC") if meta is not None else None
    version_node = spec.find("META_TEXTE_VERSION") if spec is not None else None
    common = _fields(common_node)
    chronicle = _fields(spec.find("META_TEXTE_CHRONICLE") if spec is not None else None)
    version = _fields(version_node)
    cid = chronicle.get("CID") or common.get("ID", "")
    if not re.fullmatch(r"JORFTEXT\d{12}", cid):
        raise MemberError(f"no JORFTEXT identifier ({cid!r})")
    nature = common.get("NATURE", "").upper()
    alias = common.get("ID_ELI_ALIAS", "")
    if not alias and common_node is not None:
        alias = _flat(common_node.find("ELI_ALIAS/ID_ELI_ALIAS"))
    links = version_node.find("LIENS") if version_node is not None else None
    cites = set()
    for link in links.iterfind("LIEN") if links is not None else ():
        cited = link.get("cidtexte") or link.get("id") or ""
        if _TEXT_ID.fullmatch(cited):
            cites.add(cited)
    return {
        "id": cid,
        "origin": common.get("ORIGINE") or "JORF",
        "nature": nature,
        "eli": common.get("ID_ELI", ""),
        "eli_alias": alias,
        "nor": chronicle.get("NOR", ""),
        "number": chronicle.get("NUM", "") if nature in _NUMBERED else "",
        "date_text": _date(chronicle.get("DATE_TEXTE", "")),
        "date_publi": _date(chronicle.get("DATE_PUBLI", "")),
        "publication": chronicle.get("ORIGINE_PUBLI", ""),
        "title": version.get("TITREFULL") or version.get("TITRE", ""),
        "authority": version.get("AUTORITE", ""),
        "ministry": version.get("MINISTERE", ""),
        "notice": _content(blocks.get("NOTICE")),
        "visas": _content(blocks.get("VISAS")),
        "signers": _content(blocks.get("SIGNATAIRES")),
        "cites": sorted(cites),
    }


def parse_cnil(root: etree._Element) -> dict:
    """A ``TEXTE_CNIL`` member as plain values (CNIL fund)."""
    blocks = _blocks(root)
    meta = blocks.get("META")
    common = _fields(meta.find("META_COMMUN") if meta is not None else None)
    cnil = _fields(meta.find("META_SPEC/META_CNIL") if meta is not None else None)
    cid = common.get("ID", "")
    if not re.fullmatch(r"CNILTEXT\d{12}", cid):
        raise MemberError(f"no CNILTEXT identifier ({cid!r})")
    return {
        "id": cid,
        "origin": "CNIL",
        "nature": "DELIBERATION",
        "nature_delib": cnil.get("NATURE_DELIB", ""),
        "eli": "",
        "eli_alias": "",
        "nor": cnil.get("NOR", ""),
        "number": cnil.get("NUMERO", ""),
        "date_text": _date(cnil.get("DATE_TEXTE", "")),
        "date_publi": _date(cnil.get("DATE_PUBLI", "")),
        "publication": cnil.get("ORIGINE_PUBLI", ""),
        "title": cnil.get("TITREFULL") or cnil.get("TITRE", ""),
        "authority": "CNIL",
        "ministry": "",
        "notice": "",
        "visas": "",
        "signers": "",
        "state": cnil.get("ETAT_JURIDIQUE", ""),
        "body": _content(blocks.get("BLOC_TEXTUEL")),
        "cites": [],
    }


def parse_article(root: etree._Element) -> tuple[str, str, str]:
    """(text cid, article number, article text) of an ``ARTICLE`` member."""
    blocks = _blocks(root)
    context = blocks.get("CONTEXTE")
    context = context.find("TEXTE") if context is not None else None
    cid = context.get("cid", "") if context is not None else ""
    meta = blocks.get("META")
    number = _flat(meta.find("META_SPEC/META_ARTICLE/NUM") if meta is not None else None)
    return cid, number, _content(blocks.get("BLOC_TEXTUEL"))


def official_url(identifier: str) -> str:
    """The human link on Légifrance for a JORFTEXT or CNILTEXT identifier."""
    if identifier.startswith("CNILTEXT"):
        return f"https://www.legifrance.gouv.fr/cnil/id/{identifier}"
    return f"https://www.legifrance.gouv.fr/jorf/id/{identifier}"


def iter_bodies(document: dict, articles: dict[str, list[tuple[str, str]]]) -> Iterator[str]:
    """The pieces of text a watch is matched against: notice, visas, body and articles."""
    yield document.get("notice", "")
    yield document.get("visas", "")
    yield document.get("body", "")
    for number, text in articles.get(document["id"], []):
        yield f"Article {number} {text}".strip()
