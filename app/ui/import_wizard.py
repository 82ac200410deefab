"""The import wizard: file and sheet, header row, mapping, validation, then the import itself.

Each page reads and writes one shared :class:`WizardState`; the plain-Python work lives in
:mod:`app.ui.import_pages.backend` and the slow steps (validation, the import) run on a
worker thread through :class:`~app.ui.import_pages.worker.BackgroundTask`, whose connection
to the workspace is its own. The import is one transaction: Cancel rolls it back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import APP_NAME
from app.core.dates import cell_text
from app.core.errors import ClearSlateError
from app.ingest.findings import Finding, Severity, title
from app.ingest.mapping import FIELDS, FIELDS_BY_NAME, Mapping, Profile
from app.ingest.readers import SheetInfo
from app.ui.dialogs import count_text
from app.ui.import_pages import backend
from app.ui.import_pages.models import PreviewModel
from app.ui.import_pages.worker import BackgroundTask
from app.ui.matches_dialog import MatchesPanel
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

MAX_FINDINGS_PER_GROUP = 500  # the tree lists this many per kind; the exported workbook has all
DONT_IMPORT = "\x00dont"  # combo data for "don't import" (never a real header)
TEMPLATE = "\x00template"  # combo data for a profile's template (several columns combined)
PAGE_FILE, PAGE_MAPPING, PAGE_VALIDATE, PAGE_IMPORT = range(4)


@dataclass
class WizardState:
    """What the pages decide, in plain values."""

    inspection: backend.Inspection | None = None
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    mapping: Mapping = field(default_factory=Mapping)
    profile: Profile | None = None  # the profile the mapping started from (its layout applies)
    edited: bool = False  # the mapping was changed by hand after it was guessed or loaded
    skip_mapping: bool = False  # a saved profile fits the headers exactly
    mapping_key: tuple[Any, ...] | None = None  # (file, sheet, header row) the mapping is for
    validation: backend.Validation | None = None
    skip_invalid: bool = False
    report: Any = None

    def source_key(self) -> tuple[Any, ...] | None:
        if self.inspection is None:
            return None
        return (str(self.inspection.path), self.inspection.sheet, self.header_row)


@contextmanager
def _busy() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def _error_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("color: #a40000")
    label.hide()
    return label


def _compact(view: QAbstractItemView, extra: int = 6) -> None:
    """Rows one line of text high (the default leaves a lot of air in item views)."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + extra)  # type: ignore[attr-defined]


def _fit_popup(combo: QComboBox) -> None:
    """Let the drop-down list be as wide as its longest entry (the box itself may be narrower),
    and put the whole current choice in the tooltip, in case the box cuts it."""
    metrics = combo.fontMetrics()
    widest = max(
        (metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0
    )
    view = combo.view()
    # Room for the item's margins and a vertical scroll bar beside the text.
    view.setMinimumWidth(
        widest + 4 * metrics.averageCharWidth() + view.verticalScrollBar().sizeHint().width()
    )
    combo.setToolTip(combo.currentText())


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


# -- 1. file, sheet, header row -----------------------------------------------------------------


class FilePage(QWizardPage):
    """Pick the file and the sheet, look at the raw rows and confirm the header row."""

    loaded = Signal(bool)  # a file (or sheet) was read, or could not be

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setObjectName("importFilePage")
        self.setTitle(self.tr("File and sheet"))
        self.setSubTitle(
            self.tr(
                "Choose the spreadsheet and the sheet to import, then check which row holds the "
                "column headers. Nothing is changed until the last step."
            )
        )
        self._loading = False  # True while widgets are filled in code (their signals ignored)
        self.reading = False  # True while a file is read on the worker thread
        self._generation = 0  # only the newest read may fill the page
        self._task: BackgroundTask | None = None
        # A workbook whose only data is on hidden sheets: its path, encoding and sheets, listed
        # for the person to choose one (nothing was read until they do).
        self._offer: tuple[Path, str | None, list[SheetInfo]] | None = None

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.path_edit.setAccessibleName(self.tr("Spreadsheet file"))
        self.path_edit.setPlaceholderText(self.tr("A .xlsx, .xls, .xlsb, .ods or .csv file"))
        self.path_edit.returnPressed.connect(lambda: self.load(Path(self.path_edit.text())))
        self.browse = QPushButton(self.tr("Bro&wse…"))
        self.browse.setObjectName("importBrowse")
        self.browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)

        self.sheets = QTableWidget(0, 2)
        self.sheets.setObjectName("importSheets")
        self.sheets.setAccessibleName(self.tr("Sheets in the workbook"))
        self.sheets.setHorizontalHeaderLabels([self.tr("Sheet"), self.tr("State")])
        self.sheets.verticalHeader().hide()
        self.sheets.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sheets.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sheets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sheets.setTabKeyNavigation(False)  # Tab moves on to the header row; arrows pick
        self.sheets.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        _compact(self.sheets)
        self.sheets.setMaximumHeight(self.sheets.verticalHeader().defaultSectionSize() * 5 + 4)
        self.sheets.itemSelectionChanged.connect(self._sheet_chosen)

        self.header_spin = QSpinBox()
        self.header_spin.setObjectName("importHeaderRow")
        self.header_spin.setAccessibleName(self.tr("Header row number"))
        self.header_spin.setRange(1, 1)
        self.header_spin.valueChanged.connect(self._header_changed)
        self.use_selected = QPushButton(self.tr("Use the &selected row as header"))
        self.use_selected.setObjectName("importUseSelectedRow")
        self.use_selected.clicked.connect(self._use_selected_row)
        self.header_note = QLabel("")
        self.header_note.setObjectName("importHeaderNote")
        # Nothing to choose from until a sheet is read (and again while one is read).
        self.header_spin.setEnabled(False)
        self.use_selected.setEnabled(False)
        header_row = QHBoxLayout()
        header_row.addWidget(self.header_spin)
        header_row.addWidget(self.use_selected)
        header_row.addWidget(self.header_note, 1)

        self.model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        self.preview.setAccessibleName(self.tr("First rows of the sheet, as read"))
        self.preview.setModel(self.model)
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.preview.setWordWrap(False)
        self.preview.setTabKeyNavigation(False)
        self.preview.horizontalHeader().setDefaultSectionSize(120)
        _compact(self.preview)
        self.preview.doubleClicked.connect(lambda _index: self._use_selected_row())

        self.reading_bar = QProgressBar()
        self.reading_bar.setObjectName("importReading")
        self.reading_bar.setAccessibleName(self.tr("Reading the file"))
        self.reading_bar.setRange(0, 0)
        self.reading_bar.hide()
        self.notes = QLabel("")
        self.notes.setObjectName("importFileNotes")
        self.notes.setWordWrap(True)
        self.error = _error_label("importFileError")
        # Not an error: what to check (a hidden sheet chosen, or one to choose).
        self.warning = QLabel("")
        self.warning.setObjectName("importSheetWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5300")
        self.warning.hide()

        form = QFormLayout()
        path_label = QLabel(self.tr("&File:"))
        path_label.setBuddy(self.path_edit)
        form.addRow(path_label, file_row)
        sheet_label = QLabel(self.tr("S&heet:"))
        sheet_label.setBuddy(self.sheets)
        form.addRow(sheet_label, self.sheets)
        header_label = QLabel(self.tr("Header &row:"))
        header_label.setBuddy(self.header_spin)
        form.addRow(header_label, header_row)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.warning)
        layout.addWidget(self.reading_bar)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.notes)

    def tab_chain(self) -> list[QWidget]:
        return [
            self.path_edit,
            self.browse,
            self.sheets,
            self.header_spin,
            self.use_selected,
            self.preview,
        ]

    # -- loading -------------------------------------------------------------------------

    def choose_file(self) -> None:
        start = self.path_edit.text() or str(self.wiz.start_dir)
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import spreadsheet"),
            start,
            self.tr(
                "Spreadsheets (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv *.tsv *.txt);;All files (*)"
            ),
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path, *, sheet: str | None = None, encoding: str | None = None) -> None:
        """Read ``path`` (``sheet`` of it) into the preview on a worker thread.

        A large workbook takes seconds to open, so the window stays responsive; ``loaded(ok)``
        follows. When the file cannot be read the page says why, naming the file.
        """
        self._generation += 1
        generation = self._generation
        state = self.wiz.state
        state.inspection = None
        state.validation = None
        self.path_edit.setText(str(path))
        _show(self.error, "")
        _show(self.warning, "")
        if self._offer is not None and self._offer[0] != path:
            self._offer = None
        self.reading = True
        self.reading_bar.show()
        self.notes.setText(self.tr("Reading %s…") % path.name)
        for widget in (self.sheets, self.preview, self.header_spin, self.use_selected):
            widget.setEnabled(False)
        self.completeChanged.emit()
        task = BackgroundTask(
            self.wiz.runner,
            lambda _ws, _progress: backend.inspect_source(path, sheet=sheet, encoding=encoding),
            kind="read",
            parent=self,
        )
        task.succeeded.connect(lambda result, g=generation: self._inspected(g, result))
        task.failed.connect(
            lambda message, g=generation, t=task: self._not_read(
                g, path, sheet, encoding, message, t.error
            )
        )
        task.cancelled.connect(
            lambda message, g=generation: self._not_read(g, path, sheet, encoding, message, None)
        )
        self._task = task
        task.start()

    def _end_reading(self) -> None:
        self.reading = False
        self.reading_bar.hide()
        self.preview.setEnabled(True)

    def _inspected(self, generation: int, inspection: backend.Inspection) -> None:
        if generation != self._generation:
            return  # the user chose another file or sheet meanwhile
        self._end_reading()
        state = self.wiz.state
        state.inspection = inspection
        state.validation = None
        self._offer = None
        self._show_sheets(inspection.sheets, inspection.sheet or "")
        self._show_preview(inspection)
        self.header_spin.setEnabled(True)
        self.use_selected.setEnabled(True)
        self._warn_if_hidden(inspection)
        self.completeChanged.emit()
        self.loaded.emit(True)

    def _not_read(
        self,
        generation: int,
        path: Path,
        sheet: str | None,
        encoding: str | None,
        message: str,
        error: ClearSlateError | None,
    ) -> None:
        if generation != self._generation:
            return
        self._end_reading()
        offered = backend.offers_encoding(error)
        if encoding is None and offered and self.wiz.confirm_cp1252(path):
            self.load(path, sheet=sheet, encoding=offered)
            return
        choices = backend.hidden_sheet_choice(error)
        if choices:
            self._offer_sheets(path, encoding, choices)
            self.loaded.emit(False)
            return
        if error is not None:
            message = backend.window_message(error, reading=True)
        if not message.startswith(path.name):
            message = f"{path.name}: {message}"
        self._failed(message)
        if self._offer is not None and self._offer[0] == path:
            # A sheet chosen from the hidden ones could not be read: the others stay listed.
            self._show_sheets(self._offer[2], sheet)
        self.loaded.emit(False)

    def _failed(self, message: str) -> None:
        state = self.wiz.state
        state.inspection = None
        state.validation = None
        _show(self.error, message)
        _show(self.warning, "")
        self.model.set_rows([], None)
        self.sheets.setRowCount(0)
        self.notes.setText("")
        self.header_note.setText("")  # no row was found: nothing was read
        self.completeChanged.emit()

    def _offer_sheets(self, path: Path, encoding: str | None, sheets: list[SheetInfo]) -> None:
        """No visible sheet has data: list every sheet with its state and let the person
        choose the one to read (RELIABILITY.md: hidden sheets are listed, the user chooses)."""
        self._failed("")
        self._offer = (path, encoding, sheets)
        self._show_sheets(sheets, None)
        self.sheets.setEnabled(True)
        self.sheets.setFocus()  # the next thing to do: arrows move through the sheets
        _show(
            self.warning,
            self.tr(
                "No visible sheet in %s has any data. The workbook also has hidden sheets (hidden "
                "in Excel, so people do not usually see them). Choose a sheet in the list above "
                "to look at its rows."
            )
            % path.name,
        )

    def _warn_if_hidden(self, inspection: backend.Inspection) -> None:
        state = next((i.state for i in inspection.sheets if i.name == inspection.sheet), None)
        if state is None or state == "visible":
            _show(self.warning, "")
            return
        _show(
            self.warning,
            self.tr(
                "The sheet “%s” is hidden in Excel. Make sure it holds the data you mean to "
                "import: a hidden sheet is often an old copy, a list of codes or working notes."
            )
            % inspection.sheet,
        )

    def _show_sheets(self, sheets: list[SheetInfo], current: str | None) -> None:
        """List ``sheets`` with their states, ``current`` (a sheet name, or None) selected."""
        self._loading = True
        try:
            self.sheets.clearSelection()
            self.sheets.setRowCount(len(sheets))
            labels = {
                "visible": self.tr("visible"),
                "hidden": self.tr("hidden"),
                "very hidden": self.tr("very hidden"),
            }
            for row, info in enumerate(sheets):
                name = info.name or self.tr("(the whole file)")
                item = QTableWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, info.name)
                self.sheets.setItem(row, 0, item)
                self.sheets.setItem(row, 1, QTableWidgetItem(labels.get(info.state, info.state)))
                if current is not None and info.name == current:
                    self.sheets.selectRow(row)
            self.sheets.setEnabled(len(sheets) > 1)
        finally:
            self._loading = False

    def _show_preview(self, inspection: backend.Inspection) -> None:
        state = self.wiz.state
        state.header_row = inspection.detected_header_row
        self.model.set_rows(inspection.preview, state.header_row)
        self.preview.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            if self.preview.columnWidth(column) > 240:
                self.preview.setColumnWidth(column, 240)
        numbers = inspection.row_numbers()
        self._loading = True
        try:
            self.header_spin.setRange(min(numbers), max(numbers))
            self.header_spin.setValue(state.header_row)
        finally:
            self._loading = False
        self._update_header_note()
        # A hidden sheet chosen is said by the warning above in the window's own words.
        notes = [
            f.message
            for f in inspection.findings
            if f.severity is not Severity.ERROR and f.code != "file.hidden_sheet_chosen"
        ]
        if inspection.encoding and inspection.encoding.lower() not in ("utf-8", "utf-8-sig"):
            notes.insert(0, self.tr("Text read as %s.") % inspection.encoding)
        if len(inspection.preview) >= backend.PREVIEW_ROWS:
            notes.insert(0, self.tr("Showing the first %d rows.") % backend.PREVIEW_ROWS)
        self.notes.setText("\n".join(f"• {n}" for n in notes))

    def _update_header_note(self) -> None:
        state = self.wiz.state
        inspection = state.inspection
        if inspection is None or state.header_row is None:
            self.header_note.setText("")
            return
        if state.header_row == inspection.detected_header_row:
            self.header_note.setText(self.tr("(found automatically)"))
        else:
            self.header_note.setText(
                self.tr("(changed; ClearSlate found row %d)") % inspection.detected_header_row
            )
        index = self.model.index_of_row(state.header_row)
        if index is not None:
            self.preview.scrollTo(self.model.index(index, 0))

    # -- user changes -----------------------------------------------------------------------

    def _sheet_chosen(self) -> None:
        if self._loading:
            return
        inspection = self.wiz.state.inspection
        rows = self.sheets.selectionModel().selectedRows()
        if (inspection is None and self._offer is None) or not rows:
            return
        name = self.sheets.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        if name and (inspection is None or name != inspection.sheet):
            self.select_sheet(name)

    def select_sheet(self, name: str) -> None:
        inspection = self.wiz.state.inspection
        if inspection is not None:
            self.load(inspection.path, sheet=name, encoding=inspection.encoding)
        elif self._offer is not None:
            path, encoding, _sheets = self._offer
            self.load(path, sheet=name, encoding=encoding)

    def set_header_row(self, row_number: int) -> None:
        """Make ``row_number`` (as numbered in the sheet) the header row."""
        inspection = self.wiz.state.inspection
        if inspection is None or inspection.row_cells(row_number) is None:
            return
        self.wiz.state.header_row = row_number
        self.wiz.state.validation = None
        self.model.set_header_row(row_number)
        if self.header_spin.value() != row_number:
            self._loading = True
            try:
                self.header_spin.setValue(row_number)
            finally:
                self._loading = False
        self._update_header_note()
        self.completeChanged.emit()

    def _header_changed(self, value: int) -> None:
        if self._loading:
            return
        inspection = self.wiz.state.inspection
        if inspection is None:
            return
        # The spin box steps over row numbers that are blank in the sheet.
        numbers = inspection.row_numbers()
        if value not in numbers:
            current = self.wiz.state.header_row or numbers[0]
            later = [n for n in numbers if n > current]
            earlier = [n for n in numbers if n < current]
            value = later[0] if value > current and later else earlier[-1] if earlier else current
        self.set_header_row(value)

    def _use_selected_row(self) -> None:
        rows = self.preview.selectionModel().selectedRows()
        if rows:
            number = self.model.row_number(rows[0].row())
            if number is not None:
                self.set_header_row(number)

    # -- wizard --------------------------------------------------------------------------

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        state = self.wiz.state
        return not self.reading and state.inspection is not None and state.header_row is not None

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        state = self.wiz.state
        if state.inspection is None or state.header_row is None:
            return False
        cells = state.inspection.row_cells(state.header_row) or []
        if sum(1 for c in cells if cell_text(c)) < 2:
            _show(
                self.error,
                self.tr("Row %d has fewer than two headers; choose the row with the column names.")
                % state.header_row,
            )
            return False
        self.wiz.prepare_mapping()
        return True

    def nextId(self) -> int:  # noqa: N802 - Qt API
        if self.wiz.state.skip_mapping and not self.wiz.force_mapping:
            return PAGE_VALIDATE
        return PAGE_MAPPING


# -- 2. mapping -------------------------------------------------------------------------------------


class MappingPage(QWizardPage):
    """Map each target field to a column, with sample values (dates shown as read)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setObjectName("importMappingPage")
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(
            self.tr(
                "Choose the column that feeds each field, or “don’t import”. Columns no field "
                "uses are still kept with the original row."
            )
        )
        self._filling = False

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("importProfile")
        self.profile_combo.setAccessibleName(self.tr("Mapping profile"))
        self.profile_combo.activated.connect(self._profile_chosen)
        # A long profile title must not push the buttons off a small screen: the box keeps a
        # sensible width, its list opens as wide as the longest title (see _fit_popup).
        self.profile_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile_combo.setMinimumContentsLength(30)
        self.profile_combo.currentIndexChanged.connect(
            lambda _i: self.profile_combo.setToolTip(self.profile_combo.currentText())
        )
        self.save_button = QPushButton(self.tr("Sa&ve as profile…"))
        self.save_button.setObjectName("importSaveProfile")
        self.save_button.clicked.connect(self.save_profile)
        self.reset_button = QPushButton(self.tr("&Clear all"))
        self.reset_button.setObjectName("importResetMapping")
        self.reset_button.setToolTip(self.tr("Clear every guess: all fields “don’t import”"))
        self.reset_button.clicked.connect(self.reset)
        self.guess_button = QPushButton(self.tr("&Guess from headers"))
        self.guess_button.setObjectName("importGuessMapping")
        self.guess_button.clicked.connect(self.guess_again)
        top = QHBoxLayout()
        profile_label = QLabel(self.tr("&Profile:"))
        profile_label.setBuddy(self.profile_combo)
        top.addWidget(profile_label)
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.guess_button)
        top.addWidget(self.reset_button)

        self.table = QTableWidget(len(FIELDS), 3)
        self.table.setObjectName("importMappingTable")
        self.table.setAccessibleName(self.tr("Field mapping"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Column in the file"), self.tr("Sample values (as read)")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # Tab goes from drop-down to drop-down (see tab_chain), not from cell to cell.
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 220)
        _compact(self.table, extra=8)
        self.combos: dict[str, QComboBox] = {}
        for row, target in enumerate(FIELDS):
            # The same words the status line uses when it asks for a field.
            self.table.setItem(row, 0, QTableWidgetItem(backend.field_label(target.name)))
            combo = QComboBox()
            combo.setObjectName(f"map_{target.name}")
            combo.setAccessibleName(self.tr("Column for %s") % self.tr(target.label))
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(lambda _i, name=target.name: self._changed(name))
            combo.currentIndexChanged.connect(
                lambda _i, combo=combo: combo.setToolTip(combo.currentText())
            )
            self.table.setCellWidget(row, 1, combo)
            self.table.setItem(row, 2, QTableWidgetItem(""))
            self.combos[target.name] = combo

        self._combo_rows: dict[QWidget, int] = {c: r for r, c in enumerate(self.combos.values())}
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

        self.status = QLabel("")
        self.status.setObjectName("importMappingStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def tab_chain(self) -> list[QWidget]:
        # Left to right along the top row ("Clear all" was made before "Guess"), then each
        # field's drop-down in turn.
        top = [self.profile_combo, self.save_button, self.guess_button, self.reset_button]
        return [*top, self.table, *self.combos.values()]

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """A drop-down reached with Tab is scrolled into view (cell widgets are not by Qt)."""
        row = self._combo_rows.get(new) if new is not None else None
        if row is not None:
            self.table.scrollTo(self.table.model().index(row, 1))

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.wiz.force_mapping = False
        self._fill_profiles()
        self._fill_combos()
        self.show_mapping()

    # -- filling -----------------------------------------------------------------------------

    def _fill_profiles(self) -> None:
        state = self.wiz.state
        self._filling = True
        try:
            self.profile_combo.clear()
            self.profile_combo.addItem(self.tr("Guessed from the headers"), None)
            for profile in self.wiz.profiles:
                origin = self.tr("saved") if profile.origin == "workspace" else self.tr("shipped")
                fits = profile.matches(state.headers)
                label = f"{profile.title} ({origin}{', ' + self.tr('fits') if fits else ''})"
                self.profile_combo.addItem(label, profile.name)
            self._select_profile_item()
        finally:
            self._filling = False
        _fit_popup(self.profile_combo)

    def _select_profile_item(self) -> None:
        profile = self.wiz.state.profile
        index = self.profile_combo.findData(profile.name) if profile else 0
        self.profile_combo.setCurrentIndex(max(index, 0))

    def _fill_combos(self) -> None:
        headers = self.wiz.state.headers
        self._filling = True
        try:
            for combo in self.combos.values():
                combo.clear()
                combo.addItem(self.tr("— don’t import —"), DONT_IMPORT)
                for header in headers:
                    combo.addItem(header, header)
        finally:
            self._filling = False

    def _fit_column(self) -> None:
        """The column of drop-downs as wide as the longest header (within reason: a long one is
        cut in the box, whole in its list and tooltip), so the choices read without opening."""
        combos = list(self.combos.values())
        for combo in combos:
            _fit_popup(combo)
        metrics = self.table.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(c.itemText(i)) for c in combos for i in range(c.count())),
            default=0,
        )
        chrome = combos[0].sizeHint().width() - metrics.horizontalAdvance(
            "x" * combos[0].minimumContentsLength()
        )
        width = max(widest + chrome, metrics.horizontalAdvance(self.tr("Column in the file")) + 24)
        # At least the old fixed width; at most ~36 characters, so the samples keep their room.
        self.table.setColumnWidth(1, max(220, min(width, 36 * metrics.averageCharWidth() + chrome)))

    def show_mapping(self) -> None:
        """Set every drop-down and sample from the state's mapping."""
        state = self.wiz.state
        mapping = state.mapping
        self._filling = True
        try:
            for name, combo in self.combos.items():
                template_index = combo.findData(TEMPLATE)
                if template_index >= 0:
                    combo.removeItem(template_index)
                if name in mapping.templates:
                    template = mapping.templates[name]
                    combo.addItem(self._combined(template), TEMPLATE)
                    combo.setItemData(
                        combo.count() - 1,
                        self.tr("The profile builds this field from: %s") % template,
                        Qt.ItemDataRole.ToolTipRole,
                    )
                    combo.setCurrentIndex(combo.count() - 1)
                    _fit_popup(combo)
                    continue
                header = mapping.columns.get(name)
                index = combo.findData(header) if header is not None else 0
                if index < 0:
                    index = _find_header_index(combo, header)
                combo.setCurrentIndex(max(index, 0))
        finally:
            self._filling = False
        self._fit_column()  # after a profile's combined fields were added
        for name in self.combos:
            self._show_samples(name)
        self._update_status()

    def _combined(self, template: str) -> str:
        """A profile's template in words: "combined: SUBJECT_ID + CYC_DATE"."""
        return self.tr("combined: %s") % " + ".join(backend.template_headers(template))

    def _show_samples(self, name: str) -> None:
        state = self.wiz.state
        inspection = state.inspection
        row = [f.name for f in FIELDS].index(name)
        item = self.table.item(row, 2)
        if inspection is None or state.header_row is None:
            item.setText("")
            return
        mapping = state.mapping
        header = mapping.columns.get(name)
        if header is None and name in mapping.templates:
            template = mapping.templates[name]
            built = backend.template_samples(inspection, state.header_row, state.headers, template)
            text = " · ".join(built) or self.tr("(empty in the first rows)")
            item.setText(text)
            item.setToolTip(self.tr("%s, built as: %s") % (text, template))
            return
        if header is None:
            item.setText("")
            item.setToolTip("")
            return
        samples = backend.column_samples(inspection, state.header_row, state.headers)
        values = samples.get(header) or samples.get(_match_header(state.headers, header) or "", [])
        text = " · ".join(backend.describe_value(name, v, inspection.epoch) for v in values)
        item.setText(text or self.tr("(empty in the first rows)"))
        item.setToolTip(text)

    # -- user changes -------------------------------------------------------------------------

    def _changed(self, name: str) -> None:
        if self._filling:
            return
        state = self.wiz.state
        data = self.combos[name].currentData()
        if data == TEMPLATE:
            return
        mapping = _copy_mapping(state.mapping)
        mapping.templates.pop(name, None)
        mapping.fallbacks.pop(name, None)
        if data == DONT_IMPORT or data is None:
            mapping.columns.pop(name, None)
        else:
            # One column feeds one field: taking it here releases it elsewhere.
            for other, used in list(mapping.columns.items()):
                if used == data and other != name:
                    del mapping.columns[other]
            mapping.columns[name] = data
        self.set_mapping(mapping, profile=state.profile, edited=True)

    def set_field(self, name: str, header: str | None) -> None:
        """Point ``name`` at ``header`` (None: don't import), as if chosen in its drop-down."""
        combo = self.combos[name]
        index = combo.findData(header if header is not None else DONT_IMPORT)
        if index < 0:
            raise ValueError(f"no column {header!r}")
        combo.setCurrentIndex(index)

    def set_mapping(
        self, mapping: Mapping, *, profile: Profile | None, edited: bool = False
    ) -> None:
        state = self.wiz.state
        state.mapping = mapping
        state.profile = profile
        state.edited = edited
        state.validation = None
        self._filling = True
        try:
            self._select_profile_item()
        finally:
            self._filling = False
        self.show_mapping()
        self.completeChanged.emit()

    def reset(self) -> None:
        """Clear every guess: all fields “don't import”."""
        self.set_mapping(Mapping(), profile=None)

    def guess_again(self) -> None:
        self.set_mapping(backend.guess(self.wiz.state.headers), profile=None)

    def _profile_chosen(self, index: int) -> None:
        if self._filling:
            return
        name = self.profile_combo.itemData(index)
        if name is None:
            self.guess_again()
            return
        profile = next((p for p in self.wiz.profiles if p.name == name), None)
        if profile is not None:
            mapping = backend.present_only(profile.mapping, self.wiz.state.headers)
            self.set_mapping(mapping, profile=profile)

    def choose_profile(self, name: str) -> None:
        index = self.profile_combo.findData(name)
        if index < 0:
            raise ValueError(f"no profile {name!r}")
        self.profile_combo.setCurrentIndex(index)
        self._profile_chosen(index)

    def save_profile(self, name: str | None = None) -> bool:
        """Save the current mapping under a name (asked for when not given)."""
        if not isinstance(name, str) or not name:
            name, ok = QInputDialog.getText(
                self, self.tr("Save mapping profile"), self.tr("Name for this mapping:")
            )
            if not ok or not name.strip():
                return False
        state = self.wiz.state
        try:
            profile = self.wiz.save_profile(name.strip())
        except ClearSlateError as exc:
            _show_status(self.status, backend.window_message(exc), error=True)
            return False
        self.wiz.reload_profiles()
        state.profile = profile
        state.edited = False
        self._fill_profiles()
        _show_status(
            self.status, self.tr("Saved the mapping as “%s”.") % profile.title, error=False
        )
        return True

    # -- wizard ---------------------------------------------------------------------------

    def problem(self) -> str | None:
        state = self.wiz.state
        if state.inspection is None:
            return self.tr("Choose a file first.")
        return backend.mapping_problem(state.mapping, state.headers)

    def _update_status(self) -> None:
        problem = self.problem()
        if problem:
            _show_status(self.status, problem, error=True)
        else:
            state = self.wiz.state
            used = len(state.mapping.mapped_fields())
            text = count_text(
                used,
                "%n field mapped; the required ones (*: a case number, and a person key or a "
                "name) are there.",
                "%n fields mapped; the required ones (*: a case number, and a person key or a "
                "name) are there.",
                "ImportWizard",
            )
            if state.profile is not None:
                origin = self.tr("changed by hand from") if state.edited else self.tr("from")
                text += " " + self.tr("Mapping %s the profile “%s”.") % (
                    origin,
                    state.profile.title,
                )
            advice = backend.mapping_advice(
                state.mapping, state.headers, profile=state.profile, profiles=self.wiz.profiles
            )
            _show_status(self.status, text, error=False)
            if advice:
                # Importable, but maybe read wrongly: said in full, in the warning colour.
                self.status.setText(self.status.text() + "".join("\n⚠ " + line for line in advice))
                self.status.setStyleSheet("color: #8a5300")

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.problem() is None


def _show_status(label: QLabel, text: str, *, error: bool) -> None:
    label.setText(("⚠ " if error else "✓ ") + text)
    label.setStyleSheet("color: #a40000" if error else "")


def _copy_mapping(mapping: Mapping) -> Mapping:
    return Mapping(
        dict(mapping.columns), dict(mapping.templates), dict(mapping.fallbacks), mapping.profile
    )


def _match_header(headers: list[str], wanted: str) -> str | None:
    from app.ingest.mapping import norm_header

    key = norm_header(wanted)
    return next((h for h in headers if norm_header(h) == key), None)


def _find_header_index(combo: QComboBox, header: str | None) -> int:
    """A profile may spell a header differently (case, spaces): find it the way import does."""
    if header is None:
        return 0
    from app.ingest.mapping import norm_header

    key = norm_header(header)
    for i in range(combo.count()):
        data = combo.itemData(i)
        if isinstance(data, str) and not data.startswith("\x00") and norm_header(data) == key:
            return i
    return 0


# -- 3. validation --------------------------------------------------------------------------------


class ValidatePage(QWizardPage):
    """Check every row before anything is written; findings grouped, click one to see its row."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setObjectName("importValidatePage")
        self.setTitle(self.tr("Check the rows"))
        self.setSubTitle(
            self.tr(
                "Every row is checked before anything is imported. Click a finding to see its row; "
                "export the findings to fix the source."
            )
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Import"))
        self.task: BackgroundTask | None = None

        self.summary = QLabel("")
        self.summary.setObjectName("importValidationSummary")
        self.summary.setWordWrap(True)
        self.mapping_note = QLabel("")
        self.mapping_note.setObjectName("importMappingNote")
        self.mapping_note.setWordWrap(True)
        self.edit_mapping = QPushButton(self.tr("Edit the &mapping…"))
        self.edit_mapping.setObjectName("importEditMapping")
        self.edit_mapping.clicked.connect(self.wiz.edit_mapping)
        note_row = QHBoxLayout()
        note_row.addWidget(self.mapping_note, 1)
        note_row.addWidget(self.edit_mapping)
        self.progress = QProgressBar()
        self.progress.setObjectName("importValidationProgress")
        self.progress.setAccessibleName(self.tr("Checking rows"))
        self.progress.hide()
        self.error = _error_label("importValidationError")

        self.tree = QTreeWidget()
        self.tree.setObjectName("importFindings")
        self.tree.setAccessibleName(self.tr("Findings, grouped by kind"))
        self.tree.setHeaderLabels(
            [self.tr("Finding"), self.tr("Row"), self.tr("Column"), self.tr("Value")]
        )
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The message takes the room left; row, column and value are sized to what they hold
        # once the tree is filled (see _fit_columns), so they are never cut or pushed out.
        tree_header = self.tree.header()
        tree_header.setStretchLastSection(False)
        tree_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            tree_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.tree.currentItemChanged.connect(self._finding_chosen)

        # The chosen finding, whole: a long message is cut in the tree (with a tooltip).
        self.detail = QLabel("")
        self.detail.setObjectName("importFindingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName(self.tr("The chosen finding"))
        self.detail.hide()

        self.row_title = QLabel(self.tr("Click a finding to see its row."))
        self.row_title.setObjectName("importRowTitle")
        self.row_view = QTableWidget(0, 4)
        self.row_view.setObjectName("importRowView")
        self.row_view.setAccessibleName(self.tr("The row of the chosen finding"))
        self.row_view.setHorizontalHeaderLabels(
            [self.tr("Column"), self.tr("Value in the file"), self.tr("Field"), self.tr("Read as")]
        )
        self.row_view.verticalHeader().hide()
        _compact(self.row_view)
        self.row_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.row_view.setTabKeyNavigation(False)
        self.row_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        row_box = QWidget()
        row_layout = QVBoxLayout(row_box)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.detail)
        row_layout.addWidget(self.row_title)
        row_layout.addWidget(self.row_view)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(row_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.export_button = QPushButton(self.tr("E&xport findings…"))
        self.export_button.setObjectName("importExportFindings")
        self.export_button.clicked.connect(self.export)
        self.skip_box = QCheckBox(
            self.tr("Import the valid rows and record the others as &skipped")
        )
        self.skip_box.setObjectName("importSkipInvalid")
        self.skip_box.toggled.connect(self._skip_toggled)
        bottom = QHBoxLayout()
        bottom.addWidget(self.skip_box, 1)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(note_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def tab_chain(self) -> list[QWidget]:
        # Down the page as it reads (the export button was made before the box).
        return [self.edit_mapping, self.tree, self.row_view, self.skip_box, self.export_button]

    # -- running -----------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        state = self.wiz.state
        if state.profile is not None and state.skip_mapping:
            self.mapping_note.setText(
                self.tr("Mapping: the saved profile “%s” fits these headers exactly.")
                % state.profile.title
            )
        elif state.profile is not None:
            self.mapping_note.setText(self.tr("Mapping: profile “%s”.") % state.profile.title)
        else:
            self.mapping_note.setText(
                count_text(
                    len(state.mapping.mapped_fields()),
                    "Mapping: %n field chosen on the previous page.",
                    "Mapping: %n fields chosen on the previous page.",
                    "ImportWizard",
                )
            )
        self.start()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        self.stop()

    def start(self) -> None:
        """Validate in the background (a large sheet takes seconds)."""
        self.stop()
        state = self.wiz.state
        state.validation = None
        self.tree.clear()
        self.row_view.setRowCount(0)
        self.detail.hide()
        _show(self.error, "")
        self.skip_box.setChecked(state.skip_invalid)
        self.skip_box.setEnabled(False)
        self.export_button.setEnabled(False)
        self.summary.setText(self.tr("Checking every row…"))
        self.progress.setRange(0, 0)
        self.progress.show()
        inspection = state.inspection
        if inspection is None or state.header_row is None:
            return
        header_row = state.header_row
        mapping = _copy_mapping(state.mapping)
        profile = state.profile.name if state.profile is not None else None
        task = BackgroundTask(
            self.wiz.runner,
            lambda ws, progress: backend.validate_source(
                ws,
                inspection,
                header_row=header_row,
                mapping=mapping,
                profile=profile,
                progress=progress,
            ),
            kind="read",
            parent=self,
        )
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._validated)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._failed)
        self.task = task
        task.start()
        self.completeChanged.emit()

    def stop(self) -> None:
        if self.task is not None and self.task.is_running():
            self.task.cancel()
            self.task.wait()
        self.task = None

    def is_running(self) -> bool:
        return self.task is not None and self.task.is_running()

    def _progressed(self, done: int, total: object, message: str) -> None:
        if message:
            self.summary.setText(message + "…")

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.summary.setText("")
        _show(self.error, message)
        self.completeChanged.emit()

    def _validated(self, validation: backend.Validation) -> None:
        state = self.wiz.state
        state.validation = validation
        self.progress.hide()
        report = validation.report
        errors = len(report.error_rows)
        parts = [
            self.tr("Rows read: %s") % f"{report.rows:,}",
            self.tr("can be imported: %s") % f"{report.usable_rows:,}",
            self.tr("with errors: %s") % f"{errors:,}",
            self.tr("warnings: %s") % f"{len(report.warnings):,}",
        ]
        if report.duplicates:
            parts.append(self.tr("duplicates counted once: %s") % f"{report.duplicates:,}")
        if report.blank_rows:
            parts.append(self.tr("blank rows passed over: %s") % f"{report.blank_rows:,}")
        text = " · ".join(parts) + "."
        if errors:
            text += " " + self.tr(
                "Rows with errors cannot be imported: fix them in the source, or import the rest "
                "and record them as skipped."
            )
        elif report.usable_rows:
            text += " " + self.tr("Nothing blocks the import.")
        else:
            text += " " + self.tr("No row can be imported.")
        self.skip_box.setText(
            self.tr("Import the valid rows (%s) and record the rows with errors (%s) as &skipped")
            % (f"{report.usable_rows:,}", f"{errors:,}")
        )
        self.summary.setText(text)
        self._fill_tree(validation)
        self.skip_box.setEnabled(errors > 0 and report.usable_rows > 0)
        if errors == 0:
            self.skip_box.setChecked(False)
        self.export_button.setEnabled(bool(report.findings))
        self.completeChanged.emit()

    def _fill_tree(self, validation: backend.Validation) -> None:
        self.tree.clear()
        names = {
            Severity.ERROR: self.tr("Error"),
            Severity.WARNING: self.tr("Warning"),
            Severity.INFO: self.tr("Note"),
        }
        for severity, code, found in validation.groups():
            group = QTreeWidgetItem(
                [f"{names[severity]}: {title(code)} — {len(found):,}", "", "", ""]
            )
            group.setData(0, Qt.ItemDataRole.UserRole, None)
            group.setData(0, Qt.ItemDataRole.AccessibleTextRole, group.text(0))
            font = group.font(0)
            font.setBold(severity is Severity.ERROR)
            group.setFont(0, font)
            for finding in found[:MAX_FINDINGS_PER_GROUP]:
                message = finding.message
                child = QTreeWidgetItem(
                    [
                        message,
                        "" if finding.row is None else str(finding.row),
                        finding.column or "",
                        finding.value or "",
                    ]
                )
                child.setData(0, Qt.ItemDataRole.UserRole, finding)
                child.setToolTip(0, message)
                child.setToolTip(2, finding.column or "")
                child.setToolTip(3, finding.value or "")
                child.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                group.addChild(child)
            if len(found) > MAX_FINDINGS_PER_GROUP:
                more = QTreeWidgetItem(
                    [
                        self.tr(
                            "… %n more: export the findings to see them all",
                            "",
                            len(found) - MAX_FINDINGS_PER_GROUP,
                        )
                    ]
                )
                group.addChild(more)
            self.tree.addTopLevelItem(group)
            # A group's title spans the row, so it is never cut by the narrow columns.
            group.setFirstColumnSpanned(True)
            if group.childCount() > MAX_FINDINGS_PER_GROUP:
                group.child(group.childCount() - 1).setFirstColumnSpanned(True)
            group.setExpanded(severity is Severity.ERROR)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Row, column and value as wide as their longest entry (a very long value is cut, with
        a tooltip), measured over every finding, collapsed groups included."""
        metrics = self.tree.fontMetrics()
        header = self.tree.header()
        pad = 3 * metrics.averageCharWidth()
        caps = {1: None, 2: 22 * metrics.averageCharWidth(), 3: 26 * metrics.averageCharWidth()}
        for column, cap in caps.items():
            title = self.tree.headerItem().text(column)
            widest = metrics.horizontalAdvance(title) + pad
            for i in range(self.tree.topLevelItemCount()):
                group = self.tree.topLevelItem(i)
                for j in range(group.childCount()):
                    text = group.child(j).text(column)
                    if text:
                        widest = max(widest, metrics.horizontalAdvance(text) + pad)
            header.resizeSection(column, widest if cap is None else min(widest, cap))

    # -- click-through and export ----------------------------------------------------------------

    def _finding_chosen(
        self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        finding = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(finding, Finding):
            self.detail.setText(self._describe(finding))
            self.detail.show()
        else:
            self.detail.hide()
        if isinstance(finding, Finding) and finding.row is not None:
            self.show_row(finding.row, finding.column)

    def _describe(self, finding: Finding) -> str:
        """The whole finding in words: its kind, where it is, and its message."""
        names = {
            Severity.ERROR: self.tr("Error"),
            Severity.WARNING: self.tr("Warning"),
            Severity.INFO: self.tr("Note"),
        }
        where = []
        if finding.row is not None:
            where.append(self.tr("row %d") % finding.row)
        if finding.column:
            where.append(self.tr("column “%s”") % finding.column)
        if finding.value:
            where.append(self.tr("value “%s”") % finding.value)
        head = f"{names[finding.severity]}: {title(finding.code)}"
        if where:
            head += " (" + ", ".join(where) + ")"
        return head + "\n" + finding.message

    def select_finding(self, code: str, index: int = 0) -> Finding | None:
        """Select the ``index``-th finding of kind ``code`` (as a click would); returns it."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            children = [group.child(j) for j in range(group.childCount())]
            found = [
                c for c in children if isinstance(c.data(0, Qt.ItemDataRole.UserRole), Finding)
            ]
            if (
                found
                and found[0].data(0, Qt.ItemDataRole.UserRole).code == code
                and index < len(found)
            ):
                group.setExpanded(True)
                self.tree.setCurrentItem(
                    found[index], 0, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                return found[index].data(0, Qt.ItemDataRole.UserRole)
        return None

    def show_row(self, row_number: int, column: str | None = None) -> None:
        """Show one source row: every column's raw value, the field it feeds and how it reads."""
        state = self.wiz.state
        validation = state.validation
        inspection = state.inspection
        if validation is None or inspection is None:
            return
        cells = validation.rows.get(row_number)
        if cells is None:
            try:
                with _busy():
                    cells = backend.read_row(inspection, row_number)
            except ClearSlateError as exc:
                self.row_title.setText(str(exc))
                return
        if cells is None:
            self.row_title.setText(self.tr("Row %d is not in the file any more.") % row_number)
            self.row_view.setRowCount(0)
            return
        self.row_title.setText(self.tr("Row %d of %s") % (row_number, inspection.path.name))
        feeds: dict[str, list[str]] = {}
        for name, header in state.mapping.columns.items():
            feeds.setdefault(header, []).append(name)
        headers = validation.headers
        self.row_view.setRowCount(len(headers))
        focus = None
        for i, header in enumerate(headers):
            value = cells[i] if i < len(cells) else None
            fields = feeds.get(header, [])
            read = "; ".join(backend.describe_value(f, value, inspection.epoch) for f in fields)
            label = ", ".join(self.tr(FIELDS_BY_NAME[f].label) for f in fields) or self.tr(
                "(kept with the row)"
            )
            items = [
                QTableWidgetItem(header),
                QTableWidgetItem(cell_text(value) or ""),
                QTableWidgetItem(label),
                QTableWidgetItem(read if fields else ""),
            ]
            for col, item in enumerate(items):
                self.row_view.setItem(i, col, item)
            if column is not None and header == column:
                focus = i
        self.row_view.resizeColumnsToContents()
        if focus is not None:
            self.row_view.selectRow(focus)
            self.row_view.scrollToItem(self.row_view.item(focus, 0))

    def export(self, target: str | None = None) -> Path | None:
        """Export every finding to an .xlsx (asks where when ``target`` is not given)."""
        validation = self.wiz.state.validation
        inspection = self.wiz.state.inspection
        if validation is None or inspection is None:
            return None
        if not isinstance(target, str) or not target:
            suggested = inspection.path.with_name(inspection.path.stem + " - findings.xlsx")
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export findings"), str(suggested), self.tr("Excel workbook (*.xlsx)")
            )
            if not target:
                return None
        try:
            written = backend.export_findings(validation.findings, target)
        except OSError as exc:
            _show(
                self.error,
                self.tr("The findings could not be saved to %s: %s")
                % (Path(target).name, exc.strerror or exc),
            )
            return None
        _show(self.error, "")
        self.summary.setText(
            self.summary.text().split(" — ")[0]
            + " — "
            + self.tr("findings saved to %s") % written.name
        )
        return written

    def _skip_toggled(self, checked: bool) -> None:
        self.wiz.state.skip_invalid = checked
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        validation = self.wiz.state.validation
        if validation is None or self.is_running():
            return False
        report = validation.report
        if report.usable_rows == 0:
            return False
        return not report.error_rows or self.wiz.state.skip_invalid


# -- 4. the import ---------------------------------------------------------------------------------


class ImportPage(QWizardPage):
    """The import itself, off the UI thread, with a progress bar, Cancel, and the result."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setObjectName("importRunPage")
        self.setTitle(self.tr("Import"))
        self.setSubTitle(
            self.tr(
                "One transaction: until it finishes, Cancel leaves the workspace exactly as it was."
            )
        )
        self.setFinalPage(True)
        self.task: BackgroundTask | None = None
        self.done = False
        self.outcome = ""  # "imported" | "cancelled" | "failed"

        self.status = QLabel("")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setAccessibleName(self.tr("Import progress"))
        self.cancel_button = QPushButton(self.tr("&Cancel import"))
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.clicked.connect(self.cancel)
        run_row = QHBoxLayout()
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)

        self.result = QLabel("")
        self.result.setObjectName("importResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skipped_label = QLabel(
            self.tr("Rows skipped (kept in the workspace's import record):")
        )
        self.skipped = QListWidget()
        self.skipped.setObjectName("importSkipped")
        self.skipped.setAccessibleName(self.tr("Rows skipped"))
        # The same table, records and buttons as Review ▸ Possible same people; its
        # decisions are written on this wizard's runner (its writer thread's own connection).
        self.matches = MatchesPanel(wizard.ws, wizard.user, runner=wizard.runner)
        self.matches.intro.setText(
            self.matches.intro.text()
            + " "
            + self.tr("You can also decide them later (Review ▸ Possible same people…).")
        )
        self.matches.decided.connect(
            lambda: self.wiz.importFinished.emit(self.wiz.state.report)
        )  # the review screen refreshes after a decision too
        self.matches.busyChanged.connect(lambda _busy: self.completeChanged.emit())
        for widget in self._result_widgets():
            widget.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(run_row)
        layout.addWidget(self.result)
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.skipped, 1)
        layout.addWidget(self.matches, 4)
        layout.addStretch(1)

    def tab_chain(self) -> list[QWidget]:
        panel = self.matches
        return [
            self.cancel_button,
            self.skipped,
            panel.table,
            panel.record_a,
            panel.record_b,
            panel.same,
            panel.different,
        ]

    def _result_widgets(self) -> tuple[QWidget, ...]:
        return (self.skipped_label, self.skipped, self.matches)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.start()

    def start(self) -> None:
        state = self.wiz.state
        inspection = state.inspection
        assert inspection is not None and state.header_row is not None
        self.done = False
        self.outcome = ""
        self.result.setText("")
        self.result.setStyleSheet("")
        for widget in self._result_widgets():
            widget.hide()
        self.status.setText(
            self.tr("Importing %s into %s…") % (inspection.path.name, self.wiz.ws_path.name)
        )
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        request = backend.ImportRequest(
            path=inspection.path,
            sheet=inspection.sheet,
            encoding=inspection.encoding,
            header_row=state.header_row,
            mapping=_copy_mapping(state.mapping),
            profile=state.profile.name if state.profile is not None else None,
            skip_invalid=state.skip_invalid,
        )
        username = self.wiz.username
        task = BackgroundTask(
            self.wiz.runner,
            lambda ws, progress: backend.run_import(ws, request, user=username, progress=progress),
            kind="write",
            parent=self,
        )
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._imported)
        task.cancelled.connect(self._cancelled)
        task.failed.connect(self._failed)
        task.finished.connect(self._finished)
        self.task = task
        task.start()
        self.completeChanged.emit()

    def cancel(self) -> None:
        if self.task is not None and self.task.is_running():
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling: undoing everything imported so far…"))
            self.task.cancel()

    def is_running(self) -> bool:
        return self.task is not None and self.task.is_running()

    def _progressed(self, done: int, total: object, message: str) -> None:
        if not isinstance(total, int) or total <= 0:
            # The import counts rows as it goes without knowing the end; validation counted them.
            validation = self.wiz.state.validation
            total = validation.report.rows if validation is not None else 0
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if message:
            self.status.setText(message)

    def _imported(self, report: Any) -> None:
        summary = backend.summarize(report)
        self.wiz.state.report = report
        if summary.status == "refused":
            # Said with the window's check box (the service's message names the command
            # line's option).
            rows = len({f.row for f in report.errors if f.row is not None})
            self._failed(
                count_text(
                    rows,
                    "%n row has errors, so nothing was imported. Fix the source, or go back "
                    "and tick “Import the valid rows and record the rows with errors as skipped”.",
                    "%n rows have errors, so nothing was imported. Fix the source, or go back "
                    "and tick “Import the valid rows and record the rows with errors as skipped”.",
                    "ImportWizard",
                )
            )
            return
        self.outcome = "imported"
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if summary.status == "unchanged":
            self.status.setText(self.tr("Nothing to do."))
            self.result.setText(summary.message)
        else:
            self.status.setText(self.tr("Done: the import is committed."))
            self.result.setText(summary.message)
        if summary.skipped:
            self.skipped.clear()
            for row, reason in summary.skipped:
                self.skipped.addItem(self.tr("Row %d: %s") % (row, reason))
            self.skipped_label.setText(
                count_text(
                    len(summary.skipped),
                    "%n row skipped, kept in the workspace's import record:",
                    "%n rows skipped, kept in the workspace's import record:",
                    "ImportWizard",
                )
            )
            self.skipped_label.show()
            self.skipped.show()
        self.show_proposals()
        self.wiz.importFinished.emit(report)

    # -- person matches ----------------------------------------------------------------------

    def show_proposals(self) -> None:
        """The same-person proposals still open, to decide one or several at once."""
        panel = self.matches
        panel.reload()
        panel.setVisible(bool(panel.matches) or panel.decisions > 0)
        if panel.matches:
            panel.table.setFocus()  # the next thing to do

    def _cancelled(self, message: str) -> None:
        self.outcome = "cancelled"
        self.status.setText(self.tr("Cancelled."))
        self.result.setText(message or self.tr("Cancelled: nothing was changed."))

    def _failed(self, message: str) -> None:
        self.outcome = "failed"
        self.status.setText(self.tr("The import did not happen; nothing was changed."))
        self.result.setText("⚠ " + message)
        self.result.setStyleSheet("color: #a40000")

    def _finished(self) -> None:
        self.done = True
        self.cancel_button.hide()
        if self.outcome != "imported":
            self.progress.hide()
        self.completeChanged.emit()
        self.wiz.task_finished()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        # Not while a decision is written: Finish would close the runner under it.
        return self.done and not self.matches.deciding


# -- the wizard ----------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """File ▸ Import spreadsheet: four pages, then ``importFinished(report)`` after a commit.

    ``ws`` is the window's open workspace (its connection is used on the UI thread only, to
    list and save profiles); validation and the import run on a :class:`TaskRunner` of the
    wizard's own, whose threads open their own connections to ``ws.path``.
    """

    importFinished = Signal(object)  # noqa: N815 - Qt signal naming; the ImportReport

    def __init__(
        self,
        ws: Any,
        user: Any,
        parent: QWidget | None = None,
        *,
        start_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        user.require("import")
        self.ws = ws
        self.ws_path: Path = Path(ws.path)
        self.user = user
        self.username: str = user.username
        self.start_dir = start_dir or self.ws_path.parent
        self.runner = TaskRunner(self.ws_path, self, dialog_parent=self)
        self.state = WizardState()
        self.force_mapping = False
        self._close_when_done = False
        self.profiles: list[Profile] = []
        self.reload_profiles()
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("Import spreadsheet — %s") % APP_NAME)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.validate_page = ValidatePage(self)
        self.import_page = ImportPage(self)
        self.setPage(PAGE_FILE, self.file_page)
        self.setPage(PAGE_MAPPING, self.mapping_page)
        self.setPage(PAGE_VALIDATE, self.validate_page)
        self.setPage(PAGE_IMPORT, self.import_page)
        # Each page's controls in reading order, set once they share this window (the pages
        # were built apart, so Qt's own chain ran from a page's first control to the buttons).
        for page in (self.file_page, self.mapping_page, self.validate_page, self.import_page):
            chain = page.tab_chain()
            for first, second in zip(chain, chain[1:], strict=False):
                QWidget.setTabOrder(first, second)
        self.setStartId(PAGE_FILE)
        self.resize(1040, 740)

    # -- shared steps -----------------------------------------------------------------------------

    def reload_profiles(self) -> None:
        try:
            self.profiles = backend.list_profiles(self.ws)
        except ClearSlateError as exc:
            log.warning("mapping profiles not available: %s", exc)
            self.profiles = []

    def save_profile(self, name: str) -> Profile:
        state = self.state
        return backend.save_profile(
            self.ws,
            user=self.username,
            name=name,
            mapping=state.mapping,
            headers=state.headers,
            header_row=state.header_row or 1,
            layout=state.profile.layout if state.profile is not None else "rows",
        )

    def prepare_mapping(self) -> None:
        """After the header row is settled: keep the user's mapping, or start from a profile/guess."""
        state = self.state
        assert state.inspection is not None and state.header_row is not None
        key = state.source_key()
        if key == state.mapping_key:
            return
        state.headers = backend.headers_at(state.inspection, state.header_row)
        profile = backend.best_profile(self.profiles, state.headers)
        state.edited = False
        if profile is not None:
            state.mapping = backend.present_only(profile.mapping, state.headers)
            state.profile = profile
            state.skip_mapping = (
                backend.headers_match_exactly(profile, state.headers)
                and backend.mapping_problem(state.mapping, state.headers) is None
            )
        else:
            state.mapping = backend.guess(state.headers)
            state.profile = None
            state.skip_mapping = False
        state.mapping_key = key
        state.validation = None

    def edit_mapping(self) -> None:
        """From the validation page back to the mapping page, even when it was skipped."""
        self.force_mapping = True
        self.back()
        if self.currentId() == PAGE_FILE:
            self.next()

    def confirm_cp1252(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Text encoding"),
            self.tr(
                "%s is not UTF-8 text. It looks like Windows-1252 (cp1252), which older Excel "
                "versions write. Read it as Windows-1252? Check in the preview that accented "
                "names (Núñez, O’Brien) read correctly."
            )
            % path.name,
        )
        return answer == QMessageBox.StandardButton.Yes

    def busy(self) -> bool:
        return self.validate_page.is_running() or self.import_page.is_running()

    def task_finished(self) -> None:
        if self._close_when_done:
            self._close_when_done = False
            self.reject()

    # -- closing ------------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel: during the import, roll it back first, then close."""
        if self.import_page.is_running():
            self._close_when_done = True
            self.import_page.cancel()
            return
        self.validate_page.stop()
        self.runner.shutdown()
        super().reject()

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        if result == QWizard.DialogCode.Accepted:
            self.runner.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.import_page.is_running():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
