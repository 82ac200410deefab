"""A filing as DOCX (python-docx) for the attorney to edit: same text and case list as the PDF.

python-docx builds the whole document as an XML tree, which for 66,000 rows × 7 cells is
minutes and gigabytes. So the document is built without the case list, with a marker
paragraph, and the table is streamed into ``word/document.xml`` in place of the marker
when the file is written: seconds, and memory stays flat.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.exports.filings import Filing
from app.exports.text import xml_safe

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# Column widths in twentieths of a point (6.5 in of text width = 9360).
_COL_TWIPS = (1498, 562, 2059, 1030, 1310, 1030, 1871)
MARKER = "@@CLEARSLATE-CASE-LIST@@"
_ROWS_PER_CHUNK = 2000


def _cell(text: str, style: str, width: int | None = None) -> str:
    props = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>' if width else ""
    return (
        f'<w:tc>{props}<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{escape(xml_safe(text))}</w:t></w:r></w:p></w:tc>'
    )


def table_chunks(headers: list[str], rows: list[list[str]]) -> Iterator[str]:
    """The case list as WordprocessingML, in pieces (never one huge string or tree).

    Cells carry only a paragraph style; widths come from the grid (fixed layout), so each
    row stays small: 66,000 rows are about 60 MB of XML.
    """
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in _COL_TWIPS)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    # The header row repeats on every page (tblHeader); no row splits across pages.
    yield (
        f'<w:tbl><w:tblPr><w:tblW w:w="9360" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        + "".join(_cell(h, "CaseListHeader", w) for h, w in zip(headers, _COL_TWIPS))
        + "</w:tr>"
    )
    for start in range(0, len(rows), _ROWS_PER_CHUNK):
        yield "".join(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + "".join(_cell(t, "CaseList") for t in row)
            + "</w:tr>"
            for row in rows[start : start + _ROWS_PER_CHUNK]
        )
    yield "</w:tbl>"


def _splice_table(built: Path, path: Path, chunks: Iterator[str]) -> None:
    """Copy the saved document, replacing the marker paragraph with the streamed table."""
    import zipfile

    with zipfile.ZipFile(built) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            xml = src.read(item.filename).decode("utf-8")
            at = xml.index(MARKER)
            p_start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
            p_end = xml.index("</w:p>", at) + len("</w:p>")
            with dst.open("word/document.xml", "w") as out:
                out.write(xml[:p_start].encode("utf-8"))
                for chunk in chunks:
                    out.write(chunk.encode("utf-8"))
                out.write(xml[p_end:].encode("utf-8"))


def _page_number_footer(section: Any, left: str) -> None:
    from docx.oxml import parse_xml

    footer = section.footer
    paragraph = footer.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(f"{left}    Page ")
    run.font.size = _pt(8)
    for field in ("PAGE", "NUMPAGES"):
        fld = parse_xml(
            f'<w:fldSimple {_W} w:instr=" {field} "><w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'
        )
        paragraph._p.append(fld)
        if field == "PAGE":
            paragraph._p.append(
                parse_xml(
                    f'<w:r {_W}><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> of </w:t></w:r>'
                )
            )


def _pt(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def write_filing_docx(filing: Filing, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Inches, RGBColor

    built = path.with_name(path.name + ".part")
    try:
        doc = Document()
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(1)
        section.top_margin, section.bottom_margin = Inches(0.75), Inches(0.85)
        normal = doc.styles["Normal"]
        normal.font.name = "DejaVu Serif"
        normal.font.size = _pt(12)
        for name, bold in (("CaseList", False), ("CaseListHeader", True)):
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.font.name = "DejaVu Sans Condensed"
            style.font.size = _pt(8.5)
            style.font.bold = bold
            style.paragraph_format.space_before = _pt(0)
            style.paragraph_format.space_after = _pt(0)

        for line in filing.provenance:
            p = doc.add_paragraph()
            p.paragraph_format.space_after = _pt(0)
            r = p.add_run(xml_safe(line))
            r.font.size = _pt(7.5)
            r.font.name = "DejaVu Sans"
            r.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
        doc.add_paragraph()
        for line in filing.attorney_block:
            p = doc.add_paragraph(xml_safe(line))
            p.paragraph_format.space_after = _pt(0)
        court = doc.add_paragraph()
        court.alignment = WD_ALIGN_PARAGRAPH.CENTER
        court.paragraph_format.space_before = _pt(18)
        run = court.add_run(xml_safe(filing.court_name.upper()))
        run.bold = True
        caption = doc.add_paragraph(xml_safe(filing.text.caption))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = _pt(12)
        title.add_run(xml_safe(filing.text.title)).bold = True
        body = []
        for text in filing.text.paragraphs:
            p = doc.add_paragraph(xml_safe(text))
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Inches(0.5)
            p.paragraph_format.line_spacing = 1.5
            body.append(p)
        if filing.kind == "order":
            body.append(doc.add_paragraph("IT IS SO ORDERED."))
        body.append(doc.add_paragraph("Dated: ______________________"))
        # The last paragraph, "so ordered", the date line and the signature stay on one page:
        # Word moves them together rather than leave a signature alone or split it.
        for p in body[-3 if filing.kind == "order" else -2 :]:
            p.paragraph_format.keep_with_next = True
        sign = doc.add_paragraph()
        sign.paragraph_format.keep_together = True
        sign.paragraph_format.left_indent = Inches(3.25)
        lead = "Respectfully submitted,\n\n\n" if filing.kind == "motion" else "\n\n"
        who = f"{filing.attorney_block[0]}\n" if filing.kind == "motion" else ""
        sign.add_run(
            xml_safe(f"{lead}______________________________\n{who}{filing.text.signature_label}")
        )

        heading = doc.add_paragraph()
        heading.add_run().add_break(WD_BREAK.PAGE)
        heading.add_run(xml_safe(filing.attachment_title)).bold = True
        note = doc.add_paragraph(xml_safe(f"Packet fingerprint {filing.fingerprint}"))
        note.runs[0].font.size = _pt(8)
        doc.add_paragraph(MARKER)  # replaced by the case list table when the file is copied
        _page_number_footer(section, filing.short_title)
        doc.core_properties.title = filing.text.title
        doc.core_properties.author = "ClearSlate"
        doc.save(str(built))
        _splice_table(built, path, table_chunks(filing.headers, filing.table_rows()))
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    finally:
        with contextlib.suppress(OSError):
            built.unlink()
