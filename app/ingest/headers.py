"""Find the header row below any title rows, and turn its cells into clean, unique column names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from app.core.errors import ImportFailed
from app.ingest.findings import Finding, Severity
from app.ingest.readers import Cell, Row, column_letter

# Longest text that still reads as a column title rather than data.
MAX_HEADER_CHARS = 60
# How far down a sheet the header may sit (title rows, notes, a blank line...).
MAX_HEADER_SEARCH = 30

# Characters that are invisible in Excel but break matching: zero-width spaces and joiners,
# the word joiner, the BOM, soft hyphens, bidi marks.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"),
    None,
)
# Spaces that look like a space but are not one.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"), " ")
_WS = re.compile(r"\s+")
_NUMERIC = re.compile(r"^[\s$€£+-]*[\d.,/:\s-]+%?$")


def _is_texty(value: Cell) -> bool:
    """A short text that is not a number or date written as text."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return 0 < len(text) <= MAX_HEADER_CHARS and not _NUMERIC.match(text)


def _filled(cells: Sequence[Cell]) -> list[Cell]:
    return [c for c in cells if c is not None and not (isinstance(c, str) and not c.strip())]


def detect_header_row(preview_rows: Sequence[Row]) -> int:
    """The row number of the header: the first row, below any title rows, that is mostly short,
    distinct texts spanning most of the table's columns and is followed by rows that look like data.

    Takes the ``(row_number, cells)`` pairs of :meth:`Table.preview`. Falls back to the first row
    when nothing looks like a header. Raises :class:`ImportFailed` when there are no rows at all.
    """
    rows = [(n, cells) for n, cells in preview_rows if _filled(cells)]
    if not rows:
        raise ImportFailed("the sheet has no rows with data")
    width = max(len(_filled(cells)) for _, cells in rows)
    best: tuple[float, int] | None = None
    for index, (number, cells) in enumerate(rows[:MAX_HEADER_SEARCH]):
        score = _header_score(cells, width, [c for _, c in rows[index + 1 : index + 6]])
        if score >= 0.85:
            return number  # clearly a header: the first such row wins (titles sit above it)
        if score > 0 and (best is None or score > best[0]):
            best = (score, number)
    return best[1] if best is not None and best[0] >= 0.6 else rows[0][0]


def _header_score(cells: Sequence[Cell], width: int, following: list[list[Cell]]) -> float:
    filled = _filled(cells)
    if not filled or (width >= 2 and len(filled) < 2):
        return 0.0
    coverage = len(filled) / width
    texty = sum(1 for c in filled if _is_texty(c)) / len(filled)
    distinct = len({str(c).strip().casefold() for c in filled}) / len(filled)
    if texty < 0.7:
        return 0.0
    score = 0.45 * coverage + 0.35 * texty + 0.2 * distinct
    if following:
        # Data rows below a header are about as wide and are not themselves all column titles
        # repeated; a title row is followed by a much wider row.
        widths = [len(_filled(r)) for r in following]
        wide_enough = sum(1 for w in widths if w >= max(1, len(filled) // 2)) / len(widths)
        much_wider = any(w > len(filled) * 1.5 + 1 for w in widths)
        score *= 0.6 + 0.4 * wide_enough
        if much_wider:
            score *= 0.5
    return score


def header_text(value: Cell) -> str:
    """A header cell as text (numbers and dates as Excel shows them, roughly)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def clean_text(text: str) -> tuple[str, bool]:
    """Strip invisible characters and odd spaces, collapse whitespace; report whether any
    invisible character or non-breaking space was found."""
    normalized = unicodedata.normalize("NFC", text)
    visible = normalized.translate(_INVISIBLE).translate(_ODD_SPACES)
    changed = visible != normalized
    visible = "".join(ch if unicodedata.category(ch) != "Cc" else " " for ch in visible)
    return _WS.sub(" ", visible).strip(), changed


def clean_headers(
    cells: Sequence[Cell],
    findings: list[Finding] | None = None,
    *,
    file: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
) -> list[str]:
    """Column names from a header row: one per cell, never blank, never repeated.

    Blank headers become "Column C" (by column letter), a repeated header becomes "Name (2)",
    invisible characters and non-breaking spaces are stripped. Each change is appended to
    ``findings`` (when given), located at ``file``/``sheet``/``row`` and the column letter.
    """
    out: list[str] = []
    seen: dict[str, int] = {}

    def note(severity: Severity, code: str, message: str, col: int, value: str | None) -> None:
        if findings is not None:
            findings.append(
                Finding(
                    severity=severity,
                    code=code,
                    message=message,
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=column_letter(col),
                    value=value,
                )
            )

    taken = set()
    cleaned: list[str] = []
    for col, value in enumerate(cells):
        raw = header_text(value)
        text, invisible = clean_text(raw)
        if invisible and text:
            note(
                Severity.INFO,
                "header.invisible_chars",
                f"header {text!r} in column {column_letter(col)} contained invisible characters "
                "or non-breaking spaces; they were removed",
                col,
                raw,
            )
        cleaned.append(text)
        if text:
            taken.add(text.casefold())
    for col, text in enumerate(cleaned):
        letter = column_letter(col)
        if not text:
            text = f"Column {letter}"
            n = 2
            while text.casefold() in taken:
                text = f"Column {letter} ({n})"
                n += 1
            taken.add(text.casefold())
            note(
                Severity.INFO,
                "header.blank",
                f"column {letter} has no header; it is called {text!r}",
                col,
                None,
            )
        key = text.casefold()
        if key in seen:
            n = seen[key] + 1
            candidate = f"{text} ({n})"
            while candidate.casefold() in taken:
                n += 1
                candidate = f"{text} ({n})"
            seen[key] = n
            taken.add(candidate.casefold())
            note(
                Severity.WARNING,
                "header.duplicate",
                f"header {text!r} appears more than once; column {letter} is called {candidate!r}",
                col,
                text,
            )
            text = candidate
        else:
            seen[key] = 1
        out.append(text)
    return out


def header_cells(preview_rows: Sequence[Row], header_row: int) -> list[Cell] | None:
    """The header row's cells, as wide as the widest row of the preview (None if no such row).

    A column with data but no header at the end of the header row (``Case No,…,Disp Date,``
    over rows with a seventh value) gets a blank header cell, so :func:`clean_headers` names it
    "Column G" with a ``header.blank`` finding, as it does a blank header in the middle,
    instead of the column being left out of the headers, the mapping and the exports. The
    width is the one the import wizard shows: every row of the preview, as the header
    detection sees them. Wider rows further down are reported by the row normalizer.
    """
    cells = next((list(c) for number, c in preview_rows if number == header_row), None)
    if cells is None:
        return None
    width = max((len(c) for _, c in preview_rows), default=0)
    cells.extend([None] * (width - len(cells)))
    return cells


def data_rows_after(preview_rows: Sequence[Row], header_row: int) -> int:
    """How many non-empty rows of the preview lie below the header row (0 means headers only)."""
    return sum(1 for n, cells in preview_rows if n > header_row and _filled(cells))
