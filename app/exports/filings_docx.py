"""A filing as DOCX (python-docx) for the attorney to edit: same text and case list as the PDF.

python-docx adds table rows one by one in O(rows²) time, so the case list table is built
as one WordprocessingML fragment and parsed once: 66,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.exports.filings import Filing
from app.exports.text import xml_safe

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# Column widths in twentieths of a point (6.5 in of text width = 9360).
_COL_TWIPS = (1600, 560, 2520, 1030, 1400, 1130, 1120)


def _cell(text: str, width: int, *, bold: bool = False, shade: str | None = None) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if shade:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    run_props = (
        '<w:rPr><w:b/><w:sz w:val="17"/></w:rPr>' if bold else '<w:rPr><w:sz w:val="17"/></w:rPr>'
    )
    return (
        f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>'
        f'<w:r>{run_props}<w:t xml:space="preserve">{escape(xml_safe(text))}</w:t></w:r></w:p></w:tc>'
    )


def _table_xml(headers: list[str], rows: list[list[str]]) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in _COL_TWIPS)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    parts = [
        f'<w:tbl {_W}><w:tblPr><w:tblW w:w="9360" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>',
        # The header row repeats on every page (tblHeader) and rows never split across pages.
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        + "".join(_cell(h, w, bold=True, shade="DDDDDD") for h, w in zip(headers, _COL_TWIPS))
        + "</w:tr>",
    ]
    for row in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        parts.append("".join(_cell(text, w) for text, w in zip(row, _COL_TWIPS)))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


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
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import parse_xml
    from docx.shared import Inches, RGBColor

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
        for text in filing.text.paragraphs:
            p = doc.add_paragraph(xml_safe(text))
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Inches(0.5)
            p.paragraph_format.line_spacing = 1.5
        if filing.kind == "order":
            doc.add_paragraph("IT IS SO ORDERED.")
        doc.add_paragraph("Dated: ______________________")
        sign = doc.add_paragraph()
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
        table = parse_xml(_table_xml(filing.headers, filing.table_rows()))
        # Insert the table before the body's final section properties.
        doc.element.body.insert(len(doc.element.body) - 1, table)
        _page_number_footer(section, filing.short_title)
        doc.core_properties.title = filing.text.title
        doc.core_properties.author = "ClearSlate"
        doc.save(str(path))
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
