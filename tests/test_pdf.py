"""Reading PDFs: the text layer, OCR of a scan, and the bounds on both."""

from __future__ import annotations

import hashlib

from pdfgen import scanned_pdf, text_pdf
from raa_samples import lines, recueil_pages

from crawler import pdf, raa

HEADING = "ARRÊTÉ n° 2024-00512 du 3 mai 2024"


def test_the_text_layer_is_read_page_by_page_without_ocr():
    data = text_pdf(recueil_pages())
    result = pdf.read_pdf(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.page_count == 4 and len(result.pages) == 4 and not result.ocr
    assert result.problem == ""
    assert HEADING in result.pages[1] and "l'occasion du Marathon de Paris" in result.pages[1]
    numbers = [o.number for o in raa.split_orders(result.pages)]
    assert numbers == ["2024-00512", "2024-1234", "2024-00777"]


def test_a_scanned_page_is_read_through_ocr():
    data = scanned_pdf(
        text_pdf(
            [
                lines(
                    HEADING + "\nportant autorisation de caméras installées "
                    "sur des aéronefs\nLe préfet de police,"
                )
            ]
        )
    )
    result = pdf.read_pdf(data)
    assert result.ocr and result.page_count == 1, result.problem
    assert "2024-00512" in result.pages[0] and "aéronefs" in result.pages[0]


def test_pages_beyond_the_bound_are_not_read_and_it_is_said():
    data = text_pdf([["page un " * 5], ["page deux " * 5], ["page trois " * 5]])
    result = pdf.read_pdf(data, max_pages=2)
    assert result.page_count == 3 and len(result.pages) == 2
    assert "first 2 of 3 pages" in result.problem


def test_ocr_is_bounded_by_page_count_and_wall_time():
    scan = scanned_pdf(text_pdf([[HEADING], ["ARRÊTÉ n° 2024-00999 du 4 mai 2024"]]))
    result = pdf.read_pdf(scan, max_ocr_pages=1)
    assert result.ocr and "2024-00512" in result.pages[0]
    assert "2024-00999" not in result.text
    assert "first 1 of 2 pages were OCRed" in result.problem
    slow = pdf.read_pdf(scan, timeout=0.5)
    assert slow.pages == [] and "more than" in slow.problem


def test_no_ocr_when_disabled_and_garbage_is_a_problem_not_an_exception():
    scan = scanned_pdf(text_pdf([[HEADING]]))
    result = pdf.read_pdf(scan, max_ocr_pages=0)
    assert not result.ocr and result.page_count == 1 and not result.text.strip()
    broken = pdf.read_pdf(b"<html>not a pdf</html>")
    assert broken.pages == [] and "not a readable PDF" in broken.problem
