"""Sign-off, export (with print preview of the filings) and the audit-log viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClearSlateError
from app.core.model import Outcome
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.dialogs import message_label, password_field


def _label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


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
            self.tr("You are signing the current final decisions of {n} counts:").format(
                n=f"{figures['count_total']:,}"
            )
        ]
        lines += [f"    {_label(o)}: {n:,}" for o, n in figures["by_outcome"].items()]
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
        lines.append(self.tr("Current sign-off: ") + status.message())
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

    def sign(self) -> None:
        from app.services.signoff import signoff

        try:
            self.report = signoff(self.ws, self.user, self.password.text())
        except ClearSlateError as exc:
            self.error.setText(exc.message)
            self.password.clear()
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
        self.status = QLabel(status.message())
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
        from app.services.packet import export_packet
        from app.ui.tasks import TaskRunner

        if self.runner is None:
            self.runner = TaskRunner(self.ws_path, self, dialog_parent=self)
        folder, user = self.folder.text().strip(), self.user
        self.export_button.setEnabled(False)
        self.result.setText(self.tr("Exporting…"))
        self.runner.write(
            lambda ws, progress: export_packet(ws, user, folder, progress),
            on_done=self._done,
            on_error=self._failed,
            label=self.tr("Exporting the packet…"),
        )

    def _done(self, report: Any) -> None:
        self.report = report
        self.result.setText(
            "\n".join(report.lines()[:3] + [f"warning: {w}" for w in report.warnings])
        )
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
            chooser.addItem(filing.short_title)
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


class AuditModel(QAbstractTableModel):
    HEADERS = ("#", "When (UTC)", "User", "Action", "Object", "Outcome", "Details")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Any] = []

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self.rows = entries
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        e = self.rows[index.row()]
        return (e.seq, e.at, e.user or "", e.action, e.object or "", e.outcome, str(e.details))[
            index.column()
        ]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class AuditLogDialog(QDialog):
    """The audit log with filters (action, user, text) and a Verify button for the chain."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setObjectName("auditLogDialog")
        self.setWindowTitle(self.tr("Audit log"))
        self.action = QLineEdit()
        self.action.setObjectName("auditAction")
        self.action.setPlaceholderText(self.tr("action starts with, e.g. signoff"))
        self.user = QLineEdit()
        self.user.setObjectName("auditUser")
        self.user.setPlaceholderText(self.tr("user"))
        self.text = QLineEdit()
        self.text.setObjectName("auditText")
        self.text.setPlaceholderText(self.tr("text in object or details"))
        for field in (self.action, self.user, self.text):
            field.setAccessibleName(field.placeholderText())
            field.returnPressed.connect(self.reload)
        apply = QPushButton(self.tr("Filter"))
        apply.clicked.connect(self.reload)
        self.verify_button = QPushButton(self.tr("Verify chain"))
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.clicked.connect(self.verify)
        bar = QHBoxLayout()
        for w in (self.action, self.user, self.text, apply, self.verify_button):
            bar.addWidget(w)
        self.model = AuditModel()
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.chain = QLabel("")
        self.chain.setObjectName("auditChain")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addWidget(self.chain)
        layout.addWidget(buttons)
        self.resize(1000, 600)
        self.reload()

    def reload(self) -> None:
        from app.services.audit_log import entries

        self.model.set_entries(
            entries(
                self.ws,
                action_prefix=self.action.text().strip(),
                user=self.user.text().strip(),
                text=self.text.text(),
            )
        )
        self.table.resizeColumnsToContents()

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
                    seq=report.first_bad_seq, at=report.first_bad_at, problem=report.problem
                )
            )
