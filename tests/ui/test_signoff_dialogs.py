"""The sign-off, export and audit-log dialogs, driven with pytest-qt on a real seeded workspace."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.services.packet import verify_packet
from app.services.signoff import signoff, signoff_status
from app.ui.signoff_dialogs import AuditLogDialog, ExportDialog, SignoffDialog
from tests.conftest import PASSWORD
from tests.export_seed import CA_OUTCOMES, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


def test_signoff_dialog_refuses_a_reviewer(qtbot, workspace, login) -> None:
    seed(workspace, 5)
    dialog = SignoffDialog(workspace, login("reviewer"), None)
    qtbot.addWidget(dialog)
    assert not dialog.sign_button.isEnabled()
    assert "Only a supervisor" in dialog.error.text()


def test_signoff_dialog_shows_the_set_and_asks_the_password(qtbot, workspace, login) -> None:
    seed(workspace, 10)
    dialog = SignoffDialog(workspace, login("supervisor"), None)
    qtbot.addWidget(dialog)
    text = dialog.summary.text()
    assert "10 counts" in text and "Eligible: dismiss: 2" in text and "reviewer (10)" in text
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert "not right" in dialog.error.text() and dialog.report is None
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.report is not None and dialog.report.count_total == 10
    assert signoff_status(workspace).valid


def test_export_dialog_writes_the_packet_and_prints(qtbot, workspace, login, tmp_path) -> None:
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from app.services.packet import print_filing, signed_filings

    seed(workspace, 9, outcomes=CA_OUTCOMES)
    user = login("supervisor")
    signoff(workspace, user, PASSWORD)
    dialog = ExportDialog(workspace, workspace.path, user, None, start_dir=tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.export_button.isEnabled() and not dialog.open_button.isEnabled()
    dialog.folder.setText(str(tmp_path / "packet"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    # Not qtbot.waitUntil: its 10 ms event loops connect and disconnect Python-made Qt objects
    # on this thread while the export's thread lays out PDFs, which can deadlock the two on
    # Qt's signal lock (seen once in CI). wait_idle only processes events.
    assert dialog.runner.wait_idle(30000)
    assert dialog.report is not None
    assert dialog.open_button.isEnabled()
    assert "Exported 9 signed-off counts" in dialog.result.text()
    # Words, not the packet report's hash lines; the fingerprint the cover pages carry.
    assert "SHA-256" not in dialog.result.text()
    assert dialog.report.fingerprint in dialog.result.text()
    assert dialog.report.manifest_sha256 in dialog.result.toolTip()
    assert verify_packet(tmp_path / "packet").ok
    dialog.done(0)

    # Printing paints the same pages as the PDF in the packet.
    filing = signed_filings(workspace)[0]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = print_filing(filing, printer)
    exported = PdfReader(str(tmp_path / "packet" / "motion-dismiss.pdf"))
    assert pages == len(PdfReader(str(tmp_path / "printed.pdf")).pages) == len(exported.pages)


def test_export_dialog_disabled_without_signoff(qtbot, workspace, login, tmp_path) -> None:
    seed(workspace, 3)
    dialog = ExportDialog(workspace, workspace.path, login("supervisor"), None, start_dir=tmp_path)
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled()
    assert "no sign-off" in dialog.status.text()
    # Enter means Export (when it is allowed), never Browse.
    assert dialog.export_button.isDefault()
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Browse…")
    assert not browse.autoDefault() and not browse.isDefault()


def test_audit_log_dialog_filters_and_verifies(qtbot, qtmodeltester, workspace, login) -> None:
    seed(workspace, 3)
    signoff(workspace, login("supervisor"), PASSWORD)
    dialog = AuditLogDialog(workspace, None)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() > 5
    qtmodeltester.check(dialog.model)  # Qt's own model checks, over the real entries
    # Actions read as words; the recorded code is in the tooltip.
    shown = {dialog.model.index(r, 3).data() for r in range(dialog.model.rowCount())}
    assert {"Workspace created", "User: add", "Sign-off", "Sign-off password check"} <= shown
    # (the seed records its own "decision.*" entries, which no version of the product writes)
    assert not any("." in text or "_" in text for text in shown if not text.startswith("decision."))
    # Choose "Sign-offs" with the keyboard: the Action box is reached by its mnemonic label.
    dialog.action.setFocus()
    while dialog.action.currentText() != "Sign-offs":
        qtbot.keyClick(dialog.action, Qt.Key.Key_Down)
    codes = {dialog.model.index(r, 3).data(Qt.ItemDataRole.ToolTipRole) for r in range(dialog.model.rowCount())}
    assert codes == {"Recorded as signoff", "Recorded as signoff.success"}
    assert {dialog.model.index(r, 5).data() for r in range(dialog.model.rowCount())} == {"OK"}
    qtmodeltester.check(dialog.model)  # and again after the filter reset it
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    assert "Audit chain: ok" in dialog.chain.text()


def test_main_window_has_the_actions(qtbot) -> None:
    from app.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    for name in ("actSignoff", "actExport", "actAuditLog"):
        assert not win.findChild(type(win.act_export), name).isEnabled()  # no workspace yet


def test_audit_log_searches_the_whole_log_and_says_when_it_caps(qtbot, workspace, login) -> None:
    with workspace.transaction():
        workspace.audit("admin", "note", "the-oldest-note", details={"reason": "kept"})
        for i in range(5_010):
            workspace.audit("reviewer", "review.accept", f"case C{i:06d}", details={"rows": 1})
    dialog = AuditLogDialog(workspace, None)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 5_000
    assert "newest 5,000 of 5,0" in dialog.found.text()  # the cap is said, with the total

    qtbot.keyClicks(dialog.text, "oldest-note")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 4).data() == "the-oldest-note"
    assert dialog.found.text() == "1 matching entry"


def test_audit_log_details_read_as_words(qtbot, workspace, login) -> None:
    seed(workspace, 6)
    signoff(workspace, login("supervisor"), PASSWORD)
    dialog = AuditLogDialog(workspace, None)
    qtbot.addWidget(dialog)
    dialog.action.setCurrentIndex(dialog.action.findData("signoff"))
    dialog.reload()
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.rows[r].action == "signoff")
    cell = dialog.model.index(row, 6).data()
    assert "{" not in cell and "'" not in cell and "_" not in cell  # no Python dict text
    assert "Decided by: reviewer 6" in cell and "Eligible: dismiss 2" in cell
    # The hash is cut in the cell; the tooltip and the entry pane give it whole.
    status = signoff_status(workspace)
    full_hash = status.signoff.decisions_hash
    assert full_hash not in cell and full_hash[:16] + "…" in cell
    tip = dialog.model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole)
    assert f"Decisions hash: {full_hash}" in tip.splitlines()
    dialog.table.selectRow(row)
    pane = dialog.entry.toPlainText()
    assert f"Decisions hash: {full_hash}" in pane and "Decided by › reviewer: 6" in pane
    # Times are local and readable; the stored UTC stamp is in the tooltip and the pane.
    when = dialog.model.index(row, 1).data()
    assert "T" not in when and not when.endswith("Z")
    assert dialog.model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole) == f"{status.signoff.at} UTC"
    assert f"UTC {status.signoff.at}" in pane


def test_every_action_the_product_records_reads_as_words() -> None:
    """Each literal action passed to the audit log anywhere in app/ has words in the log
    window (a new action without them would show its code to the supervisor)."""
    import ast
    from pathlib import Path

    from app.ui.signoff_dialogs import action_text

    root = Path(__file__).resolve().parents[2] / "app"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("audit", "audit_after_failure", "record_refusal")
                and len(node.args) > 1
            ):
                for value in ast.walk(node.args[1]):
                    text = value.value if isinstance(value, ast.Constant) else None
                    # Pieces of a built name ("person.match." + ...) are covered below.
                    if isinstance(text, str) and text and not text.startswith(".") and not text.endswith("."):
                        found.add(text)
    # f"review.{action}", f"{purpose}.success": the parts they are built from.
    found |= {f"review.{a}" for a in ("accept", "override", "flag", "skip", "undo", "bulk_accept")}
    found |= {f"{p}.{r}" for p in ("logon", "unlock", "signoff") for r in ("success", "failure")}
    found |= {"person.match.confirm", "person.match.reject"}
    assert len(found) > 20
    unworded = sorted(a for a in found if "." in a and action_text(a) == a)
    assert not unworded, unworded
