"""The main window and its dialogs, driven for real with pytest-qt on a temporary workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QMessageBox

from app.ui.dialogs import ErrorDialog, LogonDialog, NewWorkspaceDialog
from app.ui.main_window import MainWindow
from tests.conftest import PASSWORD


def _answer_logon(qtbot, username: str, password: str, *, then_cancel: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """Fill in the next log-on dialog when it appears; returns the messages it showed."""
    messages: list[str] = []
    tries = [250]  # give up after ~5 s so a poller never lingers into another test

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LogonDialog):
            tries[0] -= 1
            if tries[0] > 0:
                QTimer.singleShot(20, fill)
            return
        if not dialog.username.isReadOnly():
            dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.try_logon()
        if dialog.isVisible():
            messages.append(dialog.message.text())
            if then_cancel:
                dialog.reject()
            else:
                dialog.password.setText(PASSWORD)
                dialog.try_logon()

    QTimer.singleShot(0, fill)
    return messages


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_workspace()


def test_open_asks_for_logon_with_the_system_use_notice(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LogonDialog):
            QTimer.singleShot(20, inspect)
            return
        seen.append(dialog.findChild(type(dialog.message), "systemUseNotice").text())
        dialog.username.setText("reviewer")
        dialog.password.setText(PASSWORD)
        dialog.try_logon()

    QTimer.singleShot(0, inspect)
    assert window.open_workspace(workspace_path)
    assert "criminal justice information" in seen[0]
    assert window.user is not None and window.user.username == "reviewer"
    assert window.stack.currentWidget() is window.workspace_page
    assert "reviewer (reviewer)" in window.status_label.text()
    # The policy by the name the county knows, never the pack id; the whole title as tooltip.
    assert "California Prop 64" in window.status_label.text()
    assert "ca-prop64-state" not in window.status_label.text()
    assert "HS 11361.8" in window.status_label.toolTip()
    # A workspace made without a title gets the county and the policy's short name.
    assert window.windowTitle().startswith("Kern — California Prop 64 — ")
    assert window.act_close.isEnabled()


def test_wrong_password_shows_a_message_and_stays_open(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    messages = _answer_logon(qtbot, "clerk", "not the password")
    assert window.open_workspace(workspace_path)
    assert messages and "not right" in messages[0]
    assert window.user is not None and window.user.username == "clerk"


def test_cancelled_logon_leaves_no_workspace_open(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    _answer_logon(qtbot, "clerk", "not the password", then_cancel=True)
    assert not window.open_workspace(workspace_path)
    assert window.ws is None and window.stack.currentWidget() is window.welcome
    assert not window.act_close.isEnabled()


def test_a_second_copy_cannot_open_the_same_workspace(qtbot, window, workspace_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _answer_logon(qtbot, "clerk", PASSWORD)
    assert window.open_workspace(workspace_path)
    errors: list[str] = []
    monkeypatch.setattr("app.ui.main_window.show_error", lambda parent, message, title=None: errors.append(message))
    other = MainWindow()
    qtbot.addWidget(other)
    assert not other.open_workspace(workspace_path)
    assert "open in another copy" in errors[0]


def test_idle_lock_hides_the_work_and_asks_for_the_password(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    _answer_logon(qtbot, "reviewer", PASSWORD)
    assert window.open_workspace(workspace_path)
    shown: list[object] = []

    def unlock() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LogonDialog):
            QTimer.singleShot(20, unlock)
            return
        shown.append(window.stack.currentWidget())
        assert dialog.username.text() == "reviewer" and dialog.username.isReadOnly()
        dialog.password.setText(PASSWORD)
        dialog.try_logon()

    QTimer.singleShot(0, unlock)
    window.activity.idle.setInterval(50)  # as if 30 minutes passed
    window.activity.idle.start()
    qtbot.waitUntil(lambda: bool(shown) and not window.locked, timeout=5000)
    assert shown[0] is window.locked_page
    assert window.stack.currentWidget() is window.workspace_page
    actions = [r[0] for r in window.ws.conn.execute("SELECT action FROM audit")]
    assert "screen.lock" in actions and "unlock.success" in actions


@pytest.mark.parametrize("unlock", [True, False])
def test_idle_lock_hides_an_open_wizard_and_a_cancelled_unlock_closes_it(qtbot, window, workspace_path: Path, unlock: bool) -> None:  # type: ignore[no-untyped-def]
    # UX audit: the wizard's rows (names, birth dates, IDs) stayed on screen under the lock,
    # and after a cancelled unlock it could still import as the logged-off user.
    _answer_logon(qtbot, "clerk", PASSWORD)
    assert window.open_workspace(workspace_path)
    window.import_spreadsheet()
    wizard = window.import_wizard
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    seen: list[bool] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LogonDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(wizard.isVisible())
        if unlock:
            dialog.password.setText(PASSWORD)
            dialog.try_logon()
        else:
            dialog.reject()

    QTimer.singleShot(0, answer)
    window.activity.idle.setInterval(50)
    window.activity.idle.start()
    qtbot.waitUntil(lambda: bool(seen) and not window.locked, timeout=5000)
    assert seen == [False]  # out of sight while locked
    if unlock:
        assert wizard.isVisible() and window.ws is not None
    else:
        assert window.ws is None
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)


def test_idle_lock_minutes_come_from_the_workspace(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.store.workspace import Workspace

    with Workspace.open(workspace_path) as ws:
        ws.set_setting("idle_lock_minutes", "7", user="admin")
    _answer_logon(qtbot, "reviewer", PASSWORD)
    assert window.open_workspace(workspace_path)
    assert window.activity.idle.interval() == 7 * 60_000 and window.activity.idle.isActive()


def test_new_workspace_dialog_creates_and_opens(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "kern-prop64.clearslate"

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NewWorkspaceDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.path.setText(str(target))
        dialog.county.setText("Kern")
        dialog.admin.setText("ana")
        dialog.password.setText(PASSWORD)
        dialog.password2.setText("different-password")
        dialog._check()
        assert "not the same" in dialog.message.text()
        dialog.password2.setText(PASSWORD)
        _answer_logon(qtbot, "ana", PASSWORD)
        dialog._check()

    QTimer.singleShot(0, fill)
    window.new_workspace()
    assert target.is_file()
    assert window.user is not None and window.user.username == "ana"
    assert window.recent_menu.actions()[0].data() == str(target)


def test_open_a_damaged_file_shows_a_message_not_a_traceback(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "broken.clearslate"
    bogus.write_bytes(b"PK\x03\x04 not a workspace")
    errors: list[str] = []
    monkeypatch.setattr("app.ui.main_window.show_error", lambda parent, message, title=None: errors.append(message))
    assert not window.open_workspace(bogus)
    assert "not a ClearSlate workspace" in errors[0]


def test_verify_from_the_tools_menu(qtbot, window, workspace_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _answer_logon(qtbot, "admin", PASSWORD)
    assert window.open_workspace(workspace_path)
    texts: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: texts.append(self.text()) or 0)
    window.act_verify.trigger()
    assert "Audit chain: ok" in texts[0]


def test_error_dialog_offers_details_and_diagnostics(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ErrorDialog("Traceback (most recent call last):\n  boom")
    qtbot.addWidget(dialog)
    assert "boom" in dialog.diagnostics() and "ClearSlate" in dialog.diagnostics()
    assert not dialog.box.isVisibleTo(dialog)


def test_every_window_command_is_an_action_with_a_shortcut(window) -> None:  # type: ignore[no-untyped-def]
    for action in (window.act_new, window.act_open, window.act_close, window.act_quit, window.act_lock, window.act_verify):
        assert not action.shortcut().isEmpty(), action.text()


def test_window_geometry_is_remembered(qtbot, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # within the offscreen screen, which clamps restored geometry
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 500)


def test_logon_dialog_fields_have_accessible_names(qtbot, workspace) -> None:  # type: ignore[no-untyped-def]
    dialog = LogonDialog(workspace)
    qtbot.addWidget(dialog)
    for edit in dialog.findChildren(QLineEdit):
        assert edit.accessibleName()
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert isinstance(dialog, QDialog)


def test_settings_dialog_saves_and_audits(qtbot, window, workspace_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.ui.admin_dialogs import SettingsDialog

    _answer_logon(qtbot, "admin", PASSWORD)
    assert window.open_workspace(workspace_path)
    dialog = SettingsDialog(window.ws, window.user, window)
    qtbot.addWidget(dialog)
    dialog.edits["court_name"].setText("Superior Court of California, County of Kern")
    dialog.idle.setValue(12)
    dialog.save()
    from app.services import workspaces

    assert workspaces.setting(window.ws, "court_name") == "Superior Court of California, County of Kern"
    assert workspaces.setting(window.ws, "idle_lock_minutes") == "12"
    changed = [r[0] for r in window.ws.conn.execute("SELECT object FROM audit WHERE action = 'settings.change'")]
    assert "court_name" in changed and "idle_lock_minutes" in changed


def test_the_office_address_is_typed_and_kept_on_several_lines(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from app.services import workspaces
    from app.ui.admin_dialogs import SettingsDialog

    _answer_logon(qtbot, "admin", PASSWORD)
    assert window.open_workspace(workspace_path)
    dialog = SettingsDialog(window.ws, window.user, window)
    qtbot.addWidget(dialog)
    dialog.show()
    # Typed as an admin types it: Enter starts the next line (a one-line field could not).
    dialog.address.setFocus()
    qtbot.keyClicks(dialog.address, "  1215 Truxtun Avenue ")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.address, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.address, "Bakersfield, CA 93301")
    assert dialog.isVisible()  # Enter did not press Save
    dialog.save()
    assert workspaces.setting(window.ws, "office_address") == "1215 Truxtun Avenue\nBakersfield, CA 93301"
    again = SettingsDialog(window.ws, window.user, window)
    qtbot.addWidget(again)
    assert again.address.toPlainText() == "1215 Truxtun Avenue\nBakersfield, CA 93301"
    assert again.address.accessibleName() == "Office address"


def test_settings_are_read_only_for_a_reviewer_and_users_menu_is_admin_only(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ui.admin_dialogs import SettingsDialog

    _answer_logon(qtbot, "reviewer", PASSWORD)
    assert window.open_workspace(workspace_path)
    dialog = SettingsDialog(window.ws, window.user, window)
    qtbot.addWidget(dialog)
    assert dialog.edits["court_name"].isReadOnly() and not dialog.idle.isEnabled()
    assert dialog.address.isReadOnly()
    assert not window.act_users.isEnabled()


def test_users_dialog_adds_a_user_and_changes_a_role(qtbot, window, workspace_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import auth
    from app.ui.admin_dialogs import UsersDialog

    _answer_logon(qtbot, "admin", PASSWORD)
    assert window.open_workspace(workspace_path)
    assert window.act_users.isEnabled()
    dialog = UsersDialog(window.ws, window.user, window)
    qtbot.addWidget(dialog)
    dialog.new_name.setText("maria")
    dialog.new_role.setCurrentText("reviewer")
    dialog.new_password.setText(PASSWORD)
    dialog.add_user()
    names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert "maria" in names
    dialog.table.selectRow(names.index("maria"))
    dialog.role_box.setCurrentText("supervisor")
    dialog.set_role()
    assert auth.login(window.ws, "maria", PASSWORD).role.value == "supervisor"


def _answer_input(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``text`` into the next QInputDialog and press OK."""
    from PySide6.QtWidgets import QInputDialog

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.setTextValue(text)
        dialog.accept()

    QTimer.singleShot(0, fill)


def test_users_dialog_names_a_user_and_gives_a_forgotten_password_a_new_one(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services import auth
    from app.ui.admin_dialogs import PasswordDialog, UsersDialog

    _answer_logon(qtbot, "admin", PASSWORD)
    assert window.open_workspace(workspace_path)
    dialog = UsersDialog(window.ws, window.user, window)
    qtbot.addWidget(dialog)
    # A new user with the name the filings print.
    dialog.new_name.setText("dreyes")
    dialog.new_full_name.setText("Dana  Reyes")
    dialog.new_role.setCurrentText("supervisor")
    dialog.new_password.setText(PASSWORD)
    dialog.add_user()
    rows = {dialog.table.item(i, 0).text(): i for i in range(dialog.table.rowCount())}
    assert dialog.table.item(rows["dreyes"], 1).text() == "Dana Reyes"
    # Set name…: the clerk gets one.
    dialog.table.selectRow(rows["clerk"])
    assert dialog.role_box.currentData() == "clerk"  # the role box follows the selection
    _answer_input(qtbot, "Chris Clerk")
    dialog.set_full_name()
    assert dialog.table.item(rows["clerk"], 1).text() == "Chris Clerk"
    assert auth.login(window.ws, "clerk", PASSWORD).full_name == "Chris Clerk"
    # Set password…: the two boxes must agree; then the reviewer logs on with the new one.
    reset = PasswordDialog(window.ws, window.user, "reviewer", dialog)
    qtbot.addWidget(reset)
    assert not reset.current.isVisibleTo(reset)  # an admin resetting needs no old password
    reset.new.setText("a brand new password")
    reset.again.setText("a brand new passwork")
    reset.change()
    assert "differ" in reset.message.text() and reset.result() == 0
    reset.new.setText("a brand new password")
    reset.again.setText("a brand new password")
    reset.change()
    assert reset.result() == 1
    assert auth.login(window.ws, "reviewer", "a brand new password").username == "reviewer"


def test_any_user_changes_their_own_password_after_typing_the_current_one(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.core.errors import AuthError
    from app.services import auth
    from app.ui.admin_dialogs import PasswordDialog

    _answer_logon(qtbot, "reviewer", PASSWORD)
    assert window.open_workspace(workspace_path)
    assert window.act_password.isEnabled() and not window.act_users.isEnabled()
    own = PasswordDialog(window.ws, window.user, "reviewer", window)
    qtbot.addWidget(own)
    assert own.current.isVisibleTo(own)
    own.current.setText("not my password")
    own.new.setText("another good password")
    own.again.setText("another good password")
    own.change()
    assert own.result() == 0 and own.message.text()
    with pytest.raises(AuthError):
        auth.login(window.ws, "reviewer", "another good password")
    own.current.setText(PASSWORD)
    own.new.setText("another good password")
    own.again.setText("another good password")
    own.change()
    assert own.result() == 1
    assert auth.login(window.ws, "reviewer", "another good password").username == "reviewer"


def test_evaluate_from_the_review_menu_previews_then_saves_a_run(qtbot, window, workspace_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services.importing import import_file
    from app.store.workspace import Workspace
    from app.ui.evaluate_dialog import EvaluateDialog

    sample = Path(__file__).resolve().parents[2] / "sample_workbooks" / "ca_doj_extract.xlsx"
    with Workspace.open(workspace_path) as ws:
        import_file(ws, sample, user="clerk")
    _answer_logon(qtbot, "clerk", PASSWORD)
    assert window.open_workspace(workspace_path)
    assert window.act_evaluate.isEnabled()
    texts: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, EvaluateDialog):
            QTimer.singleShot(20, drive)
            return
        dialog.preview_button.click()
        qtbot.waitUntil(lambda: "Preview only" in dialog.result.toPlainText(), timeout=20000)
        texts.append(dialog.result.toPlainText())
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
        texts.append(dialog.result.toPlainText())
        dialog.reject()

    QTimer.singleShot(0, drive)
    window.act_evaluate.trigger()
    assert len(texts) == 2
    runs = window.ws.conn.execute("SELECT count(*), max(user) FROM evaluation_runs").fetchone()
    assert runs == (1, "clerk")  # the preview saved nothing; the run is the clerk's
    outcomes = window.ws.conn.execute("SELECT count(DISTINCT outcome) FROM recommendations").fetchone()[0]
    assert outcomes >= 2


def test_verify_an_export_packet_from_the_tools_menu(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services.demo import run_demo

    report = run_demo(tmp_path / "demo")
    assert report.packet is not None
    packet = report.packet
    assert (packet / "manifest.json").is_file()
    monkeypatch.setattr("app.ui.main_window.QFileDialog.getExistingDirectory", lambda *a, **k: str(packet))
    texts: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: texts.append(self.text()) or 0)
    assert window.act_verify_packet.isEnabled()  # needs no workspace
    window.act_verify_packet.trigger()
    assert "ok" in texts[-1].lower()
    workbook = packet / "clerk-workbook.xlsx"
    data = bytearray(workbook.read_bytes())
    data[len(data) // 2] ^= 0x01
    workbook.write_bytes(bytes(data))
    window.act_verify_packet.trigger()
    assert "clerk-workbook.xlsx" in texts[-1]


def test_restore_backup_from_the_file_menu(qtbot, window, workspace_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.store.workspace import Workspace

    with Workspace.open(workspace_path) as ws:
        backup = ws.backup("before-import")
    target = tmp_path / "restored.clearslate"
    monkeypatch.setattr("app.ui.main_window.QFileDialog.getOpenFileName", lambda *a, **k: (str(backup), ""))
    monkeypatch.setattr("app.ui.main_window.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    _answer_logon(qtbot, "admin", PASSWORD)
    window.act_restore.trigger()
    assert target.is_file()
    assert window.ws_path == target and window.user is not None
    actions = [r[0] for r in window.ws.conn.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 3")]
    assert "workspace.restore" in actions


def test_a_damaged_workspace_is_caught_by_the_check_run_during_logon(qtbot, window, workspace_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The quick_check runs while the log-on dialog is up; no case is shown if it fails."""
    from app.store.workspace import Workspace

    with Workspace.open(workspace_path) as ws:
        ws.conn.execute("PRAGMA journal_mode = DELETE")
        with ws.transaction():
            for i in range(3000):
                ws.conn.execute("INSERT INTO settings(key, value) VALUES (?, ?)", (f"filler{i}", "v" * 100))
    data = bytearray(workspace_path.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 16384):
        data[offset] = 0xFF
    workspace_path.write_bytes(bytes(data))
    errors: list[str] = []
    monkeypatch.setattr("app.ui.main_window.show_error", lambda parent, message, title=None: errors.append(message))
    _answer_logon(qtbot, "reviewer", PASSWORD, then_cancel=True)
    assert not window.open_workspace(workspace_path)
    assert window.ws is None and window.stack.currentWidget() is window.welcome
    assert errors and ("damaged" in errors[-1] or "quick check" in errors[-1])


@pytest.mark.parametrize(("policy", "county", "fixed"), [("ca-prop64-la-2020", "Los Angeles", True), ("ca-prop64-state", "Kern", False)])
def test_the_as_of_date_cannot_be_picked_for_a_policy_that_fixed_its_own(qtbot, tmp_path: Path, policy: str, county: str, fixed: bool) -> None:  # type: ignore[no-untyped-def]
    from app.services import auth
    from app.ui.evaluate_dialog import EvaluateDialog
    from app.ui.tasks import TaskRunner
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path, policy=policy, county=county)
    runner = TaskRunner(ws.path)
    try:
        dialog = EvaluateDialog(ws, auth.login(ws, "clerk", PASSWORD), runner)
        qtbot.addWidget(dialog)
        assert dialog.as_of.isEnabled() is not fixed
        note = dialog.findChild(QLabel, "asOfFixed")
        if fixed:
            assert note is not None and "fixed date, 2020-02-11" in note.text()
        else:
            assert note is None
    finally:
        runner.shutdown()
        ws.close()
