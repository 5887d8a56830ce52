"""Watches: named term lists matched against texts, French-aware, all compiled at once.

Text and terms are folded the same way (case, accents, elisions such as « l' » and « d' »,
hyphens and line breaks); each word of a term also matches its plural and feminine (-s, -x,
-aux, -ale). All terms of all watches are indexed by their first word, so a text is read once,
word by word, whatever the number of watches.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_ELISION = re.compile(rb" (?:jusqu|lorsqu|puisqu|qu|[ldnsjcmt])'")
_BEFORE = (
    ("’", "'"),
    ("ʼ", "'"),
    ("œ", "oe"),
    ("Œ", "oe"),
    ("æ", "ae"),
    ("Æ", "ae"),
    ("°", " "),
    ("\u00ad", ""),
)
# ASCII bytes: letters lower-cased, digits kept, the apostrophe kept (for elisions), the rest
# a space.
_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or 48 <= c <= 57 or c == 39) else 32
    for c in range(256)
)


_APOSTROPHE = bytes.maketrans(b"'", b" ")
_LOOSE = _TABLE.translate(_APOSTROPHE)


def _nfkd_ascii(text: str) -> bytes:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore")


def _outside_latin1(error: UnicodeError) -> tuple[str, int]:
    """Characters outside Latin-1 become what NFKD and ASCII make of them (often nothing)."""
    piece = error.object[error.start : error.end]  # type: ignore[attr-defined]
    return _nfkd_ascii(piece).decode("ascii"), error.end  # type: ignore[attr-defined]


codecs.register_error("veilleur-nfkd", _outside_latin1)


def _latin1_table(table: bytes) -> tuple[bytes, bytes]:
    """For each Latin-1 byte, what NFKD, ASCII and ``table`` make of its character (one
    byte), and the bytes they drop; ¼, ½ and ¾ (two bytes each) are left to ``_ascii``."""
    out, drop = bytearray(range(256)), bytearray()
    for code in range(256):
        ascii_ = _nfkd_ascii(chr(code))
        if not ascii_:
            drop.append(code)
        elif len(ascii_) == 1:
            out[code] = table[ascii_[0]]
    return bytes(out), bytes(drop)


_LATIN1 = {table: _latin1_table(table) for table in (_TABLE, _LOOSE)}


def _ascii(text: str, table: bytes) -> bytes:
    """``NFKD(text)`` as ASCII bytes through ``table``, with one C-level pass for the
    Latin-1 text French is written in instead of normalising every character."""
    if text.isascii():
        return text.encode("ascii").translate(table)
    latin = text.encode("latin-1", "veilleur-nfkd")
    if b"\xbc" in latin or b"\xbd" in latin or b"\xbe" in latin:  # ¼ ½ ¾ (a regex: 8× slower)
        return _nfkd_ascii(text).translate(table)
    return latin.translate(*_LATIN1[table])


_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


def _before(text: str) -> str:
    """Apostrophes, ligatures, the degree sign and soft hyphens, as folding wants them."""
    for old, new in _BEFORE:
        if old in text:
            text = text.replace(old, new)
    return text


def fold(text: str) -> str:
    """Lower-case, accents removed, elisions dropped, punctuation and hyphens as one space.

    Works with C-level string operations (normalise, encode to ASCII, translate, replace,
    split), so a page of text folds in a few tens of microseconds.
    """
    text = _before(text)
    if "-\n" in text:  # a word hyphenated across a line break (PDFs, narrow columns)
        text = _LINE_HYPHEN.sub("", text)
    data = b" " + _ascii(text, _TABLE)
    if b"'" in data:
        data = _ELISION.sub(b" ", data).translate(_APOSTROPHE)
    return " " + b" ".join(data.split()).decode("ascii") + " "


def loose_words(text: str) -> set[bytes]:
    """The words of ``fold`` applied to any whitespace-normalised piece of ``text``, and more.

    Cheaper than ``fold``: elided articles stay as words of their own and words are not
    joined again; the set it gives contains every word ``fold`` would give.
    """
    return set(_ascii(_before(text), _LOOSE).split())


def _stem(word: str) -> str:
    """The form plurals and feminines of a folded word share (« locaux » → « local »)."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 5 and word.endswith("ale"):
        word = word[:-1]
    return word


def _word_pattern(word: str) -> str:
    stem = _stem(word)
    if len(stem) > 4 and stem.endswith("al"):
        return re.escape(stem[:-2]) + "(?:al|aux|ale|ales|als)"
    return re.escape(stem) + ("(?:s|x)?" if len(word) > 3 else "")


def _term_pattern(term: str) -> tuple[str, str] | None:
    words = fold(term).split()
    if not words:
        return None
    key = " ".join(_stem(w) for w in words)
    parts = [_word_pattern(w) for w in words]
    return key, r" ".join(parts)


@dataclass(frozen=True)
class WatchDefinition:
    slug: str
    terms: Sequence[str]
    exclude: Sequence[str] = ()


class WatchSet:
    """Every term of every watch in one index; ``match(text)`` gives ``{watch: [terms]}``.

    Terms are folded and stemmed into word tuples and indexed by their first word, so a text
    is read once, word by word, whatever the number of watches and terms.
    """

    def __init__(self, watches: Iterable[WatchDefinition]):
        self._first: dict[str, list[tuple[tuple[str, ...], str, str, bool]]] = defaultdict(list)
        for watch in watches:
            for term, excluding in [(t, False) for t in watch.terms] + [
                (t, True) for t in watch.exclude
            ]:
                words = tuple(_stem(w) for w in fold(term).split())
                if words:
                    self._first[words[0]].append((words, watch.slug, term, excluding))
        for entries in self._first.values():
            entries.sort(key=lambda e: len(e[0]), reverse=True)
        # Every folded word whose stem begins a term: a text sharing none of them is passed
        # over with one set intersection, without stemming its words one by one.
        self._forms = frozenset(form for stem in self._first for form in _forms(stem))
        # For a first look: each term under the forms of its rarest-looking word, with the
        # forms of its other words; a text lacking some word of every term cannot match.
        self._loose: dict[bytes, list[tuple[frozenset[bytes], ...]]] = defaultdict(list)
        for entries in self._first.values():
            for words, _slug, _term, excluding in entries:
                if excluding:
                    continue
                key = max(words, key=_rarity)
                others = tuple(frozenset(f.encode() for f in _forms(w)) for w in words if w != key)
                for form in _forms(key):
                    self._loose[form.encode()].append(others)
        self._loose_keys = frozenset(self._loose)

    def may_match(self, text: str) -> bool:
        """False only when ``match`` finds nothing in any whitespace-normalised piece of
        ``text``: for every term, some word is missing. A first look, cheaper than ``match``."""
        listed = _ascii(_before(text), _LOOSE).split()
        hits = self._loose_keys.intersection(listed)  # most texts stop here, no set built
        if not hits:
            return False
        words = set(listed)
        for hit in hits:
            for others in self._loose[hit]:
                if all(not forms.isdisjoint(words) for forms in others):
                    return True
        return False

    def match(self, *texts: str) -> dict[str, list[str]]:
        """The watches matched by any of ``texts``, each with the terms found."""
        if not self._first:
            return {}
        found: dict[str, set[str]] = defaultdict(set)
        excluded: set[str] = set()
        first = self._first
        forms = self._forms
        for text in texts:
            if not text:
                continue
            words = fold(text).split()
            hits = forms.intersection(words)
            if not hits:
                continue
            for position, word in enumerate(words):
                if word not in hits:
                    continue
                for term_words, slug, term, excluding in first[_stem(word)]:
                    size = len(term_words)
                    if size > 1 and (
                        len(words) < position + size
                        or tuple(_stem(w) for w in words[position + 1 : position + size])
                        != term_words[1:]
                    ):
                        continue
                    if excluding:
                        excluded.add(slug)
                    else:
                        found[slug].add(term)
        return {slug: sorted(terms) for slug, terms in found.items() if slug not in excluded}


# Stems of words that most official texts contain: a poor key for the first look, which
# would then look further at nearly every member (any choice of key gives the same result).
_COMMON = frozenset(
    """a au aux avec code d dans de decret des du en et l la le les loi n par pour sur sans
    arrete article personne donnee public publique traitement dispositif reconnaissance
    identification installe ville image analyse""".split()  # noqa: SIM905
)


def _rarity(stem: str) -> tuple[bool, bool, bool, int]:
    """How seldom a term's word is likely to occur in a text (a guess, used as a sort key):
    an uncommon word, then a word rather than a number, then a number that is no year."""
    year = len(stem) == 4 and stem.isdigit() and stem[:2] in ("19", "20")
    return stem not in _COMMON, not stem.isdigit(), not year, len(stem)


def _forms(stem: str) -> set[str]:
    """Every word ``_stem`` maps to ``stem`` (the inverse of its three rules)."""
    candidates = {stem + end for end in ("", "s", "x", "e", "es", "ex")}
    if stem.endswith("al"):
        candidates.add(stem[:-2] + "aux")
    return {word for word in candidates if _stem(word) == stem}


@dataclass(frozen=True)
class FirstLook:
    """Could anything drawn from a text be kept? False only when no watch could match it and
    it names no followed identifier. Picklable, so that worker processes can share it."""

    watches: WatchSet
    followed: frozenset[str] = frozenset()

    def __call__(self, text: str, identifiers: Iterable[str]) -> bool:
        if self.watches.may_match(text):
            return True
        return bool(self.followed) and not self.followed.isdisjoint(identifiers)
