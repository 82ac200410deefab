"""A filing as PDF: cover pages with the motion or order text, then the paginated case list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPagedPaintDevice, QTextDocument

from app.core.progress import Progress, check_cancelled
from app.exports.filings import Filing
from app.exports.pdf import (
    CONTENT_H,
    DPI,
    PdfPages,
    TablePainter,
    draw_document_pages,
    draw_heading,
    esc,
    rich_document,
    write_table_pages,
)

# Relative column widths of the case list (case number, count, name, DOB, section, date, relief).
CASE_LIST_WIDTHS = (16, 6, 22, 11, 14, 11, 20)


def cover_html(filing: Filing, *, page_break: str | None = None) -> str:
    """The motion or order text as HTML for QTextDocument (everything escaped).

    ``page_break`` keeps the signature block whole: "last" starts the last paragraph on a new
    page (it, "IT IS SO ORDERED" and the signature then stay together), "closing" starts the
    closing lines on a new page (when the last paragraph is too long to go with them). A
    signature split across two pages is not something an attorney signs or a judge accepts.
    """
    t = filing.text
    prov = "".join(f"<div>{esc(line)}</div>" for line in filing.provenance)
    attorney = "<br/>".join(esc(line) for line in filing.attorney_block)
    brk = " page-break-before: always;"
    paragraphs = "".join(
        '<p style="text-indent: 36pt; margin-bottom: 10pt; line-height: 150%;'
        + (brk if page_break == "last" and i == len(t.paragraphs) - 1 else "")
        + f'" align="justify">{esc(p)}</p>'
        for i, p in enumerate(t.paragraphs)
    )
    closing_break = brk if page_break == "closing" else ""
    if filing.kind == "motion":
        closing = (
            f'<table width="100%" style="margin-top: 24pt;{closing_break}"><tr>'
            '<td width="50%">Dated: ______________________</td>'
            f'<td width="50%">Respectfully submitted,<br/><br/><br/>______________________________<br/>'
            f"{esc(filing.attorney_block[0])}<br/>{esc(t.signature_label)}</td></tr></table>"
        )
    else:
        closing = (
            f'<p style="margin-top: 18pt;{closing_break}">IT IS SO ORDERED.</p>'
            '<table width="100%" style="margin-top: 18pt;"><tr>'
            '<td width="50%">Dated: ______________________</td>'
            f'<td width="50%"><br/><br/>______________________________<br/>{esc(t.signature_label)}</td></tr></table>'
        )
    return (
        '<table width="100%" border="1" cellpadding="4" cellspacing="0" style="border-color: #777777;">'
        f"<tr><td style=\"font-family: 'DejaVu Sans'; font-size: 7.5pt; color: #333333;\">{prov}</td></tr></table>"
        '<p style="font-size: 6pt;">&nbsp;</p>'  # QTextDocument ignores a margin right after a table
        f'<p style="margin-top: 14pt; font-size: 11pt;">{attorney}</p>'
        f'<p align="center" style="margin-top: 18pt; font-weight: bold; font-size: 13pt;">{esc(filing.court_name.upper())}</p>'
        f'<p align="center" style="margin-top: 8pt; font-size: 11pt;">{esc(t.caption)}</p>'
        f'<hr/><p align="center" style="margin-top: 10pt; margin-bottom: 14pt; font-weight: bold; font-size: 12.5pt;">{esc(t.title)}</p>'
        f"{paragraphs}"
        f"{closing}"
    )


def _signature_is_cut(doc: QTextDocument, filing: Filing) -> bool:
    """Whether the signature block spans two pages, or stands on a page without the end of
    the last paragraph (a signature page with nothing of the filing's text on it)."""
    frames = doc.rootFrame().childFrames()
    if not frames or not filing.text.paragraphs:
        return False
    layout = doc.documentLayout()
    signature = layout.frameBoundingRect(frames[-1])  # the closing table is the last frame
    end = signature.bottom() - 1
    last = filing.text.paragraphs[-1]
    block = doc.begin()
    while block.isValid():
        if block.text() == last:
            end = layout.blockBoundingRect(block).bottom() - 1
        block = block.next()
    pages = {int(y // CONTENT_H) for y in (signature.top(), signature.bottom() - 1, end)}
    return len(pages) > 1


def write_filing_pdf(
    filing: Filing,
    path: Path | None,
    *,
    progress: Progress | None = None,
    device: QPagedPaintDevice | None = None,
) -> int:
    """Write ``filing`` to ``path`` (or paint it on ``device``, a printer); returns the page count."""
    pages = PdfPages(
        path,
        title=filing.text.title,
        footer_left=filing.short_title,
        footer_right=f"Fingerprint {filing.fingerprint[:16]}",
        device=device,
    )
    try:
        doc = rich_document(pages, cover_html(filing))
        for page_break in ("last", "closing"):
            if not _signature_is_cut(doc, filing):
                break
            doc = rich_document(pages, cover_html(filing, page_break=page_break))
        table = TablePainter(pages, filing.headers, CASE_LIST_WIDTHS)
        rows = filing.table_rows()
        heading_h = 0.45 * DPI  # the attachment title and its note; measured generously
        layout = table.layout(rows, CONTENT_H - heading_h - 0.1 * DPI, CONTENT_H - 0.25 * DPI)
        pages.total = doc.pageCount() + len(layout.page_ranges)
        draw_document_pages(pages, doc)

        def first(top: float) -> float:
            used = draw_heading(pages, top, filing.attachment_title)
            used += draw_heading(
                pages,
                top + used,
                f"To the {filing.short_title.lower()} — every count below is in the signed list; "
                f"fingerprint {filing.fingerprint[:16]}…",
                points=8,
                bold=False,
            )
            return used

        def following(top: float) -> float:
            return draw_heading(pages, top, f"{filing.attachment_title} (continued)", points=9)

        def tick(done: int) -> None:
            if progress is not None:
                check_cancelled(progress)

        write_table_pages(
            pages, table, rows, layout, first_heading=first, next_heading=following, on_page=tick
        )
        return pages.finish()
    except BaseException:
        # Nothing reached ``path``: the PDF is written there only by a finished finish().
        pages.abort()
        raise
