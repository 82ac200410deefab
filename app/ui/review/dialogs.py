"""Review dialogs: override (outcome + required reason), flag (note), bulk accept (count,
filter, reason), and the F1 shortcut legend built from the actions themselves."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services.review import DECIDABLE_OUTCOMES, MIN_REASON_CHARS
from app.ui.review.case_view import outcome_label


def self_tr(text: str) -> str:
    """tr() for text built before ``self`` exists (the dialogs' translation context)."""
    return QCoreApplication.translate("ReviewDialogs", text)


class ReasonDialog(QDialog):
    """A dialog whose OK stays disabled until a written reason is given."""

    def __init__(self, title: str, intro: str, reason_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.layout_ = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setObjectName("dialogIntro")
        self.intro.setWordWrap(True)
        self.layout_.addWidget(self.intro)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reasonEdit")
        self.reason.setAccessibleName(reason_label)
        self.reason.setTabChangesFocus(True)  # Tab leaves the box, so the keyboard reaches OK
        self.reason.setFixedHeight(90)
        self.form.addRow(reason_label, self.reason)
        self.hint = QLabel(self.tr("A written reason is required (at least %d characters).") % MIN_REASON_CHARS)
        self.hint.setObjectName("reasonHint")
        self.layout_.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.reason.textChanged.connect(self._check)
        self._check()

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def _check(self) -> None:
        ok = len(self.reason_text()) >= MIN_REASON_CHARS
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        self.hint.setVisible(not ok)

    def accept(self) -> None:
        if len(self.reason_text()) < MIN_REASON_CHARS:
            return  # refuse without a reason, even from a shortcut
        super().accept()


class OverrideDialog(ReasonDialog):
    def __init__(
        self,
        counts_text: str,
        recommended: str | None,
        parent: QWidget | None = None,
        outcomes: tuple[str, ...] = DECIDABLE_OUTCOMES,
    ) -> None:
        super().__init__(
            self_tr("Override the recommendation"),
            self_tr("Decide another outcome for %s (recommended: %s).") % (counts_text, outcome_label(recommended)),
            self_tr("Reason:"),
            parent,
        )
        self.setObjectName("overrideDialog")
        self.outcome = QComboBox()
        self.outcome.setObjectName("overrideOutcome")
        self.outcome.setAccessibleName(self.tr("Outcome"))
        for code in outcomes:  # the policy's own: no relief its filings cannot ask for
            self.outcome.addItem(outcome_label(code), code)
        # Start on something other than the recommendation: an override changes the outcome.
        for i in range(self.outcome.count()):
            if self.outcome.itemData(i) != recommended:
                self.outcome.setCurrentIndex(i)
                break
        self.form.insertRow(0, self.tr("&Outcome:"), self.outcome)
        self.outcome.setFocus()

    def chosen_outcome(self) -> str:
        return str(self.outcome.currentData())


class FlagDialog(ReasonDialog):
    def __init__(self, counts_text: str, parent: QWidget | None = None) -> None:
        super().__init__(
            self_tr("Flag for a supervisor"),
            self_tr("Flag %s for a supervisor. Say what they should look at.") % counts_text,
            self_tr("Note:"),
            parent,
        )
        self.setObjectName("flagDialog")


class BulkAcceptDialog(ReasonDialog):
    """States the count and the filter; needs a reason (UX.md: bulk actions)."""

    def __init__(self, confirmation: str, parent: QWidget | None = None) -> None:
        super().__init__(self_tr("Accept in bulk"), confirmation, self_tr("Reason:"), parent)
        self.setObjectName("bulkAcceptDialog")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Accept these"))


class ShortcutLegend(QDialog):
    """F1: every action with its shortcut, built from the actions (so it cannot go stale)."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutLegend")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(520, 560)
        layout = QVBoxLayout(self)
        view = QTextBrowser()
        view.setObjectName("shortcutText")
        view.setAccessibleName(self.tr("Keyboard shortcuts"))
        rows = []
        for action in actions:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
            if not keys:
                continue
            name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")
            rows.append(f"<tr><td><b>{html.escape(' / '.join(keys))}</b></td><td>{html.escape(name)}</td></tr>")
        view.setHtml(f"<table cellpadding='4'>{''.join(rows)}</table>")
        layout.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.text = view
