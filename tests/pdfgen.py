"""Tiny PDF writers for tests: text pages (Helvetica, WinAnsi) and image-only scans of them.

``text_pdf([["line", …], …])`` writes one page per list of lines, with a real text layer that
pypdf reads back. ``scanned_pdf(pdf)`` renders a PDF to an image-only PDF with ghostscript
(no text layer at all), as a scanner would.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(pages: list[list[str]], size: int = 11) -> bytes:
    """A PDF with one A4 page per list of lines."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # pages, filled below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for lines in pages:
        stream = [b"BT", f"/F1 {size} Tf".encode(), f"{size + 3} TL".encode(), b"50 800 Td"]
        for line in lines:
            stream.append(b"(" + _escape(line) + b") Tj T*")
        stream.append(b"ET")
        content = b"\n".join(stream)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        page_ids.append(len(objects))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def scanned_pdf(pdf: bytes, dpi: int = 200) -> bytes:
    """``pdf`` rendered to grey images and wrapped as an image-only PDF (ghostscript)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.pdf"), Path(folder, "out.pdf")
        source.write_bytes(pdf)
        subprocess.run(
            [
                *("gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfimage8"),
                *(f"-r{dpi}", f"-sOutputFile={target}", str(source)),
            ],
            check=True,
            timeout=60,
        )
        return target.read_bytes()
