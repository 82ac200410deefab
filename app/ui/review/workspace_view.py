"""The review screen the main window shows once a user is logged on: the queue with its
filter bar beside the case view, the progress view, and every review command as a QAction.

All database work goes through the task runner (reads on the pool, decisions on the one
writer); this widget only sends requests and shows answers. Decisions keep the queue's
order: a case that no longer matches the filter stays where it is until the filter or
sort changes or the user refreshes (F5), so nobody loses their place.
"""

from __future__ import annotations

import json
import logging
from array import array
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import Cancelled, ClearSlateError
from app.core.model import Outcome
from app.services import review, workspaces
from app.services.review import DecisionResult, QueueFilter
from app.store.review import CaseDetail, QueueRow
from app.ui.application import settings
from app.ui.dialogs import show_error
from app.ui.review.case_view import CaseView, count_number, outcome_label, plural
from app.ui.review.dialogs import BulkAcceptDialog, FlagDialog, OverrideDialog, ShortcutLegend
from app.ui.review.filter_bar import FilterBar
from app.ui.review.progress_view import ProgressView
from app.ui.review.queue_model import COL_OUTCOME, COL_STATUS, COLUMNS, QueueModel
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ZOOM_KEY = "review/zoom"
# Widths the reviewer dragged, per column key, in characters of the table's font (so they
# follow the zoom and the display scaling like the defaults do). Keyed by column, not by
# position, so a later version that adds or reorders columns keeps what still applies.
COLUMN_WIDTHS_KEY = "review/column_widths"
MIN_ZOOM, MAX_ZOOM = -4, 12


class _ElideRightDelegate(QStyledItemDelegate):
    """Cuts a cell's text at the end (the view cuts the identifiers in the middle)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802 - Qt API
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


def _saved_column_widths() -> dict[str, float]:
    """The reviewer's saved widths, keeping only known columns and sane values (the INI file
    is the user's: a hand edit or an older version's value must not break the window)."""
    raw = settings().value(COLUMN_WIDTHS_KEY)
    try:
        saved = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}
    known = {key for key, _header, _chars in COLUMNS}
    if not isinstance(saved, dict):
        return {}
    return {
        key: float(value)
        for key, value in saved.items()
        if key in known and isinstance(value, (int, float)) and 1 <= value <= 200
    }


class WorkspaceView(QWidget):
    """Queue + case view + progress, bound to the main window's workspace and user."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("reviewView")
        self.window_ = window
        assert window.ws_path is not None and window.user is not None
        self.user = window.user
        self.can_decide = self.user.can("review")
        self.filter = QueueFilter()
        self.current_case: int | None = None
        self.detail: CaseDetail | None = None
        self.ready = False  # True once the first queue is shown
        self.last_result: DecisionResult | None = None

        self.runner = TaskRunner(window.ws_path, self, dialog_parent=window)
        self.runner.failed.connect(lambda title, text: show_error(self.window_, text, title))

        self._build()
        self._create_actions()
        self._apply_zoom(int(settings().value(ZOOM_KEY, 0) or 0))
        self.refresh()

    # -- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.model = QueueModel(self._load_page, self)

        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self._filter_changed)
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName(self.tr("Case queue"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Arrows move between rows; Tab leaves the table for the case view (keyboard reach).
        self.table.setTabKeyNavigation(False)
        # No indicator first: enabling sorting would otherwise sort by column 0 at once.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures rows it has not fetched.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Long names, case numbers and person keys differ at both ends ("CII000000001" and
        # "CII000000017"): cut them in the middle, and every cut cell has its whole text as a tooltip.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Sentences (the recommendation and the status) read better cut at the end.
        self.sentence_delegate = _ElideRightDelegate(self.table)
        for column in (COL_OUTCOME, COL_STATUS):
            self.table.setItemDelegateForColumn(column, self.sentence_delegate)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(32)
        self._sizing = False  # True while the window itself sets widths (zoom, reset)
        self.column_widths = _saved_column_widths()
        header.sectionResized.connect(self._column_resized)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.count_label = QLabel(self.tr("Loading the queue…"))
        self.count_label.setObjectName("queueCount")

        queue_side = QWidget()
        queue_layout = QVBoxLayout(queue_side)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.addWidget(self.filter_bar)
        queue_layout.addWidget(self.table, 1)
        queue_layout.addWidget(self.count_label)

        self.case_view = CaseView(can_decide=self.can_decide)
        self.case_view.acceptRequested.connect(self.accept_and_next)
        self.case_view.overrideRequested.connect(self.override)
        self.case_view.flagRequested.connect(self.flag)
        self.case_view.skipRequested.connect(self.skip)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.addWidget(queue_side)
        self.splitter.addWidget(self.case_view)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        state = settings().value("review/splitter")
        if state is not None:
            self.splitter.restoreState(state)

        self.progress_view = ProgressView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reviewTabs")
        self.tabs.addTab(self.splitter, self.tr("&Queue"))
        self.tabs.addTab(self.progress_view, self.tr("&Progress"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self.model.sortRequested.connect(self._sort)

    # -- actions ---------------------------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcuts: list[QKeySequence | str] | QKeySequence.StandardKey | None,
                name: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if isinstance(shortcuts, QKeySequence.StandardKey):
            action.setShortcuts(shortcuts)
        elif shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        # Window-wide: the shortcut works wherever focus is inside the main window.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.window_.addAction(action)
        return action

    def _create_actions(self) -> None:
        tr = self.tr
        self.act_accept = self._action(tr("&Accept and next"), self.accept_and_next, ["Ctrl+Return", "Ctrl+Enter"], "actAcceptNext")
        self.act_override = self._action(tr("&Override…"), self.override, ["Ctrl+Shift+O"], "actOverride")
        self.act_flag = self._action(tr("&Flag for supervisor…"), self.flag, ["Ctrl+Shift+G"], "actFlag")
        self.act_skip = self._action(tr("S&kip"), self.skip, ["Ctrl+Shift+K"], "actSkip")
        self.act_prev = self._action(tr("&Previous case"), self.previous_case, ["Alt+Left"], "actPrevCase")
        self.act_next = self._action(tr("&Next case"), self.next_case, ["Alt+Right"], "actNextCase")
        self.act_search = self._action(tr("&Search…"), self.focus_search, QKeySequence.StandardKey.Find, "actSearch")
        self.act_bulk = self._action(tr("Accept a&ll in this filter…"), self.bulk_accept, ["Ctrl+Shift+B"], "actBulkAccept")
        self.act_undo = self._action(tr("&Undo decision"), self.undo, QKeySequence.StandardKey.Undo, "actUndo")
        self.act_redo = self._action(tr("&Redo decision"), self.redo, QKeySequence.StandardKey.Redo, "actRedo")
        self.act_refresh = self._action(tr("&Refresh queue"), self.refresh, QKeySequence.StandardKey.Refresh, "actRefresh")
        self.act_progress = self._action(tr("Show &progress"), self.show_progress, ["Ctrl+Shift+P"], "actProgress")
        self.act_zoom_in = self._action(tr("Zoom &in"), lambda: self.zoom(+1), ["Ctrl+=", "Ctrl++"], "actZoomIn")
        self.act_zoom_out = self._action(tr("Zoom &out"), lambda: self.zoom(-1), ["Ctrl+-"], "actZoomOut")
        self.act_zoom_reset = self._action(tr("&Normal size"), lambda: self._apply_zoom(0, save=True), ["Ctrl+0"], "actZoomReset")
        self.act_reset_columns = self._action(tr("Reset &column widths"), self.reset_column_widths, None,
                                              "actResetColumns")
        self.act_legend = self._action(tr("&Keyboard shortcuts"), self.show_legend, ["F1"], "actShortcuts")
        for action in (self.act_accept, self.act_override, self.act_flag, self.act_skip, self.act_bulk,
                       self.act_undo, self.act_redo):
            action.setEnabled(self.can_decide)
        win = self.window_
        win.edit_menu.addAction(self.act_undo)
        win.edit_menu.addAction(self.act_redo)
        win.edit_menu.addSeparator()
        win.edit_menu.addAction(self.act_search)
        for action in (self.act_accept, self.act_override, self.act_flag, self.act_skip):
            win.review_menu.addAction(action)
        win.review_menu.addSeparator()
        win.review_menu.addAction(self.act_prev)
        win.review_menu.addAction(self.act_next)
        win.review_menu.addSeparator()
        win.review_menu.addAction(self.act_bulk)
        for action in (self.act_progress, self.act_refresh):
            win.view_menu.addAction(action)
        win.view_menu.addSeparator()
        for action in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_reset_columns):
            win.view_menu.addAction(action)
        win.help_menu.insertAction(win.help_menu.actions()[0] if win.help_menu.actions() else None, self.act_legend)

    def actions_for_legend(self) -> list[QAction]:
        """Every action of the window that has a shortcut: the F1 legend's content."""
        seen: list[QAction] = []
        for action in self.window_.actions():
            if action.shortcuts() and action.isVisible() and action not in seen:
                seen.append(action)
        return seen

    # -- closing ---------------------------------------------------------------------------------

    def can_close(self) -> bool:
        """Let running writes finish (they are short or cancellable) and close the connections."""
        settings().setValue("review/splitter", self.splitter.saveState())
        settings().setValue(COLUMN_WIDTHS_KEY, json.dumps(self.column_widths, sort_keys=True))
        self.runner.shutdown()
        for action in self.findChildren(QAction):
            self.window_.removeAction(action)
        return True

    # -- loading the queue -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the queue summary up to date (after an import or evaluation) and reload."""
        self.runner.write(lambda ws, p: review.refresh(ws, p), lambda _changed: self.reload(),
                          label=self.tr("Preparing the review queue…"), key="refresh")
        self.runner.read(lambda ws, p: review.filter_choices(ws), self.filter_bar.set_choices, key="choices")

    def reload(self) -> None:
        filt, sort, desc, user = self.filter, self.model.sort_key, self.model.descending, self.user
        self.count_label.setText(self.tr("Loading the queue…"))
        self.runner.read(lambda ws, p: review.queue(ws, user, filt, sort, desc), self._ids_loaded, key="queue")

    def _ids_loaded(self, ids: array) -> None:
        keep = self.current_case
        self.model.set_ids(ids)
        total = len(ids)
        cases = plural(total, "%n case", "%n cases")
        self.count_label.setText(
            self.tr("%s where %s") % (cases, self.filter.describe()) if not self.filter.is_empty() else cases
        )
        self.ready = True
        row = self.model.row_of(keep) if keep is not None else -1
        if total:
            self.select_row(row if row >= 0 else 0)
            if row >= 0 and self.current_case == keep and self.detail is not None:
                # The same case stays chosen, so no row change reloads it; after an import, an
                # evaluation or a same-person decision its recommendation may have changed.
                self.load_case(keep)
        else:
            self.current_case = None
            self.case_view.show_detail(None)
            if self.filter.is_empty():
                # Nothing imported yet: there is no filter to change; say where to start.
                self.case_view.show_placeholder(
                    self.tr("There are no cases in this workspace yet. Import a spreadsheet with %s.")
                    % self.tr("File ▸ Import spreadsheet… (Ctrl+I)")
                )
            else:
                self.case_view.show_placeholder(self.tr("No cases match. Change the filter or the search."))

    def _load_page(self, ids: list[int], done: Any) -> None:
        self.runner.read(lambda ws, p: review.rows(ws, ids), done)

    def _filter_changed(self, filt: QueueFilter) -> None:
        self.filter = filt
        self.reload()

    def _sort(self, key: str, descending: bool) -> None:
        self.reload()

    # -- moving through cases ------------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def next_case(self) -> None:
        self.select_row(self.current_row() + 1)

    def previous_case(self) -> None:
        self.select_row(max(self.current_row() - 1, 0))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = self.model.case_id(current.row()) if current.isValid() else None
        if case_id is None or case_id == self.current_case and self.detail is not None:
            return
        self.current_case = case_id
        self.case_view.set_message("")
        self.load_case(case_id)

    def load_case(self, case_id: int) -> None:
        user = self.user
        self.runner.read(lambda ws, p: review.case_detail(ws, user, case_id), self._case_loaded, key="case")

    def _case_loaded(self, detail: CaseDetail) -> None:
        if detail.case.case_id != self.current_case:
            return
        self.detail = detail
        self.case_view.show_detail(detail)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    # -- decisions ---------------------------------------------------------------------------------------

    def _decide(self, op: Any, *, advance: bool = False) -> None:
        if not self.can_decide or self.current_case is None:
            return
        self.runner.write(op, lambda result: self._decided(result, advance), on_error=self._decision_error,
                          label=self.tr("Saving the decision…"))

    def _decision_error(self, error: BaseException) -> None:
        """A refused decision is said beside the controls (no modal box in the way of the keyboard)."""
        if isinstance(error, ClearSlateError) and not isinstance(error, Cancelled):
            self._refused(str(error))
            return
        if isinstance(error, Cancelled):
            return
        log.error("unexpected error in a decision", exc_info=(type(error), error, error.__traceback__))
        show_error(self.window_, self.tr("The decision could not be saved; nothing was changed. The details are in the log."))

    def _decided(self, result: DecisionResult, advance: bool) -> None:
        self.last_result = result
        message = result.message
        if result.left_needs_review:
            message += " " + plural(
                len(result.left_needs_review),
                "%n count of this case needs review: decide it with Override (Ctrl+Shift+O).",
                "%n counts of this case need review: decide them with Override (Ctrl+Shift+O).",
            )
            advance = False
        self.window_.statusBar().showMessage(message, 8000)
        self.case_view.set_message(message)
        self.model.reload_rows()
        if advance and self.current_row() + 1 < self.model.rowCount():
            self.next_case()
        elif self.current_case is not None:
            self.load_case(self.current_case)
        if self.tabs.currentIndex() == 1:
            self.show_progress()

    def _refused(self, text: str) -> None:
        self.case_view.set_message(text)
        self.window_.statusBar().showMessage(text, 8000)

    def accept_and_next(self) -> None:
        """Ctrl+Enter: accept the recommendations of the chosen counts, then the next case."""
        if self.current_case is None or self.detail is None:
            return
        case_id, counts, user = self.current_case, self.case_view.selected_counts(), self.user
        records = self.case_view.selected_records()
        if counts is None and records and all(c.status == "decided" and not c.needs_rereview for c in records):
            self.next_case()  # already done: save-and-next just moves on
            return
        if counts is not None and any(c.outcome == Outcome.NEEDS_REVIEW.value for c in records):
            self._refused(self.tr("This count needs review: there is no recommendation to accept. Use Override (Ctrl+Shift+O)."))
            return
        self._decide(lambda ws, p: review.accept(ws, user, case_id, counts), advance=True)

    def _counts_text(self) -> tuple[str, str | None]:
        records = self.case_view.selected_records()
        if not records:
            return "", None
        outcomes = {c.outcome for c in records}
        recommended = outcomes.pop() if len(outcomes) == 1 else None
        if len(records) == 1:
            number = count_number(records[0], self.detail.counts if self.detail is not None else records)
            return self.tr("count %s of case %s") % (number, records[0].case_number), recommended
        return self.tr("all %d counts of case %s") % (len(records), records[0].case_number), recommended

    def override(self) -> None:
        if self.current_case is None or self.detail is None or not self.can_decide:
            return
        text, recommended = self._counts_text()
        policy_id = workspaces.setting(self.window_.ws, "policy_id") if self.window_.ws is not None else ""
        dialog = OverrideDialog(text, recommended, self.window_, review.decidable_outcomes(policy_id))
        if dialog.exec() != OverrideDialog.DialogCode.Accepted:
            return
        case_id, counts, user = self.current_case, self.case_view.selected_counts(), self.user
        outcome, reason = dialog.chosen_outcome(), dialog.reason_text()
        self._decide(lambda ws, p: review.override(ws, user, case_id, counts, outcome, reason))

    def flag(self) -> None:
        if self.current_case is None or self.detail is None or not self.can_decide:
            return
        text, _ = self._counts_text()
        dialog = FlagDialog(text, self.window_)
        if dialog.exec() != FlagDialog.DialogCode.Accepted:
            return
        case_id, counts, user, note = self.current_case, self.case_view.selected_counts(), self.user, dialog.reason_text()
        self._decide(lambda ws, p: review.flag(ws, user, case_id, counts, note), advance=True)

    def skip(self) -> None:
        case_id, counts, user = self.current_case, self.case_view.selected_counts(), self.user
        if case_id is None:
            return
        self._decide(lambda ws, p: review.skip(ws, user, case_id, counts), advance=True)

    def undo(self) -> None:
        if not self.can_decide:
            return
        user = self.user
        self.runner.write(lambda ws, p: review.undo(ws, user), self._undone, on_error=self._decision_error,
                          label=self.tr("Undoing…"))

    def redo(self) -> None:
        if not self.can_decide:
            return
        user = self.user
        self.runner.write(lambda ws, p: review.redo(ws, user), self._undone, on_error=self._decision_error,
                          label=self.tr("Redoing…"))

    def _undone(self, result: DecisionResult) -> None:
        self.last_result = result
        self.window_.statusBar().showMessage(result.message, 8000)
        self.case_view.set_message(result.message)
        self.model.reload_rows()
        # Go to the case the undo changed, so the reviewer sees what came back.
        if len(result.case_ids) == 1:
            row = self.model.row_of(result.case_ids[0])
            if row >= 0 and result.case_ids[0] != self.current_case:
                self.select_row(row)
                return
        if self.current_case is not None:
            self.load_case(self.current_case)

    def bulk_accept(self) -> None:
        if not self.can_decide:
            return
        filt, user = self.filter, self.user
        self.runner.read(lambda ws, p: review.bulk_preview(ws, user, filt), self._confirm_bulk, label=self.tr("Counting…"))

    def _confirm_bulk(self, preview: review.BulkPreview) -> None:
        if preview.counts == 0:
            self._refused(self.tr("Nothing to accept where %s: no unreviewed counts with a recommendation.") % preview.filter.describe())
            return
        dialog = BulkAcceptDialog(preview.description, self.window_)
        if dialog.exec() != BulkAcceptDialog.DialogCode.Accepted:
            return
        filt, user, reason, expected = preview.filter, self.user, dialog.reason_text(), preview.counts
        self.runner.write(
            lambda ws, p: review.bulk_accept(ws, user, filt, reason, expected_counts=expected, progress=p),
            self._bulk_done,
            label=plural(expected, "Accepting %n count…", "Accepting %n counts…"),
        )

    def _bulk_done(self, result: DecisionResult) -> None:
        self.last_result = result
        self.window_.statusBar().showMessage(result.message, 10000)
        self.case_view.set_message(result.message)
        self.model.reload_rows()
        if self.current_case is not None:
            self.load_case(self.current_case)

    # -- progress, legend, zoom ------------------------------------------------------------------------

    def show_progress(self) -> None:
        if self.tabs.currentIndex() != 1:
            self.tabs.setCurrentIndex(1)  # _tab_changed loads the figures
            return
        user = self.user
        self.runner.read(lambda ws, p: review.progress(ws, user), self.progress_view.set_figures, key="progress")

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.show_progress()

    def show_legend(self) -> None:
        legend = ShortcutLegend(self.actions_for_legend(), self.window_)
        legend.setModal(True)
        legend.show()
        self.legend = legend

    def zoom(self, step: int) -> None:
        self._apply_zoom(self.zoom_level + step, save=True)

    def _apply_zoom(self, level: int, *, save: bool = False) -> None:
        self.zoom_level = max(MIN_ZOOM, min(MAX_ZOOM, level))
        base = QFont(self.window_.font())
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        font = QFont(base)
        font.setPointSizeF(max(6.0, size + self.zoom_level))
        for widget in (self.table, self.case_view, self.filter_bar, self.progress_view, self.count_label):
            widget.setFont(font)
        self.case_view.text.document().setDefaultFont(font)
        self.table.verticalHeader().setDefaultSectionSize(int(font.pointSizeF() * 2.4))
        self._size_columns()
        if save:
            settings().setValue(ZOOM_KEY, self.zoom_level)

    def _char_metrics(self) -> tuple[float, int]:
        """One average character of the table's font and the cell padding, in pixels."""
        char = self.table.fontMetrics().horizontalAdvance("0123456789abcdefghij") / 20
        padding = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 8
        return char, padding

    def _size_columns(self) -> None:
        """Column widths in characters of the table's font, so they follow the zoom and the
        scaling: the reviewer's own width where they dragged one, else the default."""
        char, padding = self._char_metrics()
        self._sizing = True
        try:
            for column, (key, _header, chars) in enumerate(COLUMNS):
                chars = self.column_widths.get(key, chars)
                self.table.setColumnWidth(column, round(chars * char + padding))
        finally:
            self._sizing = False

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        """Remember a width the reviewer dragged (not the last column: it stretches with the
        window, so its width says nothing about what the reviewer wants)."""
        if self._sizing or column >= len(COLUMNS) - 1 or new <= 0:
            return
        char, padding = self._char_metrics()
        self.column_widths[COLUMNS[column][0]] = round(max(1.0, (new - padding) / char), 1)

    def reset_column_widths(self) -> None:
        """Back to the default widths (View ▸ Reset column widths)."""
        self.column_widths = {}
        settings().remove(COLUMN_WIDTHS_KEY)
        self._size_columns()

    # -- for tests and other screens ---------------------------------------------------------------------

    def current_row_data(self) -> QueueRow | None:
        row = self.current_row()
        return self.model.cached_row(row) if row >= 0 else None

    def workspace_changed(self) -> None:
        """Call after an import or an evaluation: the queue summary is rebuilt and reloaded."""
        QTimer.singleShot(0, self.refresh)


__all__ = ["WorkspaceView", "outcome_label"]
