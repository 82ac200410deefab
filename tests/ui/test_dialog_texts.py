"""Texts and layout of the small dialogs: log-on after a failure, sign-off refusal, plain
words instead of codes, and the damaged-workspace message in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLabel, QMessageBox

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
    width = dialog.width()
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.width() == width  # it grows down for the message, it does not shrink
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


def test_evaluate_dialog_speaks_of_the_policy_by_name_and_in_words(qtbot, workspace, login) -> None:
    import datetime as dt

    from app.services import evaluate as evaluation
    from app.services.evaluate import ChangedCount, EvaluationReport
    from app.ui.evaluate_dialog import EvaluateDialog
    from app.ui.tasks import TaskRunner

    pack = evaluation.workspace_pack(workspace)
    runner = TaskRunner(workspace.path)
    try:
        dialog = EvaluateDialog(workspace, login("clerk"), runner)
        qtbot.addWidget(dialog)
        policy = dialog.findChild(QLabel, "policyName")
        assert policy.text().startswith(pack.title) and pack.id not in policy.text()
        assert pack.id in policy.toolTip()
        report = EvaluationReport(
            run_id=3,
            policy_id=pack.id,
            pack_version=pack.version,
            pack_sha256="0" * 64,
            options={},
            as_of=dt.date(2026, 11, 22),
            engine_version="1",
            count_total=1,
            people_total=1,
            outcomes={"eligible_dismiss": 1},
            dry_run=False,
            previous_run_id=2,
            changed_total=1,
            changed=[ChangedCount(7, "DOJ 1 cycle 2", "needs_review", "eligible_dismiss")],
            rereview_total=1,
        )
        text = "\n".join(dialog.report_lines(report))
    finally:
        runner.shutdown()
    assert pack.id not in text and "_" not in text  # no pack id, no outcome codes
    assert "1 count of 1 person, under " + pack.title in text
    assert "1 recommendation differs from run 2." in text
    assert "Case DOJ 1 cycle 2: Needs review → Eligible: dismiss" in text
    assert "1 reviewed count needs review again" in text
    assert "counts" not in text and "people" not in text  # no "1 counts", "1 people"


def test_settings_show_the_policy_by_name(qtbot, workspace, login) -> None:
    from app.services import evaluate as evaluation
    from app.ui.admin_dialogs import SettingsDialog

    pack = evaluation.workspace_pack(workspace)
    dialog = SettingsDialog(workspace, login("admin"), None)
    qtbot.addWidget(dialog)
    label = dialog.findChild(QLabel, "policyName")
    assert label.text() == pack.title and pack.id in label.toolTip()


def test_signoff_and_export_show_local_times_not_utc_stamps(
    qtbot, workspace, login, tmp_path
) -> None:
    from app.services.signoff import signoff, signoff_status
    from app.ui.dialogs import local_datetime
    from app.ui.signoff_dialogs import ExportDialog, SignoffDialog
    from tests.export_seed import seed

    seed(workspace, 1)
    user = login("supervisor")
    signoff(workspace, user, PASSWORD)
    at = signoff_status(workspace).signoff.at
    export = ExportDialog(workspace, workspace.path, user, None, start_dir=tmp_path)
    qtbot.addWidget(export)
    assert at not in export.status.text() and local_datetime(at) in export.status.text()
    again = SignoffDialog(workspace, user, None)
    qtbot.addWidget(again)
    summary = again.summary.text()
    assert "final decision of 1 count:" in summary  # not "1 counts"
    assert at not in summary and local_datetime(at) in summary


def test_combo_boxes_show_their_longest_item_whole(qtbot) -> None:
    from app.rules import packs
    from app.ui.admin_dialogs import UsersDialog  # noqa: F401 - same helper, checked below
    from app.ui.dialogs import NewWorkspaceDialog

    policies = [(p.id, p.title) for p in packs.list_packs()]
    dialog = NewWorkspaceDialog(policies, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    combo = dialog.findChild(QComboBox, "policy")
    longest = max((title for _pid, title in policies), key=combo.fontMetrics().horizontalAdvance)
    needed = combo.fontMetrics().horizontalAdvance(longest)
    assert combo.width() > needed  # the closed box shows the longest name whole
    assert combo.view().minimumWidth() > needed  # and so does its list
    index = combo.findText(longest)
    assert combo.itemText(index) == longest  # the name, not "name (pack-id)"
    assert "Policy pack" in combo.itemData(index, Qt.ItemDataRole.ToolTipRole)


def test_new_workspace_file_label_is_a_mnemonic_not_an_ampersand(qtbot) -> None:
    from app.ui.dialogs import NewWorkspaceDialog

    dialog = NewWorkspaceDialog([("ca-prop64-state", "California")], None)
    qtbot.addWidget(dialog)
    label = next(lab for lab in dialog.findChildren(QLabel) if lab.text() == "&File:")
    assert label.buddy() is dialog.path  # Alt+F reaches the field; the & is not drawn


def test_local_times_read_the_same_in_every_locale_and_iso_without_one(qtbot) -> None:
    import time

    from PySide6.QtCore import QLocale

    from app.ui.dialogs import local_datetime

    before = QLocale()
    try:
        stamp = "2026-03-04T15:06:07.25Z"
        local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1772636767))
        QLocale.setDefault(QLocale.c())
        # The C locale's own short date would read "4 03 2026": ISO instead.
        assert local_datetime(stamp) == local
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        us = local_datetime(stamp)
        month_day_year = time.strftime("%-m/%-d/%Y", time.localtime(1772636767))
        assert us.startswith(month_day_year) and ":07" in us, us  # four-digit year, seconds
    finally:
        QLocale.setDefault(before)
