"""Review ▸ Possible same people: the open same-person proposals, each confirmed or rejected.

Two records with the same name and date of birth and no shared key may be one person. Until
someone decides, neither person's counts are recommended for relief (the other record's
priors may be theirs), so the proposals need a place that is always at hand, not only the
import wizard's last page.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClearSlateError
from app.services import importing
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.dialogs import count_text, message_label, show_error


def _tr(text: str) -> str:
    return QCoreApplication.translate("MatchesDialog", text)


def _record(name: str | None, key: str | None, key_type: str | None) -> str:
    """``MORALES, ANA — CII_NUMBER 00000042`` (or "no person key")."""
    who = name or _tr("(no name)")
    if not key:
        return f"{who} — " + _tr("no person key")
    return f"{who} — {key_type or _tr('key')} {key}"


def _cases(cases: list[str]) -> str:
    shown = ", ".join(cases[:4])
    return shown + (" …" if len(cases) > 4 else "") if cases else "—"


class MatchesDialog(QDialog):
    """The open proposals in a table; Same person / Different people decide the selected one."""

    decided = Signal()  # after each decision: the review queue is out of date until evaluated

    COLUMNS = ("Record", "Cases", "Possibly the same as", "Cases", "Born")

    def __init__(self, ws: Workspace, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matchesDialog")
        self.setWindowTitle(self.tr("Possible same people"))
        self.ws = ws
        self.user = user
        self.decisions = 0

        self.intro = QLabel(
            self.tr(
                "Each line is two records with the same name and date of birth and no person "
                "key in common. Until a line is decided, neither person's counts are "
                "recommended for relief: the other record's convictions may be theirs. Decide "
                '"Same person" only when the records show it (case files, the state\'s '
                "history), never on the name alone; it joins the two histories and cannot be "
                "undone here."
            )
        )
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("matchesTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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

        self.status = QLabel("")
        self.status.setObjectName("matchesStatus")
        self.status.setWordWrap(True)
        self.error = message_label("matchesError")

        self.same = QPushButton(self.tr("&Same person…"))
        self.same.setObjectName("confirmMatch")
        self.same.clicked.connect(lambda: self.decide(True))
        self.different = QPushButton(self.tr("&Different people"))
        self.different.setObjectName("rejectMatch")
        self.different.clicked.connect(lambda: self.decide(False))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.same)
        row.addWidget(self.different)
        row.addStretch(1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.resize(980, 460)
        self.reload()

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
            waiting += " " + self.tr(
                "Evaluate eligibility again (Review ▸ Evaluate eligibility…) so the "
                "recommendations use what you decided."
            )
        self.status.setText(waiting)
        self._update_buttons()

    def _update_buttons(self) -> None:
        allowed = self.user.can("import")
        chosen = self.current() is not None
        for button in (self.same, self.different):
            button.setEnabled(allowed and chosen)
            button.setToolTip(
                "" if allowed else self.tr("Your role may not decide same-person matches.")
            )

    def current(self) -> int | None:
        """The id of the selected proposal, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def decide(self, same: bool, *, ask: bool = True) -> None:
        """Confirm (after asking: it joins two histories for good) or reject the selection."""
        match_id = self.current()
        if match_id is None or not self.user.can("import"):
            return
        match = next(m for m in self.matches if m.id == match_id)
        if same and ask:
            answer = QMessageBox.question(
                self,
                self.tr("Same person?"),
                self.tr(
                    "Join %1 and %2 (born %3) into one person? Their cases, counts and history "
                    "become one record. This cannot be undone here; restoring the backup taken "
                    "before the last import would undo it."
                )
                .replace("%1", match.name_a or "?")
                .replace("%2", match.name_b or "?")
                .replace("%3", match.dob or "?"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            importing.decide_match(self.ws, match_id, confirm=same, user=self.user.username)
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        self.decisions += 1
        self.error.setText("")
        self.decided.emit()
        self.reload()
