"""Sign-off, export (with print preview of the filings) and the audit-log viewer."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClearSlateError
from app.core.model import Outcome
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.dialogs import (
    count_text,
    fit_combo,
    fit_height,
    local_datetime,
    message_label,
    outcome_label,
    password_field,
)


def status_text(status: Any) -> str:
    """A sign-off status in words, its time local (the service's text carries the UTC stamp,
    which the command line and the packet keep)."""
    text = status.message()
    if status.signoff is not None:
        text = text.replace(status.signoff.at, local_datetime(status.signoff.at))
    return text


class SignoffDialog(QDialog):
    """What is being signed (counts by outcome and decider) and the signer's password again."""

    def __init__(self, ws: Workspace, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.services.signoff import preview, signoff_status

        self.ws, self.user = ws, user
        self.report: Any = None
        self.setObjectName("signoffDialog")
        self.setWindowTitle(self.tr("Sign off the decisions"))
        figures = preview(ws)
        status = signoff_status(ws)
        lines = [
            count_text(
                figures["count_total"],
                "You are signing the current final decision of %n count:",
                "You are signing the current final decisions of %n counts:",
                "SignoffDialog",
            )
        ]
        lines += [f"    {outcome_label(o)}: {n:,}" for o, n in figures["by_outcome"].items()]
        lines.append(
            self.tr("Decided by: ")
            + ", ".join(f"{u} ({n:,})" for u, n in figures["by_decider"].items())
        )
        if figures["not_covered"]:
            lines.append(
                self.tr("Not covered (no final decision yet): ")
                + ", ".join(f"{n:,} {s}" for s, n in figures["not_covered"].items())
            )
        lines.append("")
        lines.append(self.tr("Current sign-off: ") + status_text(status))
        self.summary = QLabel("\n".join(lines))
        self.summary.setObjectName("signoffSummary")
        self.summary.setWordWrap(True)  # a void sign-off names cases; the dialog must not grow
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password = password_field("signoffPassword", self.tr("Your password"))
        self.error = message_label("signoffError")
        form = QFormLayout()
        form.addRow(self.tr("Signing as:"), QLabel(f"{user.username} ({user.role.value})"))
        form.addRow(self.tr("Password again:"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(
            self.tr("Sign off"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_button.setObjectName("signoffButton")
        self.sign_button.setEnabled(user.can("signoff") and figures["count_total"] > 0)
        if not user.can("signoff"):
            self.error.setText(self.tr("Only a supervisor or an administrator may sign off."))
        buttons.accepted.connect(self.sign)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def sign(self) -> None:
        from app.services.signoff import signoff

        try:
            self.report = signoff(self.ws, self.user, self.password.text())
        except ClearSlateError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            fit_height(self)  # the message wraps onto new lines: make room, cut nothing
            return
        self.accept()


class ExportDialog(QDialog):
    """Choose a new folder, export with progress (task runner), then open it or print the filings."""

    def __init__(
        self,
        ws: Workspace,
        ws_path: Path,
        user: User,
        parent: QWidget | None = None,
        *,
        start_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        from app.services.signoff import signoff_status

        self.ws, self.ws_path, self.user = ws, ws_path, user
        self.report: Any = None
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export the packet"))
        status = signoff_status(ws)
        self.status = QLabel(status_text(status))
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        default = (start_dir or ws_path.parent) / f"{ws_path.stem}-packet"
        self.folder = QLineEdit(str(default))
        self.folder.setObjectName("exportFolder")
        self.folder.setAccessibleName(self.tr("Packet folder"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setAutoDefault(False)  # Enter in the folder field exports; it does not browse
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.folder)
        row.addWidget(browse)
        self.result = QLabel("")
        self.result.setObjectName("exportResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.export_button.setEnabled(status.valid and user.can("export"))
        self.open_button = buttons.addButton(
            self.tr("Open folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setObjectName("openFolderButton")
        self.open_button.setEnabled(False)
        self.print_button = buttons.addButton(
            self.tr("Print preview…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setObjectName("printPreviewButton")
        self.print_button.setEnabled(status.valid)
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self.open_folder)
        self.print_button.clicked.connect(self.print_preview)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(QLabel(self.tr("New folder for the packet:")))
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.resize(620, 260)
        self.runner: Any = None

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Folder to put the packet in"), str(Path(self.folder.text()).parent)
        )
        if chosen:
            self.folder.setText(str(Path(chosen) / Path(self.folder.text()).name))

    def export(self) -> None:
        # In a process of its own: laying out PDFs on a thread beside this one can deadlock
        # with it (app/services/packet_process.py).
        from app.services.packet_process import export_packet_in_process
        from app.ui.tasks import TaskRunner

        if self.runner is None:
            self.runner = TaskRunner(self.ws_path, self, dialog_parent=self)
        folder, user = self.folder.text().strip(), self.user
        self.export_button.setEnabled(False)
        self.result.setText(self.tr("Exporting…"))
        self.runner.write(
            lambda ws, progress: export_packet_in_process(ws, user, folder, progress),
            on_done=self._done,
            on_error=self._failed,
            label=self.tr("Exporting the packet…"),
        )

    def _done(self, report: Any) -> None:
        self.report = report
        total = sum(report.counts_by_outcome.values())
        lines = [
            count_text(
                total, "Exported %n signed-off count", "Exported %n signed-off counts", "Export"
            )
            + self.tr(" to %s.") % report.folder,
            count_text(len(report.files), "%n file", "%n files", "Export")
            + self.tr(" in the packet; the cover pages carry the fingerprint %s.")
            % report.fingerprint,
            *(self.tr("Note: %s") % w for w in report.warnings),
        ]
        notices = sorted(
            str(f["name"]) for f in report.files if str(f["name"]).startswith("notices-")
        )
        if notices:
            # The policy sends each person a letter (Seattle): say what the office must add.
            lines.append(
                self.tr(
                    "The packet holds a letter to each person (%s): add each person's mailing "
                    "address, which ClearSlate does not hold, and date the letters the day they are mailed."
                )
                % ", ".join(notices)
            )
        self.result.setText("\n".join(lines))
        fit_height(self)  # the notes wrap onto many lines: make room, cut nothing
        # What a later check compares against: the manifest's own hash, for the record.
        self.result.setToolTip(self.tr("Manifest SHA-256: %s") % report.manifest_sha256)
        self.open_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.result.setText(
            exc.message
            if isinstance(exc, ClearSlateError)
            else self.tr("The export failed; see the log.")
        )
        self.export_button.setEnabled(True)

    def open_folder(self) -> None:
        if self.report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.folder)))

    def print_preview(self) -> None:
        from app.services.packet import print_filing, signed_filings

        try:
            filings = signed_filings(self.ws)
        except ClearSlateError as exc:
            QMessageBox.warning(self, self.tr("Print"), exc.message)
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        preview = QPrintPreviewDialog(printer, self)
        preview.setObjectName("filingPrintPreview")
        chooser = QComboBox()
        chooser.setObjectName("filingChooser")
        chooser.setAccessibleName(self.tr("Filing to print"))
        for filing in filings:
            letters = getattr(filing, "letters", None)
            if letters is not None:  # the notices: one letter per person, say how many
                chooser.addItem(
                    count_text(len(letters), "%1 (%n letter)", "%1 (%n letters)", "Export").replace(
                        "%1", filing.short_title
                    )
                )
            else:
                chooser.addItem(filing.short_title)
        fit_combo(chooser)
        preview.layout().setMenuBar(chooser)  # type: ignore[union-attr]
        preview.paintRequested.connect(lambda p: print_filing(filings[chooser.currentIndex()], p))
        chooser.currentIndexChanged.connect(lambda _i: _refresh(preview))
        self.preview = preview
        preview.exec()

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        if self.runner is not None:
            self.runner.shutdown()
        super().done(result)


def _refresh(preview: QPrintPreviewDialog) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    widget = preview.findChild(QPrintPreviewWidget)
    if widget is not None:
        widget.updatePreview()


# Words for the keys the services write into audit details; other keys are spelt out from
# their name (by_relief -> "By relief"). Keys below a "by_decider" are user names: verbatim.
_DETAIL_LABELS = {
    "as_of": "As of",
    "batch_id": "Batch",
    "by_decider": "Decided by",
    "case_ids": "Case records",
    "count_total": "Counts",
    "decisions_hash": "Decisions hash",
    "last_decision_id": "Last decision",
    "manifest_sha256": "Manifest SHA-256",
    "new": "New value",
    "old": "Old value",
    "pack_sha256": "Policy SHA-256",
    "pack_version": "Policy version",
    "policy_id": "Policy",
    "previous_run": "Previous run",
    "rereview": "Sent back for review",
    "rows_sha256": "Rows SHA-256",
    "run_id": "Evaluation run",
    "sha256": "SHA-256",
    "signoff_id": "Sign-off",
    "source_id": "Source",
    "stale": "Decided on an earlier recommendation",
    "to_version": "Schema version",
    "why": "Why",
}
_VERBATIM_CHILDREN = {"by_decider", "by_user", "users"}
_LIST_SHOWN = 5  # list items shown in a table cell; the detail pane shows all
_HEX_SHOWN = 16  # characters of a hash shown in a cell


def _key_label(key: str, parent: str | None) -> str:
    if parent in _VERBATIM_CHILDREN:
        return key
    try:
        return Outcome(key).label
    except ValueError:
        pass
    label = _DETAIL_LABELS.get(key) or key.replace("_", " ")
    label = QCoreApplication.translate("AuditLog", label)
    return label[:1].upper() + label[1:] if parent is None else label


def _scalar(value: Any, *, short: bool, plain: bool = False) -> str:
    """One value in words; ``plain`` numbers are record numbers (no thousands separator)."""
    if value is None:
        return QCoreApplication.translate("AuditLog", "none")
    if isinstance(value, bool):
        return QCoreApplication.translate("AuditLog", "yes" if value else "no")
    if isinstance(value, int | float):
        return str(value) if plain else f"{value:,}"
    text = str(value)
    with contextlib.suppress(ValueError):
        return Outcome(text).label
    if short and len(text) > _HEX_SHOWN + 4 and all(c in "0123456789abcdef" for c in text):
        return text[:_HEX_SHOWN] + "…"  # a hash: its start tells entries apart
    return text


def _value_text(value: Any, key: str, *, short: bool) -> str:
    # Lists of numbers (case_ids, counts of a review batch) and *_id keys hold record numbers.
    plain = key.endswith(("_id", "_ids")) or isinstance(value, list | tuple)
    if isinstance(value, list | tuple):
        if not value:
            return QCoreApplication.translate("AuditLog", "none")
        items = [_scalar(v, short=short, plain=plain) for v in value]
        if short and len(items) > _LIST_SHOWN:
            more = QCoreApplication.translate(
                "AuditLog", "… and %n more", "", len(items) - _LIST_SHOWN
            )
            return ", ".join(items[:_LIST_SHOWN]) + " " + more
        return ", ".join(items)
    return _scalar(value, short=short, plain=plain)


def detail_lines(
    details: dict[str, Any], *, short: bool = False, parent: str | None = None
) -> list[str]:
    """An entry's details as "Label: value" lines, nested values flattened ("By outcome ›
    Eligible: dismiss: 14"). ``short`` cuts long lists and hashes for a table cell."""
    lines: list[str] = []

    def walk(value: Any, path: list[str], key: str) -> None:
        if isinstance(value, dict):
            if not value:
                lines.append(
                    f"{' › '.join(path)}: " + QCoreApplication.translate("AuditLog", "none")
                )
            for child_key, child in value.items():
                walk(child, [*path, _key_label(str(child_key), key)], str(child_key))
            return
        lines.append(f"{' › '.join(path)}: {_value_text(value, key, short=short)}")

    for key, value in details.items():
        walk(value, [_key_label(str(key), parent)], str(key))
    return lines


def detail_summary(details: dict[str, Any]) -> str:
    """An entry's details on one line for a table cell: "By outcome: Eligible: dismiss 14,
    Not eligible 18; Decided by: reviewer 79" (long lists and hashes cut)."""
    parts = []
    for key, value in details.items():
        label = _key_label(str(key), None)
        if isinstance(value, dict) and value:
            # "Eligible: dismiss: 14" -> "Eligible: dismiss 14": the last colon is the value's.
            inner = [
                " ".join(line.rsplit(": ", 1))
                for line in detail_lines(value, short=True, parent=str(key))
            ]
            parts.append(f"{label}: {', '.join(inner)}")
        elif isinstance(value, dict):
            parts.append(f"{label}: " + QCoreApplication.translate("AuditLog", "none"))
        else:
            parts.append(f"{label}: {_value_text(value, str(key), short=True)}")
    return "; ".join(parts)


# What each recorded action is, in the words of the people who read the log. The Outcome
# column says how it went, so these are nouns ("Sign-off"), never results: a clerk's refused
# attempt to sign off is recorded under the same action as a supervisor's sign-off. The code
# stays in the tooltip and the entry pane; an action not listed here shows as its code.
_ACTION_WORDS = {
    "import": "Import",
    "evaluate": "Evaluation",
    "policy.options": "Policy options",
    "review": "Review",
    "review.accept": "Review: accept",
    "review.override": "Review: override",
    "review.flag": "Review: flag for supervisor",
    "review.skip": "Review: skip",
    "review.undo": "Review: undo",
    "review.bulk_accept": "Review: accept all in a filter",
    "matches": "Same person",
    "person.match.confirm": "Same person: confirmed",
    "person.match.reject": "Same person: different people",
    "decisions": "Decision list",
    "decisions.export": "Decision list",
    "signoff": "Sign-off",
    "signoff.refused": "Sign-off",
    "signoff.success": "Sign-off password check",
    "signoff.failure": "Sign-off password check",
    "export": "Export",
    "export.refused": "Export",
    "export.cancelled": "Export",
    "export.failed": "Export",
    "export.cleanup": "Export: partial folder removed",
    "verify.packet": "Check of a packet",
    "verify.workspace": "Check of the workspace",
    "logon.success": "Log-on",
    "logon.failure": "Log-on",
    "unlock.success": "Unlock",
    "unlock.failure": "Unlock",
    "screen.lock": "Screen locked",
    "user.add": "User: add",
    "user.disable": "User: disable",
    "user.enable": "User: enable",
    "user.lock": "User: locked out",
    "user.unlock": "User: unlock",
    "user.password": "User: password",
    "user.name": "User: full name",
    "password.success": "Password change: current password",
    "password.failure": "Password change: current password",
    "user.role": "User: role",
    "users": "Users",
    "settings": "Settings",
    "settings.change": "Setting change",
    "workspace.create": "Workspace created",
    "workspace.migrate": "Workspace upgraded",
    "workspace.restore": "Workspace restored from a backup",
}
_OUTCOME_WORDS = {
    "ok": "OK",
    "failure": "Failed",
    "refused": "Refused",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted",
}
# The Action filter: a family of actions by the start of their code ("" = every action).
AUDIT_ACTION_FILTERS = (
    ("", "Any action"),
    ("import", "Imports"),
    ("evaluate", "Evaluations"),
    ("review", "Review decisions"),
    ("person.match.", "Same-person decisions"),
    ("decisions", "Decision lists"),
    ("signoff", "Sign-offs"),
    ("export", "Exports"),
    ("verify.", "Checks"),
    ("logon.", "Log-ons"),
    ("unlock.", "Unlocks"),
    ("screen.lock", "Screen locks"),
    ("user", "Users"),
    ("settings", "Settings"),
    ("policy.", "Policy options"),
    ("workspace.", "Workspace"),
)


def action_text(code: str) -> str:
    """A recorded action in words ("Sign-off"); an unknown one (a newer version's) as its code.
    Refusals of a CLI command are recorded under the command ("users.add"): the family's words."""
    words = _ACTION_WORDS.get(code) or _ACTION_WORDS.get(code.split(".")[0])
    return QCoreApplication.translate("AuditLog", words) if words else code


def outcome_text(code: str) -> str:
    words = _OUTCOME_WORDS.get(code)
    return QCoreApplication.translate("AuditLog", words) if words else code


class AuditModel(QAbstractTableModel):
    """Audit entries, newest first: local times, details in words (full text as tooltip)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers = (
            self.tr("#"),
            self.tr("When"),
            self.tr("User"),
            self.tr("Action"),
            self.tr("Object"),
            self.tr("Outcome"),
            self.tr("Details"),
        )
        self.rows: list[Any] = []
        self._cells: list[tuple[str, ...]] = []

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self.rows = entries
        # Formatted once: data() is called for every cell on every repaint.
        self._cells = [
            (
                f"{e.seq:,}",
                local_datetime(e.at),
                e.user or "",
                action_text(e.action),
                e.object or "",
                outcome_text(e.outcome),
                detail_summary(e.details),
            )
            for e in entries
        ]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[row][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            entry = self.rows[row]
            if column == 1:
                return self.tr("%s UTC") % entry.at  # what the exported log files say
            if column == 3:
                return self.tr("Recorded as %s") % entry.action  # the code the exported log has
            if column == 6:
                return "\n".join(detail_lines(entry.details)) or None
            return self._cells[row][column] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


class AuditLogDialog(QDialog):
    """The audit log: filters (action, user, text, dates) searched over the whole log, the
    selected entry in full, and a Verify button for the chain."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setObjectName("auditLogDialog")
        self.setWindowTitle(self.tr("Audit log"))
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.setAccessibleName(self.tr("Action"))
        for prefix, words in AUDIT_ACTION_FILTERS:
            self.action.addItem(QCoreApplication.translate("AuditLog", words), prefix)
        fit_combo(self.action)
        self.action.activated.connect(lambda _index: self.reload())
        self.user = QLineEdit()
        self.user.setObjectName("auditUser")
        self.user.setPlaceholderText(self.tr("user"))
        self.text = QLineEdit()
        self.text.setObjectName("auditText")
        self.text.setPlaceholderText(self.tr("text in object or details"))
        for field in (self.user, self.text):
            field.setAccessibleName(field.placeholderText())
            field.setClearButtonEnabled(True)
            field.returnPressed.connect(self.reload)
        # The lowest date means "no limit" and reads "any".
        self.since = self._date_edit("auditSince", self.tr("From date"))
        self.until = self._date_edit("auditUntil", self.tr("To date"))
        apply = QPushButton(self.tr("&Filter"))
        apply.setObjectName("auditFilter")
        apply.clicked.connect(self.reload)
        self.verify_button = QPushButton(self.tr("&Verify chain"))
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.setAutoDefault(False)
        self.verify_button.clicked.connect(self.verify)
        bar = QHBoxLayout()
        action_label = QLabel(self.tr("&Action:"))
        action_label.setBuddy(self.action)
        bar.addWidget(action_label)
        bar.addWidget(self.action)
        for w in (self.user, self.text):
            bar.addWidget(w, 1)
        since_label = QLabel(self.tr("Fro&m:"))
        since_label.setBuddy(self.since)
        until_label = QLabel(self.tr("&To:"))
        until_label.setBuddy(self.until)
        for w in (since_label, self.since, until_label, self.until, apply, self.verify_button):
            bar.addWidget(w)
        self.model = AuditModel()
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName(self.tr("Audit entries"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)  # one line per entry; the pane below shows it whole
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        # One text line per row (the default height fits two and halves what is visible).
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.selectionModel().currentRowChanged.connect(self._show_entry)
        self.entry = QPlainTextEdit()
        self.entry.setObjectName("auditEntry")
        self.entry.setReadOnly(True)
        self.entry.setAccessibleName(self.tr("Selected entry"))
        self.entry.setPlaceholderText(self.tr("Select an entry to read it in full."))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.entry)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.found = QLabel("")
        self.found.setObjectName("auditFound")
        self.chain = QLabel("")
        self.chain.setObjectName("auditChain")
        self.chain.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.found)
        layout.addWidget(self.chain)
        layout.addWidget(buttons)
        self.resize(1100, 640)
        self.reload()

    def _date_edit(self, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(self.tr("any"))
        edit.setDate(_NO_DATE)
        edit.setToolTip(self.tr("Local date; leave at “any” for no limit."))
        return edit

    @staticmethod
    def _bound(edit: QDateEdit, *, next_day: bool) -> dt.datetime | None:
        """Local midnight starting (or ending) the chosen day, as a UTC moment."""
        day = edit.date()
        if day == _NO_DATE:
            return None
        moment = QDateTime(day.addDays(1) if next_day else day, QTime(0, 0))
        return dt.datetime.fromtimestamp(moment.toSecsSinceEpoch(), dt.UTC)

    def reload(self) -> None:
        from app.services.audit_log import entries

        page = entries(
            self.ws,
            action_prefix=self.action.currentData() or "",
            user=self.user.text().strip(),
            text=self.text.text(),
            since=self._bound(self.since, next_day=False),
            before=self._bound(self.until, next_day=True),
        )
        self.model.set_entries(page.entries)
        self.table.resizeColumnsToContents()
        self.entry.clear()
        if page.capped:
            self.found.setText(
                self.tr(
                    "Showing the newest {shown} of {total} matching entries. Narrow the filter to see older ones."
                ).format(shown=f"{len(page.entries):,}", total=f"{page.total:,}")
            )
        elif page.total == 0:
            self.found.setText(self.tr("No entry matches the filter."))
        else:
            self.found.setText(
                count_text(page.total, "%n matching entry", "%n matching entries", "AuditLog")
            )

    def _show_entry(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.entry.clear()
            return
        e = self.model.rows[current.row()]
        head = self.tr("Entry {seq} — {action} ({code}) — {outcome}").format(
            seq=f"{e.seq:,}",
            action=action_text(e.action),
            code=e.action,
            outcome=outcome_text(e.outcome),
        )
        lines = [
            head,
            self.tr("When: {local} (UTC {utc})").format(local=local_datetime(e.at), utc=e.at),
            self.tr("User: {user}").format(user=e.user or self.tr("none")),
            self.tr("Object: {object}").format(object=e.object or self.tr("none")),
            "",
            *detail_lines(e.details),
        ]
        self.entry.setPlainText("\n".join(lines))

    def verify(self) -> None:
        from app.services.audit_log import check_chain

        report = check_chain(self.ws)
        if report.ok:
            self.chain.setText(
                self.tr("Audit chain: ok — {n} entries, each matches its hash.").format(
                    n=f"{report.entries:,}"
                )
            )
        else:
            self.chain.setText(
                self.tr("Audit chain BROKEN at entry {seq} ({at}): {problem}").format(
                    seq=report.first_bad_seq,
                    at=local_datetime(report.first_bad_at),
                    problem=report.problem,
                )
            )


_NO_DATE = QDate(2000, 1, 1)
