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


def test_a_long_name_or_case_number_is_listed_whole(tmp_path: Path) -> None:
    # Before: the surname was clipped at the cell's edge and the given names cut to "Hubert Bl…".
    name = (
        "WOLFESCHLEGELSTEINHAUSENBERGERDORFF-FEATHERSTONEHAUGH-CHOLMONDELEY, "
        "Hubert Blaine Maximilian Alexander"
    )
    case = "FSB-000000000050-0001-XXXXXXXXXXXXXXXXXXXX"
    row = [case, "12", name, "01/02/1970", "664/11357(b) HS", "03/04/1990", "Dismiss and seal"]
    filing = _filing("motion", 0)
    filing = Filing(**{**{f: getattr(filing, f) for f in filing.__slots__}, "table": [row] * 3})
    path = tmp_path / "long.pdf"
    write_filing_pdf(filing, path)
    text = "".join("".join(page.split()) for page in _pages(path))
    assert text.count("".join(name.split())) == 3 and text.count(case) == 3
    assert "…" not in text.split("ATTACHMENT")[-1].split("ffffffffffffffff…")[-1]
