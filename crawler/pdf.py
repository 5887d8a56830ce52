"""The text of a PDF, page by page: its text layer with pypdf, OCR only when that layer is empty.

PDFs come from the internet (prefectures' recueils, often scanned), so reading one is bounded:
it happens in a child process (``python -m crawler.pdf FILE``) killed after ``timeout``
seconds, reads at most ``max_pages`` pages, and OCRs (ocrmypdf + tesseract, French) at most
``max_ocr_pages`` pages, only when no page has a text layer. Nothing is raised for a bad PDF:
the result says what went wrong in ``problem`` and carries whatever text was read.

The PDF's ``sha256`` identifies its content, so a PDF replaced at the same URL is seen as new.
OCR needs the Debian packages ``ocrmypdf tesseract-ocr tesseract-ocr-fra ghostscript``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

MAX_PAGES = 300
MAX_OCR_PAGES = 40
TIMEOUT = 600.0
EMPTY_LAYER_CHARS = 20  # fewer printable characters than this on every page: a scan


@dataclass
class PdfText:
    """What was read from one PDF."""

    sha256: str
    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    ocr: bool = False
    problem: str = ""

    @property
    def text(self) -> str:
        """All pages, separated by form feeds."""
        return "\f".join(self.pages)


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def ocr_available() -> bool:
    """True when ocrmypdf (and so tesseract and ghostscript) can be run."""
    return shutil.which("ocrmypdf") is not None


def read_pdf(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    max_ocr_pages: int = MAX_OCR_PAGES,
    timeout: float = TIMEOUT,
    language: str = "fra",
) -> PdfText:
    """The text of the PDF ``data`` (see the module docstring). Blocks up to ``timeout`` s."""
    result = PdfText(sha256=sha256(data))
    with tempfile.TemporaryDirectory(prefix="veilleur-pdf-") as folder:
        path = os.path.join(folder, "in.pdf")
        with open(path, "wb") as handle:
            handle.write(data)
        command = [
            sys.executable,
            "-m",
            "crawler.pdf",
            path,
            "--max-pages",
            str(max_pages),
            "--max-ocr-pages",
            str(max_ocr_pages),
            "--timeout",
            str(max(1.0, timeout - 2.0)),
            "--language",
            language,
        ]
        child_process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": _package_root()},
            start_new_session=True,  # its own process group: OCR children die with it
        )
        try:
            stdout, stderr = child_process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child_process.pid, signal.SIGKILL)
            child_process.communicate()
            result.problem = f"reading the PDF took more than {timeout:.0f} s"
            return result
    try:
        answer = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        result.problem = f"unreadable PDF (exit {child_process.returncode}): {tail[0][:200]}"
        return result
    result.pages = [str(p) for p in answer.get("pages", [])]
    result.page_count = int(answer.get("page_count", len(result.pages)))
    result.ocr = bool(answer.get("ocr"))
    result.problem = str(answer.get("problem", ""))
    return result


def _package_root() -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    existing = os.environ.get("PYTHONPATH", "")
    return f"{root}{os.pathsep}{existing}" if existing else root


# --- the child process -----------------------------------------------------------------------


def _text_layer(path: str, max_pages: int) -> tuple[list[str], int, str]:
    """Pages' text with pypdf (the first ``max_pages``), the page count, a problem."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path, strict=False)
        count = len(reader.pages)
    except Exception as exc:  # any malformed PDF
        return [], 0, f"not a readable PDF: {type(exc).__name__}: {str(exc)[:200]}"
    pages, problem = [], ""
    for index in range(min(count, max_pages)):
        try:
            pages.append(reader.pages[index].extract_text() or "")
        except Exception as exc:  # one bad page never stops the others
            pages.append("")
            problem = f"page {index + 1} unreadable: {type(exc).__name__}"
    if count > max_pages:
        problem = f"only the first {max_pages} of {count} pages were read"
    return pages, count, problem


def _ocr(path: str, pages: int, timeout: float, language: str) -> tuple[list[str], str]:
    """OCR the first ``pages`` pages with ocrmypdf; their text and a problem."""
    if not ocr_available():
        return [], "no text layer and OCR is not installed (ocrmypdf, tesseract-ocr-fra)"
    sidecar = os.path.join(os.path.dirname(path), "ocr.txt")
    command = [
        "ocrmypdf",
        "--quiet",
        "--force-ocr",
        "--output-type",
        "none",
        "--sidecar",
        sidecar,
        "--language",
        language,
        "--jobs",
        "1",
        "--optimize",
        "0",
        "--pages",
        f"1-{pages}",
        "--tesseract-timeout",
        str(int(max(10, timeout))),
        path,
        "-",
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return [], f"OCR took more than {timeout:.0f} s"
    if done.returncode != 0 or not os.path.exists(sidecar):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return [], f"OCR failed (exit {done.returncode}): {tail[0][:200]}"
    with open(sidecar, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    found = text.split("\f")
    if found and not found[-1].strip():
        found.pop()
    return found[:pages], ""


def _has_text(pages: list[str]) -> bool:
    return any(sum(c.isalnum() for c in page) >= EMPTY_LAYER_CHARS for page in pages)


def child(argv: list[str] | None = None) -> dict:
    """Read one PDF file and return the answer the parent expects (``pages``, ``ocr``…)."""
    parser = argparse.ArgumentParser(prog="python -m crawler.pdf")
    parser.add_argument("path")
    parser.add_argument("--max-pages", type=int, default=MAX_PAGES)
    parser.add_argument("--max-ocr-pages", type=int, default=MAX_OCR_PAGES)
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--language", default="fra")
    args = parser.parse_args(argv)
    started = time.monotonic()
    pages, count, problem = _text_layer(args.path, max(1, args.max_pages))
    answer = {"pages": pages, "page_count": count, "ocr": False, "problem": problem}
    if count == 0 or _has_text(pages) or args.max_ocr_pages <= 0:
        return answer
    limit = min(count, args.max_ocr_pages)
    left = args.timeout - (time.monotonic() - started)
    found, ocr_problem = _ocr(args.path, limit, left, args.language)
    if found:
        answer["pages"] = found + [""] * (len(pages) - len(found))
        answer["ocr"] = True
    notes = [ocr_problem]
    if count > limit and found:
        notes.append(f"only the first {limit} of {count} pages were OCRed")
    answer["problem"] = "; ".join(n for n in notes if n) or problem
    return answer


if __name__ == "__main__":
    sys.stdout.write(json.dumps(child(), ensure_ascii=False))
