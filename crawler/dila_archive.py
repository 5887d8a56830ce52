"""Reading a DILA archive: every member checked, texts parsed in full only when they matter.

An archive of the JORF holds tens of thousands of members, of which a handful concern the
watched subjects. Each member is checked for what breaks archives (a member cut short, a
document type declaring entities) and looked at (``look``): its notice, visas, signatures
or text blocks and its titles, folded, against the first words of the watches
(``WatchSet.may_match``) and its citations against the followed identifiers. Only the texts
that pass, and the texts one of whose articles passes, are parsed in full by
``crawler.dila`` (which reports any other malformation); their articles are read in a
second pass, so no member is kept in memory. In a large archive the members are looked at by worker
processes while this one decompresses. Pure: bytes in, values out.
"""

from __future__ import annotations

import html
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from xml.parsers import expat

from crawler import tarstream
from crawler.dila import (
    MAX_MEMBER_BYTES,
    MemberError,
    parse_article,
    parse_cnil,
    parse_deletions,
    parse_text,
    parse_xml,
    refusal,
)


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
# Worker processes look at members only in archives of at least POOL_BYTES (compressed); a
# daily archive (a few hundred kilobytes to a few megabytes) never starts them. They are
# forked where the system can: they start at once, with the watches already in memory, and
# run only ``look`` (regular expressions, expat, set operations): nothing that takes a lock
# another thread of the crawl could hold. Elsewhere they are spawned, which takes a second
# or two: the first SEQUENTIAL_MEMBERS are looked at here meanwhile.
POOL_BYTES = 4 * 1024 * 1024
_BATCH = 256
_START = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
SEQUENTIAL_MEMBERS = _BATCH if _START == "fork" else 5000


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
    one of its articles, could be kept; every member is still checked for a cut or a
    declaration of entities, reported whether or not it matters, and the members parsed
    for any malformation. Members are not kept in memory: the texts an article
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
_ID_TAIL = re.compile(rb"TEXT\d{12}")  # a literal start: searched at C speed
_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([\w.\-]+)", re.I)
_TEXT_ROOTS = (b"TEXTE_VERSION", b"TEXTE_CNIL")

# (why it is not well-formed, root tag, text identifier or "" to read it in full, wanted)
Look = tuple[str, bytes, str, bool]


def look(data: bytes, wanted: Wanted) -> Look:
    """A member's first look: is it whole, what is it, could it be kept.

    Whole means no entity declared and its root element closed at its end: what a cut
    member, the way an archive breaks, lacks. A member found cut is checked by expat for a
    precise reason. Whatever else might be wrong in a member is found when it is parsed,
    which only the members that could be kept are.
    """
    problem = refusal(data)
    if problem:
        return problem, b"", "", False
    root = _ROOT.search(data)
    tag = root.group(1) if root else b""
    if not _closed(data, tag):
        problem = check_xml(data)
        if problem:
            return problem, b"", "", False
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


def _closed(data: bytes, tag: bytes) -> bool:
    """Whether ``data`` ends (but for white space) with the end tag of ``tag``."""
    if not tag:
        return False
    end = b"</" + tag + b">"
    return data[-len(end) - 64 :].rstrip().endswith(end) or data.rstrip().endswith(end)


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
        if not _numbered(member, data):
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
                if not _numbered(member, data):
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


def _numbered(member: tarstream.Member, data: bytes | None) -> bool:
    """Whether a member is an XML document read in order (both passes number them alike)."""
    return (
        data is not None
        and member.kind == "file"
        and _safe(member.name)
        and member.name.endswith(".xml")
    )


def _safe(name: str) -> bool:
    return not name.startswith("/") and ".." not in name.split("/")


def check_xml(data: bytes) -> str:
    """Why a member is not well-formed XML, or "" (no tree is built: a fast first check)."""
    refused = refusal(data)
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
    parts.extend(_TAG.sub(b"", title) if b"<" in title else title for title in _titles(data))
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


def _titles(data: bytes) -> list[bytes]:
    """The content of every ``TITRE`` and ``TITREFULL`` element, in order (searched for
    with ``bytes.find``: a regular expression would stop at every tag)."""
    out = []
    start = data.find(b"<TITRE")
    while start >= 0:
        after = start + 6
        if data.startswith(b">", after):
            body, end = after + 1, b"</TITRE>"
        elif data.startswith(b"FULL>", after):
            body, end = after + 5, b"</TITREFULL>"
        else:
            start = data.find(b"<TITRE", after)
            continue
        close = data.find(end, body)
        if close < 0:
            start = data.find(b"<TITRE", body)
            continue
        out.append(data[body:close])
        start = data.find(b"<TITRE", close + len(end))
    return out


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
