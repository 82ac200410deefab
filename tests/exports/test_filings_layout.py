"""How a filing reads on paper: the signature block is never split from its date line and text."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.exports.filings import Filing
from app.exports.filings_docx import write_filing_docx
from app.exports.filings_pdf import write_filing_pdf
from app.exports.templates import FilingText

pytestmark = pytest.mark.usefixtures("qapp")


def _filing(kind: str, last_words: int) -> Filing:
    """A filing whose body fills most of page 1, so the closing lines fall near the page end."""
    body = ["Whereas the People move the Court. " * 12] * 3
    last = "STARTLAST " + "word " * last_words + "ENDLAST"
    return Filing(
        relief="dismiss",
        kind=kind,
        text=FilingText(kind, "MOTION", "IN RE CASES", [*body, last], "SIGNATURELABEL"),
        provenance=["Prepared under policy test."],
        attorney_block=["Jane Q. Prosecutor", "Bar No. 123456", "Office"],
        court_name="Superior Court",
        fingerprint="f" * 64,
        rows=[],
        attachment_title="ATTACHMENT A",
        table=[["BF1", "1", "DOE, JAN", "01/02/1970", "HS 11357", "03/04/1990", "Dismiss"]],
    )


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


@pytest.mark.parametrize("kind", ["motion", "order"])
def test_the_signature_block_stays_with_its_date_line_and_the_end_of_the_text(
    kind: str, tmp_path: Path
) -> None:
    # Last paragraphs of several lengths move the closing lines across the end of page 1;
    # at some of them the date line stayed on page 1 and the signature went to page 2.
    for words in range(0, 60, 10):
        path = tmp_path / f"{kind}-{words}.pdf"
        write_filing_pdf(_filing(kind, words), path)
        pages = _pages(path)
        signed = [i for i, text in enumerate(pages) if "SIGNATURELABEL" in text]
        assert len(signed) == 1, (words, signed)
        page = pages[signed[0]]
        assert "Dated" in page and "ENDLAST" in page, (kind, words, page)
        if kind == "order":
            assert "IT IS SO ORDERED" in page


def test_the_docx_keeps_the_closing_lines_and_signature_together(tmp_path: Path) -> None:
    from docx import Document

    for kind in ("motion", "order"):
        path = tmp_path / f"{kind}.docx"
        write_filing_docx(_filing(kind, 5), path)
        paragraphs = Document(str(path)).paragraphs
        sign = next(i for i, p in enumerate(paragraphs) if "SIGNATURELABEL" in p.text)
        last = next(i for i, p in enumerate(paragraphs) if p.text.startswith("STARTLAST"))
        # Every paragraph from the end of the text to the signature moves with the next one.
        assert all(p.paragraph_format.keep_with_next for p in paragraphs[last:sign]), kind
        assert paragraphs[sign].paragraph_format.keep_together
