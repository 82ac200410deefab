"""The notices as DOCX for the office to edit: one section per person (a letter starts on a new
page, its pages numbered on their own), with empty lines under the name for the address."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from app.exports.notices import ADDRESS_LINES, NoticeLetter, Notices
from app.exports.text import xml_safe

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _pt(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def _footer(section: Any, left: str, right: str) -> None:
    """ "LEFT    Page X of Y    RIGHT", numbered within this section (this letter)."""
    from docx.oxml import parse_xml

    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(xml_safe(f"{left}    Page "))
    run.font.size = _pt(8)
    for field in ("PAGE", "SECTIONPAGES"):
        paragraph._p.append(
            parse_xml(
                f'<w:fldSimple {_W} w:instr=" {field} "><w:r><w:rPr><w:sz w:val="16"/></w:rPr>'
                "<w:t>1</w:t></w:r></w:fldSimple>"
            )
        )
        if field == "PAGE":
            paragraph.add_run(" of ").font.size = _pt(8)
    paragraph.add_run(xml_safe(f"    {right}")).font.size = _pt(8)
    # Each letter's pages start again at 1. The schema fixes the order of a section's
    # properties (Word reports a file with them out of order as damaged): pgNumType goes
    # before cols, or after pgMar.
    sect_pr = section._sectPr
    for old in sect_pr.findall(f"{_NS}pgNumType"):
        sect_pr.remove(old)
    number = parse_xml(f'<w:pgNumType {_W} w:start="1"/>')
    cols = sect_pr.find(f"{_NS}cols")
    if cols is not None:
        cols.addprevious(number)
    else:
        margins = sect_pr.find(f"{_NS}pgMar")
        if margins is not None:
            margins.addnext(number)
        else:
            sect_pr.append(number)


def _letter(doc: Any, notices: Notices, letter: NoticeLetter) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Inches

    head = doc.add_paragraph()
    head.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)
    head.add_run(xml_safe(notices.letterhead[0])).bold = True
    head.add_run(xml_safe(f"\t{notices.date}"))
    for line in notices.letterhead[1:]:
        p = doc.add_paragraph(xml_safe(line))
        p.paragraph_format.space_after = _pt(0)
    name = doc.add_paragraph(xml_safe(letter.name))
    name.paragraph_format.space_before = _pt(30)
    name.paragraph_format.space_after = _pt(0)
    for _ in range(ADDRESS_LINES):  # the mailing address, typed in from the office's records
        doc.add_paragraph().paragraph_format.space_after = _pt(0)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = _pt(18)
    title.add_run(xml_safe(notices.title)).bold = True
    if letter.regarding:
        doc.add_paragraph().add_run(xml_safe(letter.regarding)).bold = True
    for text in [letter.greeting, *letter.before]:
        if text:
            doc.add_paragraph(xml_safe(text))
    table = doc.add_table(rows=1 + len(letter.cases), cols=len(notices.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, texts in zip(table.rows, [notices.columns, *letter.cases]):
        for cell, text in zip(row.cells, texts):
            cell.text = xml_safe(text)
            for run in cell.paragraphs[0].runs:
                run.font.size = _pt(10)
                run.bold = texts is notices.columns
    doc.add_paragraph().paragraph_format.space_after = _pt(0)
    for text in letter.after:
        doc.add_paragraph(xml_safe(text))
    if notices.closing:
        doc.add_paragraph(xml_safe(notices.closing)).paragraph_format.keep_with_next = True
    sign = doc.add_paragraph(xml_safe("\n\n" + "\n".join(notices.signature)))
    sign.paragraph_format.keep_together = True


def write_notices_docx(notices: Notices, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Inches

    try:
        doc = Document()
        normal = doc.styles["Normal"]
        normal.font.name = "DejaVu Serif"
        normal.font.size = _pt(11)
        normal.paragraph_format.space_after = _pt(8)
        for index, letter in enumerate(notices.letters):
            # A new section per person: a new page, its own footer and page numbers.
            section = doc.sections[0] if index == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
            if index == 0:
                section.page_width, section.page_height = Inches(8.5), Inches(11)
                section.left_margin = section.right_margin = Inches(1)
                section.top_margin, section.bottom_margin = Inches(0.75), Inches(0.85)
            _footer(
                section,
                f"{notices.short_title}: {letter.name}",
                f"Reference {notices.fingerprint[:12]}",
            )
            _letter(doc, notices, letter)
        doc.core_properties.title = notices.title
        doc.core_properties.author = "ClearSlate"
        doc.save(str(path))
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
