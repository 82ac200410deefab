"""Help ▸ User guide: the guide shipped in resources/help, read in the window, offline."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.resources import resource_path

GUIDE_PARTS = ("help", "user-guide.md")


class GuideDialog(QDialog):
    """The user guide beside the work (not modal), with a find box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userGuide")
        self.setWindowTitle(self.tr("ClearSlate user guide"))
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setAccessibleName(self.tr("User guide"))
        # Nothing is fetched or opened outside the window: the guide has no links out.
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        path = resource_path(*GUIDE_PARTS)
        try:
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError:
            # A damaged installation: say where the guide should be rather than show nothing.
            self.browser.setPlainText(
                self.tr(
                    "The user guide is missing from this installation (%s). Ask your IT contact to reinstall ClearSlate."
                )
                % path
            )
        self.find = QLineEdit()
        self.find.setObjectName("guideFind")
        self.find.setClearButtonEnabled(True)
        self.find.setPlaceholderText(self.tr("word or phrase"))
        self.find.returnPressed.connect(self.find_next)
        find_label = QLabel(self.tr("&Find:"))
        find_label.setBuddy(self.find)
        self.not_found = QLabel("")
        self.not_found.setObjectName("guideNotFound")
        bar = QHBoxLayout()
        bar.addWidget(find_label)
        bar.addWidget(self.find, 1)
        bar.addWidget(self.not_found)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        # Wide enough for the tables, and the text at a comfortable reading width.
        width = self.fontMetrics().horizontalAdvance("0" * 100)
        self.resize(width, round(width * 0.9))
        self.find.setFocus()

    def find_next(self) -> bool:
        """Select the next place the find box's text occurs, from the top again at the end."""
        text = self.find.text().strip()
        self.not_found.clear()
        if not text:
            return False
        if self.browser.find(text):
            return True
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        if self.browser.find(text, QTextDocument.FindFlag(0)):
            return True
        self.not_found.setText(self.tr("Not found"))
        return False
