"""The queue's filter bar: search (name, case number, person key) and the filters."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from app.store.review import OUTCOME_COLUMNS, STATUS_LABELS, QueueFilter
from app.ui.review.case_view import outcome_label

SEARCH_DELAY_MS = 250


class FilterBar(QWidget):
    changed = Signal(object)  # QueueFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("searchEdit")
        self.search.setPlaceholderText(self.tr("Search name, case number or person key (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search cases"))
        self.search.setClearButtonEnabled(True)
        grid.addWidget(self.search, 0, 0, 1, 4)

        self.outcome = self._combo("outcomeFilter", self.tr("Recommended outcome"))
        self._fill_outcomes(OUTCOME_COLUMNS)
        self.status = self._combo("statusFilter", self.tr("Review status"))
        self.status.addItem(self.tr("Any status"), None)
        self.status.addItem(self.tr("Not done"), "open")
        for code, label in STATUS_LABELS.items():
            self.status.addItem(self.tr(label), code)
        self.place = self._combo("placeFilter", self.tr("County or court"))
        self.section = self._combo("sectionFilter", self.tr("Offense section"))
        self.reviewer = self._combo("reviewerFilter", self.tr("Reviewer"))
        self.set_choices({"places": [], "sections": [], "reviewers": []})
        self.rereview = QCheckBox(self.tr("Re-review"))
        self.rereview.setObjectName("rereviewFilter")
        self.rereview.setToolTip(self.tr("Only cases with a decision made on an older recommendation"))
        self.rereview.setAccessibleName(self.tr("Only cases flagged for re-review"))
        for column, (label, widget) in enumerate(
            ((self.tr("&Outcome"), self.outcome), (self.tr("&Status"), self.status), (self.tr("P&lace"), self.place),
             (self.tr("Se&ction"), self.section), (self.tr("Rev&iewer"), self.reviewer))
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, 1, column)
            grid.addWidget(widget, 2, column)
            # The filters share the width: wide windows show whole choices, and a narrow one
            # (a 1366×768 laptop at 125 %) still fits all five, their text cut at the end.
            grid.setColumnStretch(column, 1)
        grid.addWidget(self.rereview, 0, 4)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._emit)
        for combo in (self.outcome, self.status, self.place, self.section, self.reviewer):
            combo.currentIndexChanged.connect(lambda _i: self._emit())
        self.rereview.toggled.connect(lambda _b: self._emit())
        self._last: QueueFilter | None = None

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setMinimumContentsLength(5)
        combo.setMinimumWidth(0)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    def set_choices(self, choices: dict[str, list[str]]) -> None:
        """Fill the place, section and reviewer lists, and the recommendations when ``outcomes``
        is given (keeps the current choice when it still exists)."""
        for combo, key, any_text in ((self.place, "places", self.tr("Any place")),
                                     (self.section, "sections", self.tr("Any section")),
                                     (self.reviewer, "reviewers", self.tr("Anyone"))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(any_text, None)
            for value in choices.get(key, []):
                combo.addItem(value, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        if "outcomes" in choices:
            # Only what this policy can recommend: Seattle offers no "Eligible: reduce".
            current = self.outcome.currentData()
            self.outcome.blockSignals(True)
            self._fill_outcomes(choices["outcomes"])
            index = self.outcome.findData(current) if current is not None else 0
            self.outcome.setCurrentIndex(max(index, 0))
            self.outcome.blockSignals(False)

    def _fill_outcomes(self, codes: Sequence[str]) -> None:
        self.outcome.clear()
        self.outcome.addItem(self.tr("Any outcome"), None)
        for code in codes:
            self.outcome.addItem(outcome_label(None if code == "none" else code), code)

    def current(self) -> QueueFilter:
        return QueueFilter(
            outcome=self.outcome.currentData(),
            status=self.status.currentData(),
            place=self.place.currentData(),
            section=self.section.currentData(),
            reviewer=self.reviewer.currentData(),
            rereview=self.rereview.isChecked(),
            search=self.search.text().strip(),
        )

    def _emit(self) -> None:
        self._timer.stop()
        filt = self.current()
        if filt != self._last:
            self._last = filt
            self.changed.emit(filt)
