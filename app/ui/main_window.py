"""The main window: workspace file commands, log-on, the idle lock, and the work area."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QLockFile, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, WORKSPACE_SUFFIX
from app.core.errors import ClearSlateError
from app.services import workspaces
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.application import settings
from app.ui.dialogs import (
    LogonDialog,
    NewWorkspaceDialog,
    about_text,
    centered_label,
    policy_title,
    show_error,
)

log = logging.getLogger(__name__)

MAX_RECENT = 8
_ACTIVITY_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class ActivityWatcher(QObject):
    """Notes the time of the last keyboard or mouse input anywhere in the application."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in _ACTIVITY_EVENTS and self.idle.isActive():
            self.idle.start()  # restart the countdown
        return False


class MainWindow(QMainWindow):
    workspaceOpened = Signal()  # noqa: N815 - Qt signal naming
    workspaceClosed = Signal()  # noqa: N815

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ws: Workspace | None = None
        self.ws_path: Path | None = None
        self.user: User | None = None
        self._lock: QLockFile | None = None
        self.locked = False

        self.stack = QStackedWidget()
        self.welcome = self._welcome_page()
        self.stack.addWidget(self.welcome)
        self.workspace_page = QWidget()
        self.workspace_page.setObjectName("workspacePage")
        self.workspace_layout = QVBoxLayout(self.workspace_page)
        self.workspace_layout.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.workspace_page)
        self.locked_page = centered_label(self.tr("The screen is locked."))
        self.locked_page.setObjectName("lockedPage")
        self.stack.addWidget(self.locked_page)
        self.setCentralWidget(self.stack)
        self.work_area: QWidget | None = None

        self._create_actions()
        self._create_menus()
        self.status_label = QLabel("")
        self.status_label.setObjectName("statusWorkspace")
        self.statusBar().addPermanentWidget(self.status_label)

        self.activity = ActivityWatcher(self)
        self.activity.idle.timeout.connect(self.lock_screen)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.activity)

        self._restore_state()
        self._update_title()
        self._update_actions()

    # -- actions and menus ---------------------------------------------------------------

    def _action(
        self, text: str, slot, shortcut: QKeySequence | str | None = None, name: str = ""
    ) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        tr = self.tr
        self.act_new = self._action(
            tr("&New workspace…"), self.new_workspace, QKeySequence.StandardKey.New, "actNew"
        )
        self.act_open = self._action(
            tr("&Open workspace…"), self.choose_workspace, QKeySequence.StandardKey.Open, "actOpen"
        )
        self.act_restore = self._action(
            tr("Res&tore backup…"), self.restore_backup, None, "actRestore"
        )
        self.act_close = self._action(
            tr("&Close workspace"), self.close_workspace, QKeySequence.StandardKey.Close, "actClose"
        )
        self.act_quit = self._action(
            tr("&Quit"), self.close, "Ctrl+Q", "actQuit"
        )
        self.act_lock = self._action(tr("&Lock screen"), self.lock_screen, "Ctrl+L", "actLock")
        self.act_import = self._action(
            tr("&Import spreadsheet…"), self.import_spreadsheet, "Ctrl+I", "actImport"
        )
        self.act_evaluate = self._action(
            tr("&Evaluate eligibility…"), self.evaluate_workspace, "Ctrl+Shift+E", "actEvaluate"
        )
        self.act_verify = self._action(
            tr("&Verify workspace"), self.verify_workspace, "Ctrl+Shift+V", "actVerify"
        )
        self.act_verify_packet = self._action(
            tr("Verify export &packet…"), self.verify_packet, "Ctrl+Alt+V", "actVerifyPacket"
        )
        self.act_settings = self._action(
            tr("Workspace &settings…"), self.show_settings, "Ctrl+,", "actSettings"
        )
        self.act_users = self._action(tr("&Users…"), self.show_users, "Ctrl+Shift+U", "actUsers")
        self.act_password = self._action(
            tr("Change my pass&word…"), self.change_own_password, None, "actPassword"
        )
        # Sign-off, export and the audit log (app/ui/signoff_dialogs.py, issue 6).
        self.act_signoff = self._action(tr("&Sign off decisions…"), self.show_signoff, "Ctrl+Shift+S", "actSignoff")
        self.act_export = self._action(tr("&Export packet…"), self.show_export, "Ctrl+E", "actExport")
        self.act_audit = self._action(tr("&Audit log…"), self.show_audit_log, "Ctrl+Shift+A", "actAuditLog")
        self.act_about = self._action(tr("&About ClearSlate"), self.show_about, None, "actAbout")
        self.act_guide = self._action(tr("&User guide"), self.show_guide, None, "actGuide")
        self.act_matches = self._action(
            tr("Possible &same people…"), self.show_matches, None, "actMatches"
        )

    def _create_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.file_menu.addAction(self.act_new)
        self.file_menu.addAction(self.act_open)
        self.recent_menu = QMenu(self.tr("Open &recent"), self)
        self.recent_menu.setObjectName("recentMenu")
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addAction(self.act_close)
        self.file_menu.addAction(self.act_restore)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_import)
        self.file_menu.addAction(self.act_signoff)
        self.file_menu.addAction(self.act_export)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_lock)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_quit)
        self.edit_menu = bar.addMenu(self.tr("&Edit"))
        self.view_menu = bar.addMenu(self.tr("&View"))
        self.review_menu = bar.addMenu(self.tr("&Review"))
        self.review_menu.addAction(self.act_import)
        self.review_menu.addAction(self.act_evaluate)
        self.review_menu.addAction(self.act_matches)
        self.review_menu.addSeparator()
        self.tools_menu = bar.addMenu(self.tr("&Tools"))
        self.tools_menu.addAction(self.act_verify)
        self.tools_menu.addAction(self.act_verify_packet)
        self.tools_menu.addAction(self.act_audit)
        self.tools_menu.addSeparator()
        self.tools_menu.addAction(self.act_settings)
        self.tools_menu.addAction(self.act_users)
        self.tools_menu.addAction(self.act_password)
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help_menu.addAction(self.act_guide)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.act_about)
        self._rebuild_recent_menu()

    def workspace_actions(self) -> list[QAction]:
        """Actions that need an open workspace and a logged-on user."""
        return [self.act_close, self.act_lock, self.act_verify, self.act_settings, self.act_users, self.act_import,
                self.act_signoff, self.act_export, self.act_audit, self.act_evaluate, self.act_matches,
                self.act_password]

    def _update_actions(self) -> None:
        ready = self.ws is not None and self.user is not None and not self.locked
        for action in self.workspace_actions():
            action.setEnabled(ready)
        for action in (self.act_new, self.act_open, self.act_restore):
            action.setEnabled(not self.locked)
        self.act_users.setEnabled(ready and self.user is not None and self.user.can("manage_users"))
        self.act_evaluate.setEnabled(ready and self.user is not None and self.user.can("evaluate"))
        self.act_signoff.setEnabled(ready and self.user is not None and self.user.can("signoff"))
        self.act_export.setEnabled(ready and self.user is not None and self.user.can("export"))
        self.recent_menu.setEnabled(not self.locked)

    # -- pages -----------------------------------------------------------------------------

    def _welcome_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("welcomePage")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        title = centered_label(f"<h2>{APP_NAME}</h2>")
        layout.addWidget(title)
        layout.addWidget(
            centered_label(
                self.tr(
                    "Open a workspace to review cases, or create one for a new relief program.\n"
                    "File ▸ Open workspace (Ctrl+O) · File ▸ New workspace (Ctrl+N)"
                )
            )
        )
        layout.addStretch(2)
        return page

    def build_work_area(self) -> QWidget:
        """The area shown once a user is logged on; the review screen fills it."""
        try:
            from app.ui.review.workspace_view import WorkspaceView
        except ImportError:
            placeholder = centered_label(self.tr("No cases yet. Import a spreadsheet to begin."))
            placeholder.setObjectName("reviewPlaceholder")
            return placeholder
        return WorkspaceView(self)

    # -- workspace lifecycle --------------------------------------------------------------

    def new_workspace(self) -> None:
        try:
            from app.rules import packs

            policies = [(p.id, p.title) for p in packs.list_packs()]
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        dialog = NewWorkspaceDialog(policies, self, start_dir=str(self._last_dir()))
        if dialog.exec() != NewWorkspaceDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        if not self.close_workspace():
            return
        try:
            ws = workspaces.init_workspace(
                values["path"],
                policy_id=values["policy_id"],
                county=values["county"],
                admin=values["admin"],
                password=values["password"],
                title=values["title"] or None,
            )
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        path = ws.path
        ws.close()
        self.open_workspace(path)

    def choose_workspace(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open workspace"),
            str(self._last_dir()),
            self.tr("ClearSlate workspace (*%s)") % WORKSPACE_SUFFIX,
        )
        if name:
            self.open_workspace(Path(name))

    def restore_backup(self) -> None:
        """File ▸ Restore backup: copy a backup (or a workspace from another machine) to a new
        workspace file and open it. The backup itself is never changed."""
        start = self.ws.backup_dir() if self.ws is not None and self.ws.backup_dir().is_dir() else self._last_dir()
        backup, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the backup to restore"), str(start),
            self.tr("ClearSlate workspace or backup (*%s)") % WORKSPACE_SUFFIX,
        )
        if not backup:
            return
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the restored workspace as"), str(self._last_dir()),
            self.tr("ClearSlate workspace (*%s)") % WORKSPACE_SUFFIX,
        )
        if not target:
            return
        if not self.close_workspace():
            return
        try:
            path = workspaces.restore_workspace(backup, target)
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        self.open_workspace(path)

    def open_workspace(self, path: Path) -> bool:
        """Open, lock against a second copy, log on. Returns True when a user is logged on."""
        if not self.close_workspace():
            return False
        path = Path(path)
        lock = QLockFile(str(path) + ".lock")
        lock.setStaleLockTime(0)  # a lock left by a crashed copy is detected by its dead PID
        if not lock.tryLock(100):
            show_error(
                self,
                self.tr(
                    "%s is open in another copy of ClearSlate (or another user has it open). Close it there first."
                )
                % path.name,
            )
            return False
        try:
            ws = workspaces.open_workspace(path, check=False)
        except ClearSlateError as exc:
            lock.unlock()
            show_error(self, str(exc))
            self._forget_recent(path)
            return False
        # SQLite's quick_check runs while the user types the password; no case is shown
        # until it has passed.
        checked = workspaces.check_in_background(path)
        if ws.storage_warning:
            QMessageBox.warning(self, APP_NAME, ws.storage_warning)
        dialog = LogonDialog(ws, self)
        accepted = dialog.exec() == LogonDialog.DialogCode.Accepted and dialog.user is not None
        try:
            checked.result()
        except ClearSlateError as exc:
            ws.close()
            lock.unlock()
            show_error(self, str(exc))
            return False
        if not accepted:
            ws.close()
            lock.unlock()
            return False
        self.ws, self.ws_path, self.user, self._lock = ws, path, dialog.user, lock
        self._remember_recent(path)
        self.work_area = self.build_work_area()
        self.workspace_layout.addWidget(self.work_area)
        self.stack.setCurrentWidget(self.workspace_page)
        self._start_idle_timer()
        self._update_title()
        self._update_actions()
        self.workspaceOpened.emit()
        return True

    def _workspace_dialogs(self) -> list[QDialog]:
        """The open dialogs and wizards of this workspace: they show and change its data."""
        return [
            dialog
            for dialog in self.findChildren(QDialog, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if dialog.isVisible()
        ]

    def close_workspace(self) -> bool:
        """Close the open workspace (if any). Returns False if the user kept it open."""
        if self.ws is None:
            return True
        if (
            self.work_area is not None
            and hasattr(self.work_area, "can_close")
            and not self.work_area.can_close()
        ):
            return False
        # Nothing of this workspace may stay open under no one's log-on: an import still
        # running is cancelled (rolled back) by its wizard before the wizard closes.
        for dialog in self._workspace_dialogs():
            dialog.reject()
        if self.work_area is not None:
            self.workspace_layout.removeWidget(self.work_area)
            self.work_area.deleteLater()
            self.work_area = None
        self.activity.idle.stop()
        self.ws.close()
        if self._lock is not None:
            self._lock.unlock()
        self.ws = self.ws_path = self.user = self._lock = None
        self.locked = False
        self.stack.setCurrentWidget(self.welcome)
        self._update_title()
        self._update_actions()
        self.workspaceClosed.emit()
        return True

    # -- idle lock --------------------------------------------------------------------------

    def idle_minutes(self) -> int:
        if self.ws is None:
            return 30
        value = workspaces.setting(self.ws, "idle_lock_minutes")
        return int(value) if value.isdigit() else 30

    def _start_idle_timer(self) -> None:
        self.activity.idle.setInterval(self.idle_minutes() * 60_000)
        self.activity.idle.start()

    def lock_screen(self) -> None:
        """Hide the work and ask for the password again (CJIS: 30 minutes idle by default)."""
        if self.ws is None or self.user is None or self.locked:
            return
        self.locked = True
        self.activity.idle.stop()
        self.stack.setCurrentWidget(self.locked_page)
        # Every window of the workspace goes out of sight with it (a wizard shows whole rows:
        # names, birth dates, IDs). The import wizard keeps its work and comes back on unlock;
        # the other dialogs hold nothing unsaved and are closed.
        hidden = []
        for open_dialog in self._workspace_dialogs():
            if open_dialog is getattr(self, "import_wizard", None):
                open_dialog.hide()
                hidden.append(open_dialog)
            else:
                open_dialog.reject()
        self._update_actions()
        self.ws.audit(self.user.username, "screen.lock", None)
        dialog = LogonDialog(self.ws, self, purpose="unlock", username=self.user.username)
        if dialog.exec() == LogonDialog.DialogCode.Accepted:
            self.locked = False
            self.stack.setCurrentWidget(self.workspace_page)
            self._start_idle_timer()
            self._update_actions()
            for open_dialog in hidden:
                open_dialog.show()
        else:
            for open_dialog in hidden:
                open_dialog.reject()  # an import still running is cancelled and rolled back
            self.close_workspace()

    # -- tools ----------------------------------------------------------------------------------

    def verify_workspace(self) -> None:
        if self.ws is None:
            return
        from app.services.verify import verify_workspace

        result = verify_workspace(self.ws, user=self.user.username if self.user else None)
        icon = QMessageBox.Icon.Information if result.ok else QMessageBox.Icon.Critical
        box = QMessageBox(
            icon,
            self.tr("Verify workspace"),
            "\n".join(result.lines()),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("verifyResult")
        box.exec()

    def verify_packet(self) -> None:
        """Tools ▸ Verify export packet: check a packet folder (a copy off this laptop too)
        against its manifest. Needs no workspace; the run is audited in the open one."""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Verify export packet"), str(self._last_dir()))
        if not folder:
            return
        from app.services.packet import verify_packet

        try:
            result = verify_packet(folder)
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        if self.ws is not None and not self.locked:
            self.ws.audit(
                self.user.username if self.user else None,
                "verify.packet",
                Path(folder).name,
                "ok" if result.ok else "failure",
                result.to_dict(),
            )
        icon = QMessageBox.Icon.Information if result.ok else QMessageBox.Icon.Critical
        box = QMessageBox(
            icon, self.tr("Verify export packet"), "\n".join(result.lines()), QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("verifyPacketResult")
        box.exec()

    def show_settings(self) -> None:
        if self.ws is None or self.user is None:
            return
        from app.ui.admin_dialogs import SettingsDialog

        if SettingsDialog(self.ws, self.user, self).exec():
            self._update_title()
            if not self.locked:
                self._start_idle_timer()

    def show_users(self) -> None:
        if self.ws is None or self.user is None or not self.user.can("manage_users"):
            return
        from app.ui.admin_dialogs import UsersDialog

        UsersDialog(self.ws, self.user, self).exec()

    def change_own_password(self) -> None:
        """Tools ▸ Change my password: any user, after typing the current one."""
        if self.ws is None or self.user is None or self.locked:
            return
        from app.ui.admin_dialogs import PasswordDialog

        PasswordDialog(self.ws, self.user, self.user.username, self).exec()

    def import_spreadsheet(self) -> None:
        """File ▸ Import spreadsheet: the import wizard (every role may import)."""
        if self.ws is None or self.user is None or self.locked or not self.user.can("import"):
            return
        from app.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ws, self.user, self, start_dir=self._last_dir())
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.importFinished.connect(self._after_import)
        self.import_wizard = wizard
        wizard.open()

    def _after_import(self, _report: object) -> None:
        self._workspace_changed()

    def _workspace_changed(self) -> None:
        """After an import or an evaluation the review queue is rebuilt and reloaded."""
        changed = getattr(self.work_area, "workspace_changed", None) or getattr(self.work_area, "refresh", None)
        if callable(changed):
            changed()

    def evaluate_workspace(self) -> None:
        """Review ▸ Evaluate eligibility: a dry-run preview, then a saved run, off the UI thread."""
        if self.ws is None or self.user is None or self.ws_path is None or self.locked:
            return
        from app.ui.evaluate_dialog import EvaluateDialog
        from app.ui.tasks import TaskRunner

        runner = getattr(self.work_area, "runner", None)
        if not isinstance(runner, TaskRunner):
            runner = TaskRunner(self.ws_path, self, dialog_parent=self)
        try:
            dialog = EvaluateDialog(self.ws, self.user, runner, self)
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        dialog.evaluated.connect(lambda _report: self._workspace_changed())
        self.evaluate_dialog = dialog
        dialog.exec()

    def show_signoff(self) -> None:
        if self.ws is None or self.user is None or self.locked:
            return
        from app.ui.signoff_dialogs import SignoffDialog

        dialog = SignoffDialog(self.ws, self.user, self)
        if dialog.exec() and dialog.report is not None:
            self.statusBar().showMessage(dialog.report.lines()[0], 10000)

    def show_export(self) -> None:
        if self.ws is None or self.user is None or self.ws_path is None or self.locked:
            return
        from app.ui.signoff_dialogs import ExportDialog

        ExportDialog(self.ws, self.ws_path, self.user, self, start_dir=self._last_dir()).exec()

    def show_audit_log(self) -> None:
        if self.ws is None or self.user is None or self.locked:
            return
        from app.ui.signoff_dialogs import AuditLogDialog

        AuditLogDialog(self.ws, self).exec()

    def show_matches(self) -> None:
        """Review ▸ Possible same people: confirm or reject the open same-person proposals."""
        if self.ws is None or self.user is None or self.locked:
            return
        from app.ui.matches_dialog import MatchesDialog

        dialog = MatchesDialog(self.ws, self.user, self)
        dialog.decided.connect(self._workspace_changed)
        self.matches_dialog = dialog
        dialog.exec()

    def show_guide(self) -> None:
        """Help ▸ User guide: one guide window, beside the work, brought forward if open."""
        from app.ui.guide import GuideDialog

        if getattr(self, "guide", None) is None:
            self.guide = GuideDialog(self)
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About ClearSlate"), about_text())

    # -- window state and recent files ----------------------------------------------------------

    def _update_title(self) -> None:
        if self.ws is None:
            self.setWindowTitle(APP_NAME)
            self.status_label.setText(self.tr("No workspace open"))
            return
        title = workspaces.setting(self.ws, "title") or self.ws.path.stem
        self.setWindowTitle(f"{title} — {APP_NAME}")
        role = self.user.role.value if self.user else ""
        policy = workspaces.setting(self.ws, "policy_id") or ""
        self.status_label.setText(
            f"{self.ws.path.name} · {policy_title(policy).split(' — ')[0]} · "
            f"{self.user.username if self.user else ''} ({role})"
        )
        # The whole pack title (it names the statute) where there is room for it.
        self.status_label.setToolTip(policy_title(policy))

    def _recent(self) -> list[str]:
        value = settings().value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self._recent() if p != str(path)]
        settings().setValue("recent", items[:MAX_RECENT])
        settings().setValue("last_dir", str(path.parent))
        self._rebuild_recent_menu()

    def _forget_recent(self, path: Path) -> None:
        settings().setValue("recent", [p for p in self._recent() if p != str(path)])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for item in recent:
            action = self.recent_menu.addAction(Path(item).name)
            action.setToolTip(item)
            action.setData(item)
            action.triggered.connect(lambda _=False, p=item: self.open_workspace(Path(p)))
        if not recent:
            empty = self.recent_menu.addAction(self.tr("(none)"))
            empty.setEnabled(False)

    def _last_dir(self) -> Path:
        return Path(str(settings().value("last_dir", str(Path.home()))))

    def _restore_state(self) -> None:
        store = settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = store.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.close_workspace():
            event.ignore()
            return
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.activity)
        event.accept()
