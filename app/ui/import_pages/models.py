"""Table models for the import wizard: the raw preview with its header row marked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from app.core.dates import cell_text
from app.ingest.readers import Row, column_letter

_Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """The first rows of a sheet exactly as read, one table row per source row.

    The vertical header shows the row number a person sees in Excel (or the CSV line); the
    header row is bold, tinted and labelled "header" (never colour alone); rows above it are
    greyed and labelled "skipped" because the import ignores them.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._width = 0
        self.header_row: int | None = None

    def set_rows(self, rows: list[Row], header_row: int | None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._width = max((len(cells) for _, cells in rows), default=0)
        self.header_row = header_row
        self.endResetModel()

    def set_header_row(self, header_row: int) -> None:
        self.header_row = header_row
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self._width - 1)
            )
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self._rows) - 1)

    def row_number(self, index: int) -> int | None:
        return self._rows[index][0] if 0 <= index < len(self._rows) else None

    def index_of_row(self, row_number: int) -> int | None:
        for i, (number, _) in enumerate(self._rows):
            if number == row_number:
                return i
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self._width

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        number, cells = self._rows[index.row()]
        value = cells[index.column()] if index.column() < len(cells) else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(value) or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(value, dt.date | dt.datetime):
                return self.tr("A date cell: read as %s") % value.isoformat()
            if isinstance(value, int | float) and not isinstance(value, bool):
                return self.tr("A number cell")
            return None
        if self.header_row is None:
            return None
        if role == Qt.ItemDataRole.FontRole and number == self.header_row:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and number == self.header_row:
            return QBrush(_highlight())
        if role == Qt.ItemDataRole.ForegroundRole and number < self.header_row:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_letter(section)
        if not 0 <= section < len(self._rows):
            return None
        number = self._rows[section][0]
        if self.header_row is not None and number == self.header_row:
            return self.tr("%d ▶ header") % number
        if self.header_row is not None and number < self.header_row:
            return self.tr("%d (skipped)") % number
        return str(number)


def _highlight() -> QColor:
    """A light tint of the palette's highlight colour (legible in light and dark themes)."""
    palette = QApplication.palette()
    base = palette.color(QPalette.ColorRole.Base)
    mark = palette.color(QPalette.ColorRole.Highlight)
    return QColor(
        (base.red() * 3 + mark.red()) // 4,
        (base.green() * 3 + mark.green()) // 4,
        (base.blue() * 3 + mark.blue()) // 4,
    )
