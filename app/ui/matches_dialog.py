"""Review ▸ Possible same people: the open same-person proposals, each confirmed or rejected.

Two records with the same name and date of birth and no shared key may be one person. Until
someone decides, neither person's counts are recommended for relief (the other record's
priors may be theirs), so the proposals need a place that is always at hand, not only the
import wizard's last page.
"""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import Cancelled, ClearSlateError
from app.services import importing
from app.services.auth import User
from app.store.imports import RecordCase
from app.store.workspace import Workspace
from app.ui.dialogs import count_text, message_label, show_error
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("MatchesDialog", text)


def _record(name: str | None, key: str | None, key_type: str | None) -> str:
    """``MORALES, ANA — CII_NUMBER 00000042`` (or "no person key")."""
    who = name or _tr("(no name)")
    if not key:
        return f"{who} — " + _tr("no person key")
    return f"{who} — {key_type or _tr('key')} {key}"


def _record_html(title: str, record: str, dob: str | None, cases: list[RecordCase]) -> str:
    """One side of the current pair: who, then each case with its court, county and offenses."""
    born = _tr("Born %1").replace("%1", dob or "?")
    lines = [f"<p><b>{escape(title)}</b><br>{escape(record)}<br>{escape(born)}</p>"]
    if not cases:
        lines.append(f"<p>{escape(_tr('No cases.'))}</p>")
    for case in cases:
        where = ", ".join(
            filter(
                None,
                (
                    case.court,
                    _county(case.county) if case.county else None,
                    _tr("filed %1").replace("%1", case.filing_date) if case.filing_date else None,
                ),
            )
        )
        offenses = "".join(f"<br>&nbsp;&nbsp;{escape(o)}" for o in case.offenses)
        lines.append(
            f"<p><b>{escape(case.case_number)}</b>"
            + (f" — {escape(where)}" if where else "")
            + offenses
            + "</p>"
        )
    return "".join(lines)


def _county(name: str) -> str:
    """A county as people write it ("Kern County"); a name that already says what it is stays
    as it is: "Baltimore City" is not a county, and "Baltimore County" is not "Baltimore
    County County"."""
    if name.split()[-1].upper() in {"CITY", "COUNTY"}:
        return name
    return _tr("%1 County").replace("%1", name)


def _cases(cases: list[str]) -> str:
    shown = ", ".join(cases[:4])
    return shown + (" …" if len(cases) > 4 else "") if cases else "—"


class MatchesPanel(QWidget):
    """The open proposals in a table, the current pair's two records side by side below it;
    Same person / Different people decide every selected pair at once.

    Shared by Review ▸ Possible same people (:class:`MatchesDialog`) and the import wizard's
    last page. The proposals are read with ``ws`` on the UI thread. Decisions are written
    with ``ws`` too, unless a ``runner`` is given: then they run on its writer thread with
    that thread's own connection (the wizard's model; its result comes back here).
    Call :meth:`reload` to fill it.
    """

    decided = Signal()  # after each decision: the review queue is out of date until evaluated
    busyChanged = Signal(bool)  # noqa: N815 - Qt signal naming; True while a decision is written

    COLUMNS = ("Record", "Cases", "Possibly the same as", "Cases", "Born")

    def __init__(
        self,
        ws: Workspace,
        user: User,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("matchesPanel")
        self.ws = ws
        self.user = user
        self.runner = runner
        self.decisions = 0
        self.deciding = False
        self.matches: list = []  # type: ignore[type-arg]

        self.intro = QLabel(
            self.tr(
                "Each line is two records with the same name and date of birth and no person "
                "key in common. Until a line is decided, neither person's counts are "
                "recommended for relief: the other record's convictions may be theirs. Decide "
                '"Same person" only when the records show it (case files, the state\'s '
                "history), never on the name alone; it joins the two histories and cannot be "
                "undone here. Select several lines (Shift+click, Ctrl+click, Ctrl+A) to decide "
                "them together."
            )
        )
        self.intro.setObjectName("matchesIntro")
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("matchesTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(self.COLUMNS)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in (0, 2)
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.table.setAccessibleName(self.tr("Possible same people"))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.currentCellChanged.connect(lambda *_: self._show_current())

        # The current line's two records in full: a reviewer compares cases, courts and
        # offenses, not the names (which agree by construction).
        self.record_a = self._record_view("recordA", self.tr("Record"))
        self.record_b = self._record_view("recordB", self.tr("Possibly the same as"))
        details = QWidget()
        grid = QGridLayout(details)
        grid.setContentsMargins(0, 0, 0, 0)
        self.details_title = QLabel("")
        self.details_title.setObjectName("matchesDetailsTitle")
        grid.addWidget(self.details_title, 0, 0, 1, 2)
        grid.addWidget(self.record_a, 1, 0)
        grid.addWidget(self.record_b, 1, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(details)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        self.status = QLabel("")
        self.status.setObjectName("matchesStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.error = message_label("matchesError")

        self.same = QPushButton(self.tr("&Same person…"))
        self.same.setObjectName("confirmMatch")
        self.same.clicked.connect(lambda: self.decide(True))
        self.different = QPushButton(self.tr("&Different people"))
        self.different.setObjectName("rejectMatch")
        self.different.clicked.connect(lambda: self.decide(False))
        # The dialog adds its Close button to this row.
        self.button_row = QHBoxLayout()
        self.button_row.addWidget(self.same)
        self.button_row.addWidget(self.different)
        self.button_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(self.button_row)

    def _record_view(self, name: str, title: str) -> QTextBrowser:
        view = QTextBrowser()
        view.setObjectName(name)
        view.setOpenLinks(False)
        view.setAccessibleName(title)
        view.setTabChangesFocus(True)  # Tab moves on to the buttons, as everywhere else
        return view

    def reload(self) -> None:
        """Read the open proposals again (after a decision, a confirm can retire others)."""
        try:
            self.matches = importing.proposed_matches(self.ws)
        except ClearSlateError as exc:
            self.matches = []
            self.error.setText(str(exc))
        self.table.setRowCount(len(self.matches))
        for r, m in enumerate(self.matches):
            cells = (
                _record(m.name_a, m.key_a, m.key_type_a),
                _cases(m.cases_a),
                _record(m.name_b, m.key_b, m.key_type_b),
                _cases(m.cases_b),
                m.dob or "—",
            )
            full = (None, ", ".join(m.cases_a), None, ", ".join(m.cases_b), None)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(full[c] or text)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                self.table.setItem(r, c, item)
        if self.matches:
            self.table.selectRow(0)
            waiting = count_text(
                len(self.matches),
                "%n pair of records waits for a decision.",
                "%n pairs of records wait for a decision.",
                "MatchesDialog",
            )
        else:
            waiting = self.tr("No possible same people are waiting for a decision.")
        if self.decisions:
            # The review list still shows the held-back answers until a new run: say so
            # here, where the reviewer is, rather than leave them to find it out.
            waiting += " " + count_text(
                self.decisions,
                "You decided %n pair here.",
                "You decided %n pairs here.",
                "MatchesDialog",
            ) + " " + self.tr(
                "Evaluate eligibility again (Review ▸ Evaluate eligibility…): until then "
                "their counts stay held back as needs review."
            )  # fmt: skip
        self.status.setText(waiting)
        self._show_current()
        self._update_buttons()

    def _show_current(self) -> None:
        """Both records of the current line (the one with the focus), case by case."""
        row = self.table.currentRow()
        match = self.matches[row] if 0 <= row < len(self.matches) else None
        if match is None:
            self.details_title.setText("")
            self.record_a.clear()
            self.record_b.clear()
            return
        self.details_title.setText(
            self.tr("Line %1 of %2: the two records side by side")
            .replace("%1", f"{row + 1:,}")
            .replace("%2", f"{len(self.matches):,}")
        )
        for view, title, person, name, key, key_type in (
            (self.record_a, self.tr("Record"), match.person_a, match.name_a, match.key_a,
             match.key_type_a),
            (self.record_b, self.tr("Possibly the same as"), match.person_b, match.name_b,
             match.key_b, match.key_type_b),
        ):  # fmt: skip
            try:
                cases = importing.match_record(self.ws, person)
            except ClearSlateError as exc:
                self.error.setText(str(exc))
                cases = []
            view.setHtml(_record_html(title, _record(name, key, key_type), match.dob, cases))

    def _update_buttons(self) -> None:
        allowed = self.user.can("import")
        n = len(self.selected())
        many = f" ({n:,})" if n > 1 else ""
        self.same.setText(self.tr("&Same person") + many + "…")
        self.different.setText(self.tr("&Different people") + many + ("…" if n > 1 else ""))
        for button in (self.same, self.different):
            button.setEnabled(allowed and n > 0 and not self.deciding)
            button.setToolTip(
                "" if allowed else self.tr("Your role may not decide same-person matches.")
            )

    def selected(self) -> list[int]:
        """The ids of the selected proposals, in the table's order."""
        out = []
        for index in sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row()):
            item = self.table.item(index.row(), 0)
            if item is not None:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def current(self) -> int | None:
        """The id of the (first) selected proposal, or None."""
        chosen = self.selected()
        return chosen[0] if chosen else None

    def decide(self, same: bool, *, ask: bool = True) -> None:
        """Confirm or reject every selected pair in one go, after one question (confirming
        joins histories for good; deciding many at once deserves a second look)."""
        ids = self.selected()
        if not ids or not self.user.can("import") or self.deciding:
            return
        if ask and (same or len(ids) > 1) and not self._agreed(same, ids):
            return
        username = self.user.username
        if self.runner is None:
            try:
                done = importing.decide_matches(self.ws, ids, same=same, user=username)
            except ClearSlateError as exc:
                self._refused(exc)
                return
            self._decided(done)
            return
        # On the runner's writer thread, with its own connection; the buttons wait for it.
        self._set_deciding(True)
        self.status.setText(
            count_text(
                len(ids),
                "Recording the decision on %n pair…",
                "Recording the decisions on %n pairs…",
                "MatchesDialog",
            )
        )
        self.runner.write(
            lambda ws, _progress: importing.decide_matches(ws, ids, same=same, user=username),
            self._decided,
            on_error=self._refused,
        )

    def _set_deciding(self, deciding: bool) -> None:
        self.deciding = deciding
        self._update_buttons()
        self.busyChanged.emit(deciding)

    def _decided(self, done: list) -> None:  # type: ignore[type-arg]
        self._set_deciding(False)
        self.decisions += len(done)
        self.error.setText("")
        self.decided.emit()
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        """Nothing was decided (a batch is all or none): say why, then show what is open now."""
        self._set_deciding(False)
        if isinstance(exc, ClearSlateError):
            show_error(self, str(exc))
        elif not isinstance(exc, Cancelled):
            log.error(
                "deciding same-person pairs failed", exc_info=(type(exc), exc, exc.__traceback__)
            )
            show_error(
                self,
                self.tr(
                    "An unexpected problem stopped this; nothing was decided. The details are "
                    "in the log file."
                ),
            )
        self.reload()

    def _agreed(self, same: bool, ids: list[int]) -> bool:
        if len(ids) == 1:
            match = next(m for m in self.matches if m.id == ids[0])
            text = (
                self.tr(
                    "Join %1 and %2 (born %3) into one person? Their cases, counts and history "
                    "become one record. This cannot be undone here; restoring the backup taken "
                    "before the last import would undo it."
                )
                .replace("%1", match.name_a or "?")
                .replace("%2", match.name_b or "?")
                .replace("%3", match.dob or "?")
            )
        elif same:
            text = count_text(
                len(ids),
                "Join the two records of the %n selected pair into one person?",
                "Join the two records of each of the %n selected pairs into one person?",
                "MatchesDialog",
            ) + " " + self.tr(
                "Each pair's cases, counts and history become one record for good. This "
                "cannot be undone here; restoring the backup taken before the last import "
                "would undo it. Answer Yes only if you checked every pair's records."
            )  # fmt: skip
        else:
            text = count_text(
                len(ids),
                "Record the %n selected pair as different people?",
                "Record the %n selected pairs as different people?",
                "MatchesDialog",
            ) + " " + self.tr(
                "Each pair stays two people, and their counts are no longer held back for "
                "it at the next evaluation."
            )  # fmt: skip
        title = self.tr("Same person?") if same else self.tr("Different people?")
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes


class MatchesDialog(QDialog):
    """Review ▸ Possible same people: the :class:`MatchesPanel` and a Close button."""

    decided = Signal()  # after each decision: the review queue is out of date until evaluated

    def __init__(self, ws: Workspace, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matchesDialog")
        self.setWindowTitle(self.tr("Possible same people"))
        self.panel = MatchesPanel(ws, user, self)
        self.panel.decided.connect(self.decided)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.panel.button_row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        # The panel's parts, by the names callers and tests have always used.
        panel = self.panel
        self.ws, self.user = ws, user
        self.intro, self.table, self.status, self.error = (
            panel.intro,
            panel.table,
            panel.status,
            panel.error,
        )
        self.record_a, self.record_b, self.details_title = (
            panel.record_a,
            panel.record_b,
            panel.details_title,
        )
        self.same, self.different = panel.same, panel.different
        self.resize(1040, 640)
        self.reload()
        self.table.setFocus()

    @property
    def matches(self) -> list:  # type: ignore[type-arg]
        return self.panel.matches

    @property
    def decisions(self) -> int:
        return self.panel.decisions

    def reload(self) -> None:
        self.panel.reload()

    def selected(self) -> list[int]:
        return self.panel.selected()

    def current(self) -> int | None:
        return self.panel.current()

    def decide(self, same: bool, *, ask: bool = True) -> None:
        self.panel.decide(same, ask=ask)
