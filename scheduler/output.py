"""Plain-text tables and machine formats for the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, flex: int = -1) -> str:
    """Columns padded to their widest cell; column ``flex`` is cut to fit the terminal."""
    cells = [[("" if c is None else str(c)).replace("\n", " ") for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    widths = [w if i == flex % max(len(headers), 1) else min(w, 45) for i, w in enumerate(widths)]
    if headers:
        total = shutil.get_terminal_size((160, 24)).columns
        flex %= len(headers)
        others = sum(w + 2 for i, w in enumerate(widths) if i != flex)
        widths[flex] = max(20, min(widths[flex], total - others))

    def line(values: Sequence[str]) -> str:
        out = []
        for value, width in zip(values, widths, strict=True):
            out.append(value if len(value) <= width else value[: width - 1] + "…")
        return "  ".join(v.ljust(w) for v, w in zip(out, widths, strict=True)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])


def as_json(records: Sequence[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2, default=str)


def as_csv(headers: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(headers), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                for k, v in record.items()
            }
        )
    return buffer.getvalue()
