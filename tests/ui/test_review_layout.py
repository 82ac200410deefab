"""The review window's layout at laptop sizes: which queue columns are in view, what is cut and
what a cut cell says, the narrowest window, the case view's history table, the progress view's
drawing, and the keyboard (Tab order, unique mnemonics)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)

from app.store.review import ProgressFigures
from app.ui.review.progress_view import DAYS_SHOWN, DONE, MARGIN, ProgressView, contrast_ratio
from app.ui.review.queue_model import (
    COL_CASE,
    COL_COUNTS,
    COL_KEY,
    COL_NAME,
    COL_REVIEWER,
    COL_STATUS,
)
from tests.conftest import make_workspace
from tests.review_seed import known_policy, seed_small  # noqa: F401 - fixture
from tests.ui.test_review_window import open_window

LONG_CASE = "LASC-BA-2019-000000123456789-CR-FEL-CONSOLIDATED-A"
LONG_KEY = "CII000000000000000017"


@pytest.fixture
def long_values_path(tmp_path: Path, known_policy: None) -> Path:  # noqa: F811 - the fixture
    """The small seeded workspace with one very long case number and person key."""
    ws = make_workspace(tmp_path)
    seed = seed_small(ws)
    with ws.transaction():
        ws.conn.execute("UPDATE cases SET case_number = ? WHERE id = ?", (LONG_CASE, seed.cases["BA100001"]))
        ws.conn.execute("UPDATE people SET person_key = ? WHERE id = ?", (LONG_KEY, seed.people["CII0001"]))
    path = ws.path
    ws.close()
    return path


def _open(qtbot, path: Path, size: tuple[int, int] = (1280, 800)):  # type: ignore[no-untyped-def]
    win, view = open_window(qtbot, path)
    win.resize(*size)
    qtbot.waitUntil(lambda: win.width() == size[0])
    qtbot.wait(20)  # let the layouts settle at the new size
    return win, view


def test_status_and_reviewer_columns_are_in_view_at_1280x800(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, view = _open(qtbot, long_values_path)
    try:
        header = view.table.horizontalHeader()
        visible = view.table.viewport().width()
        for column in (COL_NAME, COL_CASE, COL_STATUS, COL_REVIEWER):
            left = header.sectionViewportPosition(column)
            assert left >= 0 and left + header.sectionSize(column) <= visible, (
                view.model.headerData(column, Qt.Orientation.Horizontal), left, header.sectionSize(column), visible)
    finally:
        win.close_workspace()


def test_every_filter_shows_its_whole_any_choice_at_1280x800(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    win, view = _open(qtbot, long_values_path)
    try:
        bar = view.filter_bar
        for combo in (bar.outcome, bar.status, bar.place, bar.section, bar.reviewer):
            assert combo.currentData() is None  # the "any" choice
            option = QStyleOptionComboBox()
            combo.initStyleOption(option)
            field = combo.style().subControlRect(
                QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo)
            needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
            assert needed <= field.width(), (combo.currentText(), needed, field.width())
    finally:
        win.close_workspace()


def test_long_identifiers_are_cut_in_the_middle_with_the_whole_text_as_tooltip(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, view = _open(qtbot, long_values_path)
    try:
        assert view.table.textElideMode() == Qt.TextElideMode.ElideMiddle
        model = view.model
        row = next(r for r in range(model.rowCount()) if model.data(model.index(r, COL_CASE)) == LONG_CASE)
        metrics = view.table.fontMetrics()
        for column, full in ((COL_CASE, LONG_CASE), (COL_KEY, LONG_KEY)):
            index = model.index(row, column)
            # The cell is narrower than its text: the view cuts it ...
            assert metrics.horizontalAdvance(full) > view.table.columnWidth(column)
            # ... and the tooltip gives it whole.
            assert model.data(index, Qt.ItemDataRole.ToolTipRole) == full
        assert LONG_KEY in model.data(model.index(row, COL_NAME), Qt.ItemDataRole.ToolTipRole)
        # Every text cell of every row has a tooltip (the figures column is never cut).
        for r in range(model.rowCount()):
            for column in range(model.columnCount()):
                tip = model.data(model.index(r, column), Qt.ItemDataRole.ToolTipRole)
                text = model.data(model.index(r, column))
                if column == COL_COUNTS or not text:
                    continue
                assert tip and text in tip, (r, column, text, tip)
    finally:
        win.close_workspace()


def test_the_window_fits_a_laptop_and_keeps_the_decision_buttons_in_view(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A 1366×768 laptop at 125 % offers about 1093 × 614 logical pixels to a maximised window.
    win, view = _open(qtbot, long_values_path, (1024, 640))
    try:
        assert win.minimumSizeHint().width() <= 1000, win.minimumSizeHint()
        assert win.size().width() == 1024 and win.size().height() == 640
        bar = view.case_view
        for widget in (bar.scope, bar.accept_button, bar.override_button, bar.flag_button, bar.skip_button):
            assert widget.isVisible()
            top_left = widget.mapTo(win, QPoint(0, 0))
            assert win.rect().contains(QRect(top_left, widget.size())), (widget.objectName(), top_left, widget.size())
            assert not widget.visibleRegion().isEmpty()
            # Not squeezed below what its text needs.
            assert widget.width() >= widget.minimumSizeHint().width()
        # The filters are all there, side by side, none squeezed below its minimum.
        for combo in (view.filter_bar.outcome, view.filter_bar.status, view.filter_bar.place,
                      view.filter_bar.section, view.filter_bar.reviewer):
            assert combo.isVisible() and combo.width() >= combo.minimumSizeHint().width()
            top_left = combo.mapTo(win, QPoint(0, 0))
            assert win.rect().contains(QRect(top_left, combo.size()))
    finally:
        win.close_workspace()


def _words_broken_across_lines(document: QTextDocument) -> list[str]:
    """Every place where a laid-out line ends inside a word ("misde|meano|r")."""
    document.documentLayout().documentSize()  # lay the whole document out
    broken = []
    block = document.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for i in range(layout.lineCount() - 1):
            line = layout.lineAt(i)
            end = line.textStart() + line.textLength()
            if 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
                broken.append(f"{text[:end]}|{text[end:]}")
        block = block.next()
    return broken


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640)])
def test_the_case_view_never_breaks_a_word(qtbot, long_values_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    win, view = _open(qtbot, long_values_path, size)
    try:
        browser = view.case_view.text
        # A person with priors: the history table has several rows and a deciding prior.
        for row in range(view.model.rowCount()):
            view.select_row(row)
            qtbot.waitUntil(lambda r=row: view.detail is not None and view.detail.case.case_id == view.model.case_id(r))
            assert "History across every source" in browser.toPlainText()
            assert _words_broken_across_lines(browser.document()) == [], view.detail.case.case_number
            # Short values are whole and the table fits the view (no sideways scrolling)
            # unless a single word is wider than the view can be.
            if LONG_CASE not in browser.toPlainText():
                assert browser.horizontalScrollBar().maximum() == 0
    finally:
        win.close_workspace()


def _figures() -> ProgressFigures:
    by_outcome = {
        "eligible_dismiss": {"total": 2661, "decided": 455, "flagged": 3, "skipped": 0, "left": 2203},
        "not_eligible": {"total": 40531, "decided": 6980, "flagged": 0, "skipped": 1, "left": 33551},
        "needs_review": {"total": 3578, "decided": 12, "flagged": 40, "skipped": 0, "left": 3526},
    }
    by_reviewer = {
        "reviewer": {"decided": 8634, "flagged": 43, "skipped": 1},
        "a.very.long.reviewer.name@county.example.gov": {"decided": 120, "flagged": 0, "skipped": 0},
    }
    today = QDate.currentDate()
    days = [(today.addDays(-d).toString("yyyy-MM-dd"), 1000 + 97 * d) for d in range(29, -1, -1)]
    return ProgressFigures(53363, by_outcome, by_reviewer, days, 34739, 5403)


@pytest.mark.parametrize("size", [(1240, 700), (640, 480), (320, 240)])
def test_progress_view_draws_every_figure_inside_with_readable_text(qtbot, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    view = ProgressView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    view.set_figures(_figures())
    qtbot.waitExposed(view)
    texts, bars = view.layout_items()
    inside = QRectF(view.rect())
    metrics = QFontMetricsF(view.font())
    bold = QFont(view.font())
    bold.setBold(True)
    bold_metrics = QFontMetricsF(bold)
    assert any("8,634 decided" in t.text for t in texts) or size[0] < 640
    for item in texts:
        # Inside the widget (the top reviewer's figures ran off the right edge) ...
        assert inside.contains(item.rect) or item.rect.bottom() > inside.bottom(), (item.text, item.rect, inside)
        assert item.rect.left() >= 0 and item.rect.right() <= inside.right() + 0.01, (item.text, item.rect)
        # ... the text fits the room it was given ...
        width = (bold_metrics if item.bold else metrics).horizontalAdvance(item.text)
        assert width <= item.rect.width() + 0.5, (item.text, width, item.rect.width())
        # ... and sits on the background, never on a coloured bar.
        for bar in bars:
            assert not item.rect.intersects(bar.rect), (item.text, item.rect, bar.rect)
    # The text colour on the background reaches WCAG AA (the old black-on-green was 4.2:1).
    assert contrast_ratio(view.text_color(), view.background_color()) >= 4.5
    assert not view.grab().isNull()


def test_one_days_decisions_are_one_bar_among_the_last_30_days(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ProgressView()
    qtbot.addWidget(view)
    view.resize(1240, 700)
    view.show()
    figures = _figures()
    today = QDate.currentDate()
    view.set_figures(replace(figures, per_day=[(today.addDays(-3).toString("yyyy-MM-dd"), 76)]))
    qtbot.waitExposed(view)
    texts, bars = view.layout_items()
    chart = [b for b in bars if b.color == DONE and b.rect.top() > next(t.rect.bottom() for t in texts if "per day" in t.text)]
    # One bar, a thirtieth of the width (a single day once filled the whole chart), four
    # slots from the right: the day it was decided, three days before today.
    assert len(chart) == 1
    slot = (view.width() - 2 * MARGIN) / DAYS_SHOWN
    assert chart[0].rect.width() < slot
    assert chart[0].rect.left() == pytest.approx(MARGIN + (DAYS_SHOWN - 4) * slot + 2)
    labels = {t.text for t in texts}
    assert "76" in labels and "Decisions per day (last 30 days)" in labels
    # Today is labelled as the user's locale names the month, not as an ISO fragment ("11-22").
    assert QLocale().toString(today, "MMM d") in labels
    assert not any(re.fullmatch(r"\d\d-\d\d", t) for t in labels)


def test_contrast_ratio_matches_wcag() -> None:
    assert round(contrast_ratio(QColor("black"), QColor("white")), 1) == 21.0
    assert contrast_ratio(QColor("black"), QColor("#2e7d5b")) < 4.5  # why text no longer sits on the bars


def _mnemonic(text: str) -> str:
    return QKeySequence.mnemonic(text).toString()


def _mnemonic_scopes(win: QMainWindow) -> dict[str, list[tuple[str, str]]]:
    """The &-letters of a window by scope: the window itself (menu titles, tabs, buttons and
    labels with a buddy that are on screen) and each menu (its actions)."""
    scopes: dict[str, list[tuple[str, str]]] = {"window": []}
    window = scopes["window"]

    def menu(m: QMenu, name: str) -> None:
        scope = scopes.setdefault(name, [])
        for action in m.actions():
            if action.isVisible() and not action.isSeparator():
                scope.append((_mnemonic(action.text()), action.text()))
                if action.menu() is not None:
                    menu(action.menu(), f"{name} ▸ {action.text()}")

    for action in win.menuBar().actions():
        window.append((_mnemonic(action.text()), action.text()))
        menu(action.menu(), action.text())
    for widget in win.findChildren(QWidget):
        if not widget.isVisibleTo(win) or widget.window() is not win:
            continue
        if isinstance(widget, QAbstractButton) or isinstance(widget, QLabel) and widget.buddy() is not None:
            window.append((_mnemonic(widget.text()), widget.text()))
        if isinstance(widget, QTabBar):
            window.extend((_mnemonic(widget.tabText(i)), widget.tabText(i)) for i in range(widget.count()))
    return {name: [(key, text) for key, text in scope if key] for name, scope in scopes.items()}


def test_every_mnemonic_of_the_review_window_is_unique(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, view = _open(qtbot, long_values_path)
    try:
        scopes = _mnemonic_scopes(win)
        window_keys = {key for key, _ in scopes["window"]}
        # The scope walk sees the window: the menus, the tabs, the filters and the decision bar.
        assert {"Alt+F", "Alt+Q", "Alt+P", "Alt+O", "Alt+D"} <= window_keys, scopes["window"]
        for name, scope in scopes.items():
            keys = [key for key, _ in scope]
            clashes = sorted({(key, text) for key, text in scope if keys.count(key) > 1})
            assert not clashes, (name, clashes)
        # A mnemonic reaches its field: Alt+D goes to the counts the decision applies to.
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is view.case_view.scope
        qtbot.keyClick(view.case_view.scope, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is view.filter_bar.reviewer
    finally:
        win.close_workspace()


def test_tab_leaves_the_queue_and_arrows_move_between_rows(qtbot, long_values_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, view = _open(qtbot, long_values_path)
    try:
        view.table.setFocus()
        qtbot.waitUntil(lambda: view.table.hasFocus())
        row = view.current_row()
        qtbot.keyClick(view.table, Qt.Key.Key_Down)
        assert view.current_row() == row + 1 and view.table.hasFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_Tab)
        after_tab = QApplication.focusWidget()
        assert after_tab is not view.table and after_tab is not None
        assert view.current_row() == row + 1  # Tab did not move the selection either
        qtbot.keyClick(after_tab, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is view.table
    finally:
        win.close_workspace()
