"""Watch matching: R rules over N texts with the term index (``WatchSet``), against one
re.search per rule per text, in the same run (the baseline on a sample of texts, its rate
extrapolated).

Texts are the titles and summaries of the shipped reference timeline, cycled; rules are the
built-in watch terms plus generated two-word terms from the same vocabulary.

    .venv/bin/python bench/watch_match.py [--rules 1000] [--texts 100000] [--sample 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path

from crawler.watch import WatchDefinition, WatchSet, _term_pattern, fold

ROOT = Path(__file__).resolve().parents[1]


def corpus() -> list[str]:
    records = json.loads((ROOT / "store/data/vsa_reference_timeline.json").read_text("utf-8"))
    return [f"{r['title']} {r.get('summary') or ''}" for r in records]


def rules(count: int, texts: list[str]) -> list[WatchDefinition]:
    words = sorted({w for t in texts for w in fold(t).split() if len(w) > 4})
    rng = random.Random(7)
    terms = [
        "vidéosurveillance algorithmique",
        "caméras augmentées",
        "reconnaissance faciale",
        "aéronef sans personne à bord",
        "loi n° 2023-380",
    ]
    while len(terms) < count:
        terms.append(" ".join(rng.sample(words, 2)))
    return [WatchDefinition(f"w{i // 10}", terms[i : i + 10]) for i in range(0, count, 10)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    base = corpus()
    texts = [base[i % len(base)] for i in range(args.texts)]
    definitions = rules(args.rules, base)
    began = time.perf_counter()
    watches = WatchSet(definitions)
    compiled = time.perf_counter() - began
    began = time.perf_counter()
    hits = sum(1 for text in texts if watches.match(text))
    combined = time.perf_counter() - began
    patterns = [
        (d.slug, re.compile(r"(?<= )" + _term_pattern(t)[1] + r"(?= )"))
        for d in definitions
        for t in d.terms
    ]
    sample = texts[: args.sample]
    began = time.perf_counter()
    base_hits = 0
    for text in sample:
        folded = fold(text)
        if any(p.search(folded) for _, p in patterns):
            base_hits += 1
    loop = time.perf_counter() - began
    expected = sum(1 for text in sample if watches.match(text))
    assert base_hits == expected, (base_hits, expected)
    rate, base_rate = args.texts / combined, args.sample / loop
    print(f"{args.rules} rules compiled in {compiled:.2f} s")
    print(
        f"combined pattern : {args.texts} texts in {combined:6.2f} s = {rate:>9,.0f} texts/s "
        f"({hits} matching)"
    )
    print(
        f"one search a rule: {args.sample} texts in {loop:6.2f} s = {base_rate:>9,.0f} texts/s "
        f"(baseline, same matches on the sample)"
    )
    print(f"ratio: {rate / base_rate:.1f}x (goal >= 20x)")


if __name__ == "__main__":
    main()
