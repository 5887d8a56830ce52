"""Watches: named term lists matched against texts, French-aware, all compiled at once.

Text and terms are folded the same way (case, accents, elisions such as « l' » and « d' »,
hyphens and line breaks); each word of a term also matches its plural and feminine (-s, -x,
-aux, -ale). All terms of all watches are indexed by their first word, so a text is read once,
word by word, whatever the number of watches.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_ELISIONS = tuple(
    f" {word}'".encode()
    for word in ("jusqu", "lorsqu", "puisqu", "qu", "l", "d", "n", "s", "j", "c", "m", "t")
)
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
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


def fold(text: str) -> str:
    """Lower-case, accents removed, elisions dropped, punctuation and hyphens as one space.

    Works with C-level string operations (normalise, encode to ASCII, translate, replace,
    split), so a page of text folds in a few tens of microseconds.
    """
    for old, new in _BEFORE:
        if old in text:
            text = text.replace(old, new)
    if "-\n" in text:  # a word hyphenated across a line break (PDFs, narrow columns)
        text = _LINE_HYPHEN.sub("", text)
    data = b" " + unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_TABLE)
    if b"'" in data:
        for elided in _ELISIONS:
            data = data.replace(elided, b" ")
        data = data.translate(_APOSTROPHE)
    return " " + b" ".join(data.split()).decode("ascii") + " "


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

    def match(self, *texts: str) -> dict[str, list[str]]:
        """The watches matched by any of ``texts``, each with the terms found."""
        if not self._first:
            return {}
        found: dict[str, set[str]] = defaultdict(set)
        excluded: set[str] = set()
        first = self._first
        for text in texts:
            if not text:
                continue
            stems = [_stem(w) for w in fold(text).split()]
            for position, stem in enumerate(stems):
                candidates = first.get(stem)
                if not candidates:
                    continue
                for words, slug, term, excluding in candidates:
                    size = len(words)
                    if size == 1 or tuple(stems[position : position + size]) == words:
                        if excluding:
                            excluded.add(slug)
                        else:
                            found[slug].add(term)
        return {slug: sorted(terms) for slug, terms in found.items() if slug not in excluded}
