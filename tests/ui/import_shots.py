"""Screenshots of each import wizard page: ``python -m tests.ui.import_shots [OUT_DIR]``.

Runs offscreen on a throw-away workspace and a small invented county workbook, and writes
``import-1-file.png`` … ``import-4-result.png`` and ``import-hidden-sheet.png`` (a workbook
whose only data is on a hidden sheet) (default: docs/screenshots).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CLEARSLATE_TEST_FAST_KDF", "1")
os.environ.setdefault("CLEARSLATE_HOME", tempfile.mkdtemp(prefix="clearslate-shots-"))


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services import auth
    from app.ui.import_wizard import ImportWizard
    from tests.conftest import PASSWORD, make_workspace
    from tests.ui.import_files import write_workbook

    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    fonts = Path(__file__).resolve().parents[2] / "resources" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        QFontDatabase.addApplicationFont(str(fonts / name))
    app.setFont(QFont("DejaVu Sans", 9))
    app.setStyle("Fusion")

    folder = Path(tempfile.mkdtemp(prefix="clearslate-shots-"))
    ws = make_workspace(folder, name="Kern Prop 64")
    user = auth.login(ws, "clerk", PASSWORD)
    source = write_workbook(folder / "kern-court-export.xlsx")

    wizard = ImportWizard(ws, user)
    wizard.show()
    wizard.file_page.load(source, sheet="Cases")
    while wizard.file_page.reading:
        QTest.qWait(25)
    wizard.file_page.preview.selectRow(5)
    QTest.qWait(50)
    wizard.grab().save(str(out / "import-1-file.png"))

    wizard.next()
    wizard.mapping_page.set_field("level", "Charge Level")
    QTest.qWait(50)
    wizard.grab().save(str(out / "import-2-mapping.png"))

    wizard.next()
    for _ in range(200):
        if wizard.state.validation is not None:
            break
        QTest.qWait(25)
    wizard.validate_page.select_finding("date.impossible")
    QTest.qWait(50)
    wizard.grab().save(str(out / "import-3-validate.png"))

    wizard.validate_page.skip_box.setChecked(True)
    wizard.next()
    for _ in range(400):
        if wizard.import_page.done:
            break
        QTest.qWait(25)
    QTest.qWait(50)
    wizard.grab().save(str(out / "import-4-result.png"))
    wizard.reject()

    # A workbook whose only data is on a hidden sheet: the first page lists its sheets.
    wizard = ImportWizard(ws, user)
    wizard.show()
    wizard.file_page.load(_hidden_only_workbook(folder / "court-export-2019.xlsx"))
    while wizard.file_page.reading:
        QTest.qWait(25)
    QTest.qWait(50)
    wizard.grab().save(str(out / "import-hidden-sheet.png"))
    wizard.reject()
    ws.close()
    print(f"wrote 5 screenshots to {out}")
    return 0


def _hidden_only_workbook(path: Path) -> Path:
    """A visible sheet left empty and the rows on a hidden one (someone hid it in Excel)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Summary")
    data = book.add_worksheet("Cases 2019")
    data.write_row(0, 0, ["Case Number", "Defendant Name", "DOB", "Charge"])
    data.write_row(1, 0, ["F0012345", "DOE, JOHN", "1980-01-02", "11357(B) HS"])
    data.hide()
    book.close()
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
