"""Texts and layout of the small dialogs: log-on after a failure, sign-off refusal, plain
words instead of codes, and the damaged-workspace message in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox

from app.ui.dialogs import LogonDialog
from tests.conftest import PASSWORD


def _ok(dialog) -> None:  # type: ignore[no-untyped-def]
    box = dialog.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def test_logon_failure_keeps_the_notice_whole_and_the_focus_in_the_password(
    qtbot, workspace
) -> None:
    dialog = LogonDialog(workspace, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    notice = dialog.findChild(QLabel, "systemUseNotice")
    qtbot.keyClicks(dialog.username, "reviewer")
    qtbot.keyClicks(dialog.password, "not-the-password")
    _ok(dialog)
    assert dialog.user is None and "not right" in dialog.message.text()
    # The two-line message took no room from the notice: all its lines fit, inside the dialog.
    assert notice.height() >= notice.heightForWidth(notice.width())
    assert QRect(0, 0, dialog.width(), dialog.height()).contains(notice.geometry())
    message = dialog.message
    assert message.height() >= message.heightForWidth(message.width())
    assert message.geometry().bottom() <= dialog.height()
    # The next try is typed straight away, over the old text.
    assert dialog.focusWidget() is dialog.password
    assert dialog.password.hasSelectedText()
    assert dialog.password.selectionLength() == len("not-the-password")


def test_logon_without_a_name_puts_the_focus_in_the_name(qtbot, workspace) -> None:
    dialog = LogonDialog(workspace, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.password.setFocus(Qt.FocusReason.OtherFocusReason)
    _ok(dialog)
    assert dialog.message.text() == "Enter your user name."
    assert dialog.focusWidget() is dialog.username


def test_signoff_wrong_password_is_one_neutral_message(qtbot, workspace, login) -> None:
    from app.ui.signoff_dialogs import SignoffDialog
    from tests.export_seed import seed

    seed(workspace, 4)
    dialog = SignoffDialog(workspace, login("supervisor"), None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    text = dialog.error.text()
    assert text.startswith("Nothing was signed: the password is not right")
    assert "user name" not in text and "supervisor" not in text
    assert dialog.focusWidget() is dialog.password
    error = dialog.error
    assert error.height() >= error.heightForWidth(error.width())
    assert error.geometry().bottom() <= dialog.height()


def test_unlock_failure_does_not_mention_a_user_name(qtbot, workspace) -> None:
    dialog = LogonDialog(workspace, None, purpose="unlock", username="reviewer")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.password, "not-the-password")
    _ok(dialog)
    assert dialog.message.text().startswith("The password is not right")
    assert "user name" not in dialog.message.text()
    assert "%" not in dialog.message.text()


@pytest.mark.parametrize("kind", ["text", "truncated", "garbled"])
def test_the_window_says_a_damaged_workspace_is_damaged(qtbot, tmp_path, kind) -> None:
    from app.ui.main_window import MainWindow
    from tests.cli.test_damaged_workspace import SQLITE_WORDS, damaged_workspace

    path = damaged_workspace(tmp_path, kind)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    shown: list[str] = []
    polls = [300]

    def answer() -> None:  # log on if asked (the quick check runs meanwhile); read the box
        modal = QApplication.activeModalWidget()
        if isinstance(modal, LogonDialog):
            modal.username.setText("admin")
            modal.password.setText(PASSWORD)
            modal.try_logon()
        elif isinstance(modal, QMessageBox):
            shown.append(modal.text())
            modal.done(0)
            return
        polls[0] -= 1
        if polls[0] > 0:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    assert not win.open_workspace(path)
    assert win.ws is None
    assert len(shown) == 1
    text = shown[0].replace(str(path), "")
    assert "damaged" in text and "restore the latest backup" in text.lower()
    assert "“kern.backups” next to the workspace file" in text
    for word in SQLITE_WORDS:
        assert word.lower() not in text.lower(), word
