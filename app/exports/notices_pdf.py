"""The notices as one PDF: each person's letter starts on a new page and is numbered on its own,
so no page ever carries two people's names or cases and the office can split the pages into
envelopes by the footer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPagedPaintDevice

from app.core.progress import Progress, check_cancelled
from app.exports.notices import ADDRESS_LINES, NoticeLetter, Notices
from app.exports.pdf import PdfPages, draw_document_pages, esc, rich_document
from app.exports.qt import SERIF, font


def _px(points: float) -> int:
    """Points as CSS pixels (1/96 inch), which QTextDocument scales to the 300-dpi page; its
    HTML reader drops margins given in "pt" altogether (Qt 6)."""
    return round(points * 96 / 72)


_PARA = f'<p style="margin-top: 0px; margin-bottom: {_px(8)}px; line-height: 125%;">{{}}</p>'
# QTextDocument ignores a margin right after a table: a small empty paragraph makes the gap.
_AFTER_TABLE = '<p style="margin: 0px; font-size: 7pt;">&nbsp;</p>'


def _offense_cells(case: list[str]) -> str:
    cell = f'style="padding: {_px(2)}px;"'
    return "<tr>" + "".join(f"<td {cell}>{esc(text)}</td>" for text in case) + "</tr>"


def letter_html(notices: Notices, letter: NoticeLetter) -> str:
    """One letter as HTML for QTextDocument (everything escaped)."""
    head, *address = notices.letterhead
    letterhead = f"<b>{esc(head)}</b>" + "".join(f"<br/>{esc(line)}" for line in address)
    blank = "<br/>&nbsp;" * ADDRESS_LINES  # the mailing address, from the office's records
    # Case number, offense, date, relief; the header row repeats on a letter's next page.
    widths = (17, 38, 17, 28) if len(notices.columns) == 4 else None
    header_cells = "".join(
        '<th align="left" bgcolor="#e6e6e6"'
        + (f' width="{widths[i]}%"' if widths else "")
        + f">{esc(c)}</th>"
        for i, c in enumerate(notices.columns)
    )
    rows = "".join(_offense_cells(case) for case in letter.cases)
    signature = "<br/>".join(esc(line) for line in notices.signature)
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="62%" style="font-size: 10pt;">{letterhead}</td>'
        f'<td width="38%" align="right">{esc(notices.date)}</td></tr></table>'
        + _AFTER_TABLE
        + f'<p style="margin-top: {_px(28)}px; margin-bottom: {_px(14)}px;">'
        f"{esc(letter.name)}{blank}</p>"
        f'<p align="center" style="margin-top: 0px; margin-bottom: {_px(12)}px; '
        f'font-weight: bold; font-size: 12pt;">{esc(notices.title)}</p>'
        + (_PARA.format(f"<b>{esc(letter.regarding)}</b>") if letter.regarding else "")
        + (_PARA.format(esc(letter.greeting)) if letter.greeting else "")
        + "".join(_PARA.format(esc(p)) for p in letter.before)
        + f'<table width="100%" border="1" cellspacing="0" cellpadding="{_px(3)}" '
        'style="border-color: #888888; font-size: 10pt;">'
        f"<thead><tr>{header_cells}</tr></thead>{rows}</table>"
        + _AFTER_TABLE
        + "".join(_PARA.format(esc(p)) for p in letter.after)
        + (_PARA.format(esc(notices.closing)) if notices.closing else "")
        + f'<p style="margin-top: {_px(26)}px;">{signature}</p>'
    )


def write_notices_pdf(
    notices: Notices,
    path: Path | None,
    *,
    progress: Progress | None = None,
    device: QPagedPaintDevice | None = None,
) -> int:
    """Write every letter to ``path`` (or paint them on ``device``, a printer); returns the
    page count. Each letter is laid out and drawn in turn, so memory stays flat."""
    pages = PdfPages(
        path,
        title=notices.title,
        footer_left=notices.short_title,
        footer_right=f"Reference {notices.fingerprint[:12]}",
        device=device,
    )
    try:
        base = font(SERIF, 11)
        for letter in notices.letters:
            if progress is not None:
                check_cancelled(progress)
            doc = rich_document(pages, letter_html(notices, letter), base)
            pages.begin_part(doc.pageCount(), f"{notices.short_title}: {letter.name}")
            draw_document_pages(pages, doc)
        return pages.finish()
    except BaseException:
        pages.abort()  # nothing reached ``path``: only a finished finish() writes it
        raise
