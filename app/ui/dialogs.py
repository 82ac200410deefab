"""Small dialogs: log-on (with the system-use notice), new workspace, errors, about."""

from __future__ import annotations

import functools
import platform
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, QTimeZone
from PySide6.QtGui import QGuiApplication
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
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.core.errors import AuthError, ClearSlateError
from app.core.model import OUTCOME_LABELS, Outcome
from app.logs import data_dir, log_file
from app.services import auth
from app.services.auth import SYSTEM_USE_NOTICE, User
from app.store.workspace import Workspace

ERROR_COLOUR = "#a40000"  # dark red; every message in it also says in words what is wrong


def password_field(name: str, accessible_name: str) -> QLineEdit:
    """A password box: hidden echo, an object name for tests, a name for screen readers."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible_name)
    return edit


def message_label(name: str) -> QLabel:
    """The line under a form that says what is wrong (empty until then)."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR}")
    return label


def fit_height(dialog: QWidget) -> None:
    """Grow ``dialog`` (never narrower) to the height its wrapped texts need at its width,
    after a message appeared in it; otherwise the layout squeezes the other labels."""
    layout = dialog.layout()
    layout.activate()
    needed = (
        layout.totalHeightForWidth(dialog.width())
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if dialog.height() < needed:
        dialog.resize(dialog.width(), needed)


def fit_combo(combo: QComboBox) -> None:
    """A combo box as wide as its longest item (call after filling it), with a popup at
    least as wide, and each item's full text as its tooltip where none is set."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for i in range(combo.count()):
        if combo.itemData(i, Qt.ItemDataRole.ToolTipRole) is None:
            combo.setItemData(i, combo.itemText(i), Qt.ItemDataRole.ToolTipRole)
    view = combo.view()
    # Measured from the texts: the view has no layout before its first popup.
    widest = max(
        (view.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
        default=0,
    )
    padding = 24  # the item margins and focus frame (logical pixels: Qt scales them)
    scroll = view.verticalScrollBar().sizeHint().width()
    view.setMinimumWidth(widest + padding + scroll + 2 * view.frameWidth())
    combo.adjustSize()


def count_text(n: int, one: str, many: str, context: str = "ClearSlate") -> str:
    """``"1 case"`` / ``"1,204 cases"``: ``one`` and ``many`` hold %n.

    Goes through Qt's translate() with the count, so a translation can give every plural
    form its language has; with no translation loaded (English) it picks ``one`` or ``many``
    here, never "1 case(s)".
    """
    translated = QCoreApplication.translate(context, many, "", n)
    if translated != many.replace("%n", str(n)):  # a translation answered
        return translated
    # Grouped as every other figure in the window and the reports ("1,204"), whatever the
    # locale (the C locale of a locked-down machine would print "1204").
    return (one if n == 1 else many).replace("%n", f"{n:,}")


def local_datetime(utc_stamp: str | None) -> str:
    """A stored UTC stamp (``2026-11-22T01:14:51.85Z``) as this computer's local date and
    time in the user's locale, with seconds; the stamp itself when it cannot be read.

    Files (audit exports, manifests) keep UTC; only what a person reads here is local.
    """
    if not utc_stamp:
        return ""
    moment = QDateTime.fromString(utc_stamp.rstrip("Z")[:19], "yyyy-MM-ddTHH:mm:ss")
    if not moment.isValid():
        return utc_stamp
    moment.setTimeZone(QTimeZone.utc())
    local = moment.toLocalTime()
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        # No locale set (a service account, a bare offscreen session): the C locale's short
        # date reads "22 11 2026"; ISO cannot be misread.
        return local.toString("yyyy-MM-dd HH:mm:ss")
    time_format = locale.timeFormat(QLocale.FormatType.ShortFormat)
    if "s" not in time_format:  # an audit trail needs the seconds the short format drops
        time_format = time_format.replace("mm", "mm:ss", 1)
    date_format = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in date_format:  # 11/22/26: a log spans years; show all four digits
        date_format = date_format.replace("yy", "yyyy", 1)
    return (
        locale.toString(local.date(), date_format)
        + " "
        + locale.toString(local.time(), time_format)
    )


def outcome_label(outcome: str | None) -> str:
    """An outcome code in words ("Eligible: dismiss"); "Not evaluated" for none; an unknown
    code as it is."""
    if outcome is None:
        return QCoreApplication.translate("Outcome", "Not evaluated")
    try:
        return QCoreApplication.translate("Outcome", OUTCOME_LABELS[Outcome(outcome)])
    except ValueError:
        return outcome


@functools.lru_cache(maxsize=32)
def policy_title(policy_id: str) -> str:
    """The policy pack's name as the county knows it ("California Prop 64 — statewide …"),
    or its id when no pack shipped with this copy has it (a workspace made elsewhere)."""
    from app.rules import packs

    try:
        return packs.load_pack(policy_id).title
    except (ClearSlateError, OSError):  # unknown or malformed: the id still names it
        return policy_id


def show_error(parent: QWidget | None, message: str, title: str | None = None) -> None:
    """A user-facing error: the message only, never a traceback."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title or APP_NAME, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorMessage")
    box.exec()


class LogonDialog(QDialog):
    """Log on to a workspace: the system-use notice, user name and password.

    ``purpose`` is "logon" when opening a workspace and "unlock" for the idle screen lock
    (the user name is then fixed). On success ``self.user`` holds the logged-on user.
    """

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        *,
        purpose: str = "logon",
        username: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.purpose = purpose
        self.user: User | None = None
        self.setObjectName("logonDialog")
        self.setWindowTitle(
            self.tr("Log on — %s") % ws.path.name
            if purpose == "logon"
            else self.tr("Screen locked")
        )
        self.setModal(True)

        notice = QLabel(SYSTEM_USE_NOTICE)
        notice.setWordWrap(True)
        notice.setObjectName("systemUseNotice")
        notice.setFrameShape(QLabel.Shape.StyledPanel)
        notice.setMargin(8)

        self.username = QLineEdit(username or "")
        self.username.setObjectName("username")
        self.username.setAccessibleName(self.tr("User name"))
        if username:
            self.username.setReadOnly(True)
        self.password = password_field("password", self.tr("Password"))
        self.message = message_label("logonMessage")

        form = QFormLayout()
        form.addRow(self.tr("&User name:"), self.username)
        form.addRow(self.tr("&Password:"), self.password)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Log on") if purpose == "logon" else self.tr("Unlock")
        )
        buttons.accepted.connect(self.try_logon)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if purpose == "unlock":
            layout.addWidget(
                QLabel(
                    self.tr(
                        "The screen was locked after a period without activity. Enter your password to go on."
                    )
                )
            )
        layout.addWidget(notice)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()
        self.resize(480, 0)
        fit_height(self)

    def _refuse(self, message: str, field: QLineEdit) -> None:
        self.message.setText(message)
        # Two lines after a failed log-on would otherwise take their room from the system-use
        # notice, which every user must be able to read whole.
        fit_height(self)
        # Back where the next try is typed, the old text selected so typing replaces it.
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()

    def _unlock_refused(self) -> str:
        return (
            self.tr(
                "The password is not right, or the account is locked or disabled. After %1 failed "
                "tries within %2 minutes an account is locked until an administrator unlocks it."
            )
            .replace("%1", str(auth.MAX_FAILURES))
            .replace("%2", str(auth.FAILURE_WINDOW_MINUTES))
        )

    def try_logon(self) -> None:
        name = self.username.text().strip()
        if not name:
            self._refuse(self.tr("Enter your user name."), self.username)
            return
        try:
            self.user = auth.login(self.ws, name, self.password.text(), purpose=self.purpose)
        except AuthError as exc:
            if self.purpose == "unlock":
                # The name is fixed here: "the user name or password" would point at a name
                # nobody typed. Still one message for every failure, as at log-on.
                self._refuse(self._unlock_refused(), self.password)
            else:
                self._refuse(exc.message, self.password)
            return
        except ClearSlateError as exc:
            self._refuse(str(exc), self.password)
            return
        self.accept()


class NewWorkspaceDialog(QDialog):
    """File ▸ New workspace: where, which policy, which county, and the first administrator."""

    def __init__(
        self, policies: list[tuple[str, str]], parent: QWidget | None = None, start_dir: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newWorkspaceDialog")
        self.setWindowTitle(self.tr("New workspace"))
        self.path = QLineEdit()
        self.path.setObjectName("path")
        self.path.setAccessibleName(self.tr("Workspace file"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        self._start_dir = start_dir
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.policy = QComboBox()
        self.policy.setObjectName("policy")
        self.policy.setAccessibleName(self.tr("Policy"))
        for pid, title in policies:
            self.policy.addItem(title, pid)
            self.policy.setItemData(
                self.policy.count() - 1,
                self.tr("Policy pack %1").replace("%1", pid),
                Qt.ItemDataRole.ToolTipRole,
            )
        fit_combo(self.policy)  # pack names are long: show them whole
        self.county = QLineEdit()
        self.county.setObjectName("county")
        self.county.setAccessibleName(self.tr("County"))
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("title")
        self.title_edit.setPlaceholderText(self.tr("e.g. Kern County Prop 64 review"))
        self.admin = QLineEdit()
        self.admin.setObjectName("admin")
        self.admin.setAccessibleName(self.tr("Administrator user name"))
        self.password = password_field("password", self.tr("Administrator password"))
        self.password2 = password_field("password2", self.tr("Repeat password"))
        self.message = message_label("newWorkspaceMessage")

        form = QFormLayout()
        # A row holding a layout gets no buddy on its own: without one "&File:" shows the "&".
        file_label = QLabel(self.tr("&File:"))
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        form.addRow(self.tr("&Policy:"), self.policy)
        form.addRow(self.tr("&County:"), self.county)
        form.addRow(self.tr("&Title:"), self.title_edit)
        form.addRow(self.tr("&Administrator:"), self.admin)
        form.addRow(self.tr("Pass&word:"), self.password)
        form.addRow(self.tr("&Repeat password:"), self.password2)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("New workspace"),
            self._start_dir,
            self.tr("ClearSlate workspace (*.clearslate)"),
        )
        if name:
            self.path.setText(name)

    def _check(self) -> None:
        if not self.path.text().strip():
            self.message.setText(self.tr("Choose where to save the workspace."))
        elif not self.county.text().strip():
            self.message.setText(self.tr("Name the county."))
        elif not self.admin.text().strip():
            self.message.setText(self.tr("Name the first administrator."))
        elif self.password.text() != self.password2.text():
            self.message.setText(self.tr("The two passwords are not the same."))
        elif len(self.password.text()) < 8:
            self.message.setText(self.tr("The password needs at least 8 characters."))
        else:
            self.accept()

    def values(self) -> dict[str, str]:
        return {
            "path": self.path.text().strip(),
            "policy_id": str(self.policy.currentData()),
            "county": self.county.text().strip(),
            "title": self.title_edit.text().strip(),
            "admin": self.admin.text().strip(),
            "password": self.password.text(),
        }


class ErrorDialog(QDialog):
    """Shown for unexpected errors: an apology, where the log is, copy details, save diagnostics."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(self.tr("Something went wrong"))
        self.details = details
        text = QLabel(
            self.tr(
                "ClearSlate ran into an unexpected problem. Work that was saved is safe: every change is "
                "written in one step or not at all.\n\nIf this keeps happening, save the diagnostics and send "
                "them to your administrator. They contain no case data."
            )
        )
        text.setWordWrap(True)
        self.box = QPlainTextEdit(details)
        self.box.setReadOnly(True)
        self.box.setVisible(False)
        self.box.setAccessibleName(self.tr("Technical details"))
        show = QPushButton(self.tr("Show &details"))
        show.setCheckable(True)
        show.toggled.connect(self.box.setVisible)
        copy = QPushButton(self.tr("&Copy details"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.diagnostics()))
        save = QPushButton(self.tr("&Save diagnostics…"))
        save.clicked.connect(self._save)
        close = QPushButton(self.tr("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for b in (show, copy, save):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.box)
        layout.addLayout(row)
        self.resize(560, 200)

    def diagnostics(self) -> str:
        return (
            f"{APP_NAME} {__version__}\nPython {platform.python_version()} on {platform.platform()}\n"
            f"Log: {log_file()}\n\n{self.details}"
        )

    def _save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save diagnostics"),
            str(data_dir() / "clearslate-diagnostics.txt"),
            self.tr("Text (*.txt)"),
        )
        if name:
            Path(name).write_text(self.diagnostics(), encoding="utf-8")


def about_text() -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Clears old cannabis convictions in bulk, case by case, with a reason for every decision "
        "and a record of who decided what.</p>"
        "<p><b>Offline:</b> ClearSlate never connects to a network. It sends nothing anywhere: "
        "no update checks, no telemetry, no fonts or help from the web.</p>"
        "<p>Recommendations are research aids, not legal advice; an attorney decides every case.</p>"
        f"<p>Log file: {log_file()}</p>"
    )


def centered_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label
