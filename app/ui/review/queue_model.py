"""The review queue's table model: a fixed row count over an id array and a small page cache.

The model never queries the database. It holds the ordered case ids of the current sort and
filter (an ``array('q')``) and asks a *loader* for the rows of a page when the view first
paints it; until they arrive the cells say "…". Jumping to the end of a million rows costs
one page fetch, not a million (see issue 5's measurements against fetchMore/QSqlQueryModel).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.store.review import QueueRow

PAGE = 100
MAX_PAGES = 20  # about 2,000 rows in memory, whatever the queue's length
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

# (column key for sorting, header, default width in average characters). The columns a
# reviewer acts on come first, so at 1280×800 the queue shows who, which case, what is
# recommended, where the review stands and who did it without scrolling; the identifying
# details that only tell rows apart follow.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "Person", 18),
    ("case_number", "Case", 18),
    ("outcome", "Recommendation", 19),
    ("status", "Review status", 17),
    ("reviewer", "Reviewer", 10),
    ("date", "Date", 10),
    ("counts", "Counts", 6),
    ("court", "Court · county", 16),
    ("person_key", "Person key", 13),
)
COL_NAME, COL_CASE, COL_OUTCOME, COL_STATUS, COL_REVIEWER, COL_DATE, COL_COUNTS, COL_COURT, COL_KEY = range(len(COLUMNS))

# The loader gets the ids of one page and a callback to call (later, on the UI thread) with rows.
Loader = Callable[[list[int], Callable[[list[QueueRow]], None]], None]


class QueueModel(QAbstractTableModel):
    """One row per case; rows are fetched a page at a time through ``loader``."""

    sortRequested = Signal(str, bool)  # noqa: N815 - sort key, descending

    def __init__(self, loader: Loader, parent: Any = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._ids = array("q")
        self._pages: OrderedDict[int, list[QueueRow | None]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.sort_key = "case"
        self.descending = False

    # -- the id array ----------------------------------------------------------------------------

    def set_ids(self, ids: array) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._pending.clear()
        self._generation += 1
        self.endResetModel()

    def ids(self) -> array:
        return self._ids

    def case_id(self, row: int) -> int | None:
        return int(self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int:
        """The row of a case in the current order, or -1."""
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1

    def cached_row(self, row: int) -> QueueRow | None:
        page = self._pages.get(row // PAGE)
        return page[row % PAGE] if page is not None else None

    def reload_rows(self) -> None:
        """Drop the cache so visible rows are fetched again (after a decision)."""
        self._pages.clear()
        self._pending.clear()
        self._generation += 1
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    # -- paging ----------------------------------------------------------------------------------------

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        start = page * PAGE
        ids = [int(i) for i in self._ids[start : start + PAGE]]
        generation = self._generation
        self._loader(ids, lambda rows, p=page, g=generation, wanted=ids: self._page_loaded(p, g, wanted, rows))

    def _page_loaded(self, page: int, generation: int, ids: list[int], rows: list[QueueRow]) -> None:
        if generation != self._generation:
            return  # the ids changed meanwhile: this page belongs to an older view
        self._pending.discard(page)
        by_id = {r.case_id: r for r in rows}
        self._pages[page] = [by_id.get(i) for i in ids]
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE
        last = min(first + len(ids), len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- the Qt model API -----------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return self.tr(COLUMNS[section][1])
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row_number = index.row()
        if role == CASE_ID_ROLE:
            return int(self._ids[row_number])
        page_number = row_number // PAGE
        page = self._pages.get(page_number)
        if page is None:
            if role in (Qt.ItemDataRole.DisplayRole, ROW_ROLE):
                self._request(page_number)
            return "…" if role == Qt.ItemDataRole.DisplayRole else None
        self._pages.move_to_end(page_number)
        row = page[row_number % PAGE]
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The view elides long values in the middle; the tooltip always has the whole text.
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_COUNTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.tr(COLUMNS[column][1])}: {_display(row, column)}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in SQLite: ask the view to fetch a new id array."""
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_key = COLUMNS[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.sortRequested.emit(self.sort_key, self.descending)


def _tooltip(row: QueueRow, column: int) -> str | None:
    """The full text of a cell that can be cut (None for the short figure columns)."""
    if column == COL_COUNTS:
        return None
    if column == COL_NAME and row.person_key:
        return f"{row.person_name} ({row.person_key})"
    return _display(row, column) or None


def _display(row: QueueRow, column: int) -> str:
    if column == COL_NAME:
        return row.person_name
    if column == COL_KEY:
        return row.person_key or ""
    if column == COL_CASE:
        return row.case_number
    if column == COL_COURT:
        return row.place
    if column == COL_DATE:
        return row.case_date or ""
    if column == COL_COUNTS:
        return str(row.n_counts)
    if column == COL_OUTCOME:
        return row.summary
    if column == COL_STATUS:
        # Words and a symbol, never colour alone.
        mark = {"done": "✓ ", "flagged": "⚑ ", "partial": "◐ ", "skipped": "↷ ", "new": "○ "}.get(row.status, "")
        return mark + row.status_text
    if column == COL_REVIEWER:
        return row.reviewer or ""
    return ""
