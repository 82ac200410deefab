"""US Letter PDF pages drawn with Qt's QPdfWriter: rich text pages, paginated tables, footers.

Everything is laid out before the first page is drawn, so each footer can say "Page X of N"
(a PDF writer cannot go back to an earlier page). Coordinates are device units at 300 dpi.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from app.core.errors import ExportError
from app.exports.files import atomic_write_bytes
from app.exports.qt import SANS, SERIF, ensure_gui, font

DPI = 300
PAGE_W, PAGE_H = int(8.5 * DPI), 11 * DPI  # US Letter
MARGIN_X = DPI  # one inch
MARGIN_TOP = int(0.75 * DPI)
MARGIN_BOTTOM = int(0.85 * DPI)  # room for the footer
CONTENT_W = PAGE_W - 2 * MARGIN_X
CONTENT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
# A cell grows to this many lines before its text is cut (visibly, with "…"): enough for a
# long name with several given names, never so many that one row outgrows a page.
MAX_CELL_LINES = 6


def wrap_flags(text: str, width: float, metrics: QFontMetricsF) -> int:
    """Wrap at spaces; a single word wider than the cell (a long surname or case number)
    wraps anywhere, so no part of it is clipped at the cell's edge."""
    anywhere = any(metrics.horizontalAdvance(word) > width for word in text.split())
    return int(Qt.TextFlag.TextWrapAnywhere if anywhere else Qt.TextFlag.TextWordWrap)


def esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br/>")


class PdfPages:
    """A QPdfWriter and its painter on US Letter, with a footer on every page."""

    def __init__(
        self,
        path: Path | None,
        *,
        title: str,
        footer_left: str,
        footer_right: str,
        device: QPagedPaintDevice | None = None,
    ) -> None:
        """Pages of a new PDF at ``path``, or of ``device`` (a QPrinter for print and preview)."""
        ensure_gui()
        self.path = path
        self._buffer: QBuffer | None = None
        if device is None:
            # QPdfWriter on a file swallows write errors (a full disk left a truncated PDF and
            # a page count, no error): it draws into memory, and finish() writes the bytes
            # with Python's file I/O, where a failed write raises.
            self._buffer = QBuffer()
            self._buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            writer = QPdfWriter(self._buffer)
            writer.setTitle(title)
            writer.setCreator("ClearSlate")
            writer.setResolution(DPI)
            self.writer: QPagedPaintDevice = writer
        else:
            # A QPrinter: same page, same 300 dpi units, so the layout is the PDF's exactly.
            device.setResolution(DPI)  # type: ignore[attr-defined]
            self.writer = device
        self.writer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        self.writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise ExportError(
                "The PDF file or printer could not be opened for writing.", file=str(path or "")
            )
        self.footer_left = footer_left
        self.footer_right = footer_right
        self.page = 0
        self.total = 0
        # A document of several parts (a letter per person) numbers each part's pages on its
        # own: "Page 1 of 2" of that letter, not of the whole file.
        self._part_first = 0
        self._part_total = 0
        self.footer_font = font(SANS, 7.5)

    def begin_part(self, pages: int, footer_left: str) -> None:
        """The next ``pages`` pages are one part (one letter), numbered 1 to ``pages``."""
        self._part_first = self.page + 1
        self._part_total = pages
        self.footer_left = footer_left

    def start_page(self) -> None:
        """Begin the next page (the first call uses the page the writer opened with)."""
        if self.page:
            self.writer.newPage()
        self.page += 1
        self._footer()

    def _footer(self) -> None:
        p = self.painter
        p.save()
        p.setFont(self.footer_font)
        p.setPen(QColor(70, 70, 70))
        y = PAGE_H - MARGIN_BOTTOM + int(0.3 * DPI)
        rect = QRectF(MARGIN_X, y, CONTENT_W, 60)
        p.drawLine(MARGIN_X, y - 12, MARGIN_X + CONTENT_W, y - 12)
        p.drawText(
            rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), self.footer_left
        )
        number, total = self.page, self.total
        if self._part_total:
            number, total = self.page - self._part_first + 1, self._part_total
        p.drawText(
            rect,
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            f"Page {number} of {total}",
        )
        p.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), self.footer_right
        )
        p.restore()

    def finish(self) -> int:
        """End the last page and, for a file, write it atomically; returns the page count."""
        if not self.painter.end():
            raise ExportError(
                "The PDF file could not be finished (disk full or no permission?).",
                file=str(self.path),
            )
        if self._buffer is not None and self.path is not None:
            data = bytes(self._buffer.data().data())
            self._buffer.close()
            if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
                raise ExportError("The PDF could not be drawn completely.", file=str(self.path))
            try:
                atomic_write_bytes(self.path, data)
            except OSError as exc:
                raise ExportError(
                    f"The PDF file could not be written: {exc.strerror or exc}. "
                    "Free some disk space or choose another folder, then export again.",
                    file=str(self.path),
                ) from exc
        return self.page

    def abort(self) -> None:
        if self.painter.isActive():
            self.painter.end()


def rich_document(pages: PdfPages, body_html: str, base: QFont | None = None) -> QTextDocument:
    """A QTextDocument laid out for the writer's resolution and the content area."""
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(pages.writer)
    doc.setDefaultFont(base or font(SERIF, 12))
    doc.setDocumentMargin(0)
    doc.setPageSize(QSizeF(CONTENT_W, CONTENT_H))
    doc.setHtml(body_html)
    return doc


def draw_document_pages(pages: PdfPages, doc: QTextDocument) -> None:
    for index in range(doc.pageCount()):
        pages.start_page()
        p = pages.painter
        p.save()
        p.translate(MARGIN_X, MARGIN_TOP - index * CONTENT_H)
        doc.drawContents(p, QRectF(0, index * CONTENT_H, CONTENT_W, CONTENT_H))
        p.restore()


@dataclass(frozen=True, slots=True)
class TableLayout:
    """Where a long table breaks: row ranges per page and each row's height."""

    page_ranges: list[tuple[int, int]]
    heights: list[float]


class TablePainter:
    """Draws a table with a repeated header row, paginated cleanly over any number of rows."""

    def __init__(
        self,
        pages: PdfPages,
        headers: Sequence[str],
        widths: Sequence[float],
        *,
        points: float = 8.5,
    ) -> None:
        self.pages = pages
        self.headers = list(headers)
        total = sum(widths)
        self.widths = [CONTENT_W * w / total for w in widths]
        self.font = font(SANS, points, condensed=True)
        self.bold = font(SANS, points, bold=True, condensed=True)
        self.metrics = QFontMetricsF(self.font, pages.writer)
        self.bold_metrics = QFontMetricsF(self.bold, pages.writer)
        self.pad = 0.04 * DPI
        self.line = self.metrics.lineSpacing()
        self.header_h = self._row_height(self.headers, self.bold_metrics)

    def _row_height(self, cells: Sequence[str], metrics: QFontMetricsF) -> float:
        lines = 1
        for text, width in zip(cells, self.widths):
            inner = width - 2 * self.pad
            if text and metrics.horizontalAdvance(text) > inner:
                box = metrics.boundingRect(
                    QRectF(0, 0, inner, 1e6), wrap_flags(text, inner, metrics), text
                )
                lines = max(lines, min(MAX_CELL_LINES, round(box.height() / metrics.lineSpacing())))
        return lines * metrics.lineSpacing() + 2 * self.pad

    def layout(
        self, rows: Sequence[Sequence[str]], first_page_space: float, page_space: float
    ) -> TableLayout:
        heights = [self._row_height(r, self.metrics) for r in rows]
        ranges: list[tuple[int, int]] = []
        start, used, space = 0, self.header_h, first_page_space
        for i, h in enumerate(heights):
            if used + h > space and i > start:
                ranges.append((start, i))
                start, used, space = i, self.header_h, page_space
            used += h
        if rows or not ranges:
            ranges.append((start, len(rows)))
        return TableLayout(ranges, heights)

    def draw_rows(
        self, top: float, rows: Sequence[Sequence[str]], layout: TableLayout, page_index: int
    ) -> None:
        p = self.pages.painter
        start, end = layout.page_ranges[page_index]
        y = top
        self._draw_row(y, self.headers, self.header_h, header=True)
        y += self.header_h
        for i in range(start, end):
            h = layout.heights[i]
            if (i - start) % 2:
                p.fillRect(QRectF(MARGIN_X, y, CONTENT_W, h), QColor(242, 242, 242))
            self._draw_row(y, rows[i], h, header=False)
            y += h
        p.save()
        p.setPen(QPen(QColor(120, 120, 120), 2))
        p.drawLine(MARGIN_X, y, MARGIN_X + CONTENT_W, y)
        p.restore()

    def _draw_row(self, y: float, cells: Sequence[str], h: float, *, header: bool) -> None:
        p = self.pages.painter
        if header:
            p.fillRect(QRectF(MARGIN_X, y, CONTENT_W, h), QColor(220, 220, 220))
            p.setFont(self.bold)
        else:
            p.setFont(self.font)
        p.setPen(QColor(0, 0, 0))
        x = MARGIN_X
        align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        metrics = self.bold_metrics if header else self.metrics
        for text, width in zip(cells, self.widths):
            inner = QRectF(x + self.pad, y + self.pad, width - 2 * self.pad, h - 2 * self.pad)
            if text and metrics.horizontalAdvance(text) > inner.width() * MAX_CELL_LINES:
                # Only absurdly long text is cut, and the cut is visible; case numbers never get here.
                text = metrics.elidedText(
                    text, Qt.TextElideMode.ElideRight, inner.width() * MAX_CELL_LINES * 0.95
                )
            p.drawText(inner, align | wrap_flags(text, inner.width(), metrics), text)
            x += width


def write_table_pages(
    pages: PdfPages,
    table: TablePainter,
    rows: Sequence[Sequence[str]],
    layout: TableLayout,
    *,
    first_heading: Callable[[float], float],
    next_heading: Callable[[float], float],
    on_page: Callable[[int], None] | None = None,
) -> None:
    """Draw each page of a laid-out table; the heading callbacks draw above it and return its height."""
    for index in range(len(layout.page_ranges)):
        pages.start_page()
        top = float(MARGIN_TOP)
        top += (first_heading if index == 0 else next_heading)(top)
        table.draw_rows(top, rows, layout, index)
        if on_page:
            on_page(layout.page_ranges[index][1])


def draw_heading(
    pages: PdfPages, top: float, text: str, *, points: float = 11, bold: bool = True
) -> float:
    p = pages.painter
    f = font(SANS, points, bold=bold)
    p.setFont(f)
    p.setPen(QColor(0, 0, 0))
    metrics = QFontMetricsF(f, pages.writer)
    box = metrics.boundingRect(QRectF(0, 0, CONTENT_W, 1e6), int(Qt.TextFlag.TextWordWrap), text)
    p.drawText(
        QRectF(MARGIN_X, top, CONTENT_W, box.height()),
        int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
        text,
    )
    return box.height() + 0.08 * DPI
