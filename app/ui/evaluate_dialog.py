"""Review ▸ Evaluate: run the workspace's policy over every count, with a preview of what changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClearSlateError
from app.services import evaluate as evaluation
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.dialogs import count_text, outcome_label, show_error
from app.ui.tasks import TaskRunner


class EvaluateDialog(QDialog):
    """Pick the as-of date, preview the changes (a dry run), then evaluate off the UI thread."""

    evaluated = Signal(object)  # the EvaluationReport of a saved run

    def __init__(
        self, ws: Workspace, user: User, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("evaluateDialog")
        self.setWindowTitle(self.tr("Evaluate eligibility"))
        self.ws, self.user, self.runner = ws, user, runner
        self.report: Any = None
        pack = evaluation.workspace_pack(ws)
        default = pack.as_of or dt.date.today()

        self.as_of = QDateEdit(QDate(default.year, default.month, default.day))
        self.as_of.setObjectName("asOf")
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setAccessibleName(self.tr("Evaluate as of"))
        self.pack = pack
        form = QFormLayout()
        # The pack's name, as the county knows the policy; its id is for the command line.
        policy = QLabel(
            self.tr("%1 (version %2)").replace("%1", pack.title).replace("%2", pack.version)
        )
        policy.setObjectName("policyName")
        policy.setWordWrap(True)
        policy.setToolTip(
            self.tr("Policy pack %1, version %2").replace("%1", pack.id).replace("%2", pack.version)
        )
        form.addRow(self.tr("Policy:"), policy)
        form.addRow(self.tr("&As of:"), self.as_of)
        if pack.as_of and pack.as_of_fixed:
            # The order fixed its date (LA: ages and windows as of 2020-02-11): nothing to pick.
            self.as_of.setEnabled(False)
            note = QLabel(
                self.tr("This policy decides as of its own fixed date, %s, the date of its order.")
                % pack.as_of.isoformat()
            )
            note.setObjectName("asOfFixed")
            note.setWordWrap(True)
            form.addRow("", note)
        elif pack.as_of:
            form.addRow(
                "",
                QLabel(self.tr("The policy's own reference date is %s.") % pack.as_of.isoformat()),
            )

        self.result = QPlainTextEdit()
        self.result.setObjectName("evaluateResult")
        self.result.setReadOnly(True)
        self.result.setAccessibleName(self.tr("Evaluation result"))
        self.result.setPlaceholderText(
            self.tr(
                "Preview shows how many recommendations a new run would change, without saving anything."
            )
        )
        self.preview_button = QPushButton(self.tr("&Preview changes"))
        self.preview_button.setObjectName("previewButton")
        self.preview_button.clicked.connect(lambda: self._run(dry_run=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = buttons.addButton(
            self.tr("&Evaluate"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.run_button.setObjectName("evaluateButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(lambda: self._run(dry_run=False))
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result, 1)
        layout.addWidget(buttons)
        self.resize(620, 380)

    def _as_of(self) -> dt.date:
        q = self.as_of.date()
        return dt.date(q.year(), q.month(), q.day())

    def _run(self, *, dry_run: bool) -> None:
        as_of, username = self._as_of(), self.user.username
        self.preview_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.result.setPlainText(self.tr("Working…"))

        def op(ws: Workspace, progress: Any) -> Any:
            return evaluation.evaluate(
                ws, user=username, as_of=as_of, dry_run=dry_run, progress=progress
            )

        # Both go to the writer: an evaluation reads a consistent workspace and a saved run
        # must not overlap a decision being written.
        self.runner.write(
            op,
            self._done,
            on_error=self._failed,
            label=self.tr("Previewing changes…") if dry_run else self.tr("Evaluating every count…"),
        )

    def _done(self, report: Any) -> None:
        self.preview_button.setEnabled(True)
        self.run_button.setEnabled(True)
        self.result.setPlainText("\n".join(self.report_lines(report)))
        if not report.dry_run:
            self.report = report
            self.evaluated.emit(report)

    def report_lines(self, report: Any) -> list[str]:
        """The run in words: the policy's name, outcome labels, local dates, real plurals
        (the command line's report names the pack id and the outcome codes)."""
        locale = QLocale()
        as_of = locale.toString(
            QDate(report.as_of.year, report.as_of.month, report.as_of.day),
            QLocale.FormatType.LongFormat,
        )
        head = (
            self.tr("Preview only — nothing was saved.")
            if report.dry_run
            else self.tr("Evaluation run %1 is saved.").replace("%1", str(report.run_id))
        )
        lines = [
            head,
            self.tr("%1 of %2, under %3, as of %4.")
            .replace("%1", count_text(report.count_total, "%n count", "%n counts"))
            .replace("%2", count_text(report.people_total, "%n person", "%n people"))
            .replace("%3", self.pack.title)
            .replace("%4", as_of),
            "",
        ]
        lines += [
            f"    {o.label}: {locale.toString(report.outcomes.get(o.value, 0))}" for o in report.shown_outcomes()
        ]
        if report.previous_run_id is not None:
            lines.append("")
            lines.append(
                count_text(
                    report.changed_total,
                    "%n recommendation differs from run %1.",
                    "%n recommendations differ from run %1.",
                ).replace("%1", str(report.previous_run_id))
            )
            for c in report.changed[:50]:
                lines.append(
                    self.tr("    Case %1: %2 → %3")
                    .replace("%1", str(c.case_number))
                    .replace("%2", outcome_label(c.before) if c.before else self.tr("none"))
                    .replace("%3", outcome_label(c.after))
                )
            if report.changed_total > 50:
                lines.append(
                    count_text(
                        report.changed_total - 50, "    … and %n more.", "    … and %n more."
                    )
                )
        if report.rereview_total:
            lines.append(
                count_text(
                    report.rereview_total,
                    "%n reviewed count needs review again: its recommendation changed.",
                    "%n reviewed counts need review again: their recommendation changed.",
                )
            )
        return lines

    def _failed(self, exc: BaseException) -> None:
        self.preview_button.setEnabled(True)
        self.run_button.setEnabled(True)
        self.result.setPlainText("")
        if isinstance(exc, ClearSlateError):
            show_error(self, str(exc))
        else:
            raise exc

