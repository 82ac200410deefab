"""The case view: the person, their whole history as a timeline, each count with its
recommendation, reasons, citations, facts and source row, and the decision controls."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.model import OUTCOME_LABELS, Outcome
from app.store.review import CaseDetail, CountRecord

STATUS_WORDS = {"decided": "Decided", "flagged": "Flagged for a supervisor", "skipped": "Skipped", "undecided": "Not decided"}


def outcome_label(outcome: str | None) -> str:
    if outcome is None:
        return "Not evaluated"
    try:
        return OUTCOME_LABELS[Outcome(outcome)]
    except ValueError:
        return outcome


def _age(dob: str | None, on: str | None) -> int | None:
    try:
        born = dt.date.fromisoformat(dob or "")
        day = dt.date.fromisoformat(on or "")
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def deciding_ids(counts: list[CountRecord]) -> tuple[set[int], set[int]]:
    """Count ids and event ids that this case's reasons name in their facts (the deciding priors).

    The engine names what it relied on in a reason's facts under keys that mention "count"
    or "event" (e.g. ``prior_count_ids``), as an id or a list of ids.
    """
    count_ids: set[int] = set()
    event_ids: set[int] = set()

    def collect(key: str, value: Any) -> None:
        target = count_ids if "count" in key else event_ids if "event" in key else None
        if target is None:
            return
        values = value if isinstance(value, list | tuple) else [value]
        target.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))

    for count in counts:
        for reason in count.reasons:
            for key, value in reason.facts.items():
                collect(key.lower(), value)
    own = {c.count_id for c in counts}
    return count_ids - own, event_ids


def case_html(detail: CaseDetail) -> str:
    """The case as HTML for a QTextBrowser: plain structure, words and symbols, not colour alone."""
    e = html.escape
    person = detail.person
    as_of = detail.run.as_of if detail.run else None
    priors, prior_events = deciding_ids(detail.counts)
    parts = [f"<h2>{e(person.name)}</h2>"]
    facts = [f"Person key: <b>{e(person.person_key or 'none')}</b>" + (f" ({e(person.key_type)})" if person.key_type else "")]
    if person.dob:
        facts.append(f"Born {e(person.dob)}")
        age_now = _age(person.dob, as_of)
        if age_now is not None:
            facts.append(f"age {age_now} as of {e(as_of or '')} (the evaluation date)")
    else:
        facts.append("<b>Date of birth missing</b>" + (f" (source said “{e(person.dob_raw)}”)" if person.dob_raw else ""))
    if person.sex:
        facts.append(f"Sex {e(person.sex)}")
    parts.append("<p>" + " · ".join(facts) + "</p>")
    case = detail.case
    parts.append(
        f"<h3>Case {e(case.case_number)}</h3><p>{e(' · '.join(p for p in (case.court, case.county) if p))}"
        + (f" · filed {e(case.filing_date)}" if case.filing_date else "")
        + (f" · status {e(case.status)}" if case.status else "")
        + (f" · evaluated under <b>{e(detail.run.policy_id)}</b> as of {e(detail.run.as_of)}" if detail.run else " · <b>not evaluated yet</b>")
        + "</p>"
    )
    for count in detail.counts:
        parts.append(_count_html(count, person.dob))
    parts.append("<h3>History across every source</h3>")
    parts.append("<p>Every count and event on record for this person, oldest first. "
                 "<b>▶</b> marks this case; <b>◆ deciding</b> marks a prior the recommendation relied on.</p>")
    rows = []
    entries: list[tuple[str, str]] = []
    for c in detail.history:
        mark = "▶ " if c.case_id == case.case_id else ""
        deciding = c.count_id in priors
        label = (
            f"<td style='white-space:nowrap'>{e(c.event_date or 'no date')}</td><td>{mark}{e(c.case_number)}</td>"
            f"<td>{e(c.offense_display)}</td><td>{e(c.level or '')}</td><td>{e(c.disposition or '')}</td>"
            f"<td>{e(' · '.join(p for p in (c.court, c.county) if p))}</td>"
            f"<td>{'<b>◆ deciding</b>' if deciding else ''}</td>"
        )
        style = ' style="background-color:#fff3c4; font-weight:bold"' if deciding else ""
        entries.append((c.event_date or "9999", f"<tr{style}>{label}</tr>"))
    for ev in detail.events:
        deciding = ev.event_id in prior_events
        style = ' style="background-color:#fff3c4; font-weight:bold"' if deciding else ""
        entries.append((
            ev.event_date or "9999",
            f"<tr{style}><td style='white-space:nowrap'>{e(ev.event_date or 'no date')}</td><td>event</td>"
            f"<td>{e(ev.event_type)}: {e(ev.offense_raw or ev.description or '')}</td><td></td><td></td><td></td>"
            f"<td>{'<b>◆ deciding</b>' if deciding else ''}</td></tr>",
        ))
    entries.sort(key=lambda t: t[0])
    rows = [row for _, row in entries]
    parts.append(
        '<table width="100%" cellspacing="0" cellpadding="3" border="1" style="border-collapse:collapse">'
        # Share the width by what each column holds: offenses are the longest text
        # and must not wrap letter by letter; case numbers can wrap between words.
        '<tr><th width="12%">Date</th><th width="17%">Case</th><th width="28%">Offense</th>'
        '<th width="10%">Level</th><th width="11%">Disposition</th><th width="13%">Court · county</th>'
        '<th width="9%"></th></tr>'
        + "".join(rows) + "</table>"
    )
    return "".join(parts)


def _count_html(c: CountRecord, dob: str | None) -> str:
    e = html.escape
    head = f"Count {e(c.count_number or str(c.count_id))}: {e(c.offense_display)}"
    if c.description:
        head += f" — {e(c.description)}"
    out = [f"<h4>{head}</h4><p>"]
    bits = [b for b in (c.level, c.disposition and f"{c.disposition} {c.disposition_date or ''}".strip()) if b]
    if c.offense_date:
        bits.append(f"offense {c.offense_date}")
    age = _age(dob, c.event_date)
    if age is not None:
        bits.append(f"age {age} at the time")
    out.append(e(" · ".join(bits)))
    out.append("</p>")
    out.append(f"<p>Recommendation: <b>{e(outcome_label(c.outcome))}</b></p>")
    if c.outcome == Outcome.NEEDS_REVIEW.value:
        question = " ".join(r.text for r in c.reasons) or "The engine could not decide this count from the data."
        out.append(f"<p><b>? Question for you:</b> {e(question)}</p>")
    if c.reasons:
        out.append("<ul>")
        for r in c.reasons:
            item = f"<li>{e(r.text)}"
            if r.citation:
                item += f" <i>[{e(r.citation)}]</i>"
            if r.facts:
                item += "<br/><small>Facts used: " + e("; ".join(f"{k} = {v}" for k, v in r.facts.items())) + "</small>"
            out.append(item + f" <small>({e(r.code)})</small></li>")
        out.append("</ul>")
    if c.source_file:
        where = f"{c.source_file}" + (f", sheet {c.source_sheet}" if c.source_sheet else "") + (f", row {c.source_row}" if c.source_row else "")
        out.append(f"<p><small>Source: {e(where)}</small></p>")
    decision = f"<b>{e(STATUS_WORDS.get(c.status, c.status))}</b>"
    if c.status == "decided":
        decision += f": {e(outcome_label(c.final_outcome))}"
    if c.decided_by:
        decision += f" by {e(c.decided_by)} at {e(c.decided_at or '')}"
    if c.decision_reason:
        decision += f" — “{e(c.decision_reason)}”"
    if c.needs_rereview:
        decision += " <b>· ⟳ re-review: the recommendation changed since this decision</b>"
    out.append(f"<p>Decision: {decision}</p>")
    return "".join(out)


class CaseView(QWidget):
    """The case text and the decision bar. Decisions are asked for by signals; the owner runs them."""

    acceptRequested = Signal()  # noqa: N815
    overrideRequested = Signal()  # noqa: N815
    flagRequested = Signal()  # noqa: N815
    skipRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None, *, can_decide: bool = True) -> None:
        super().__init__(parent)
        self.detail: CaseDetail | None = None
        # A user without the review right reads cases; the decision bar stays disabled.
        self.can_decide = can_decide
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setObjectName("caseText")
        self.text.setAccessibleName(self.tr("Case details"))
        self.text.setOpenLinks(False)
        layout.addWidget(self.text, 1)
        # Two rows: the counts chosen, then the buttons, so the case view stays narrow enough
        # for a laptop window (the buttons share the row's width and never push the window wider).
        scope_row = QHBoxLayout()
        bar = QHBoxLayout()
        label = QLabel(self.tr("Decide &for:"))
        self.scope = QComboBox()
        self.scope.setObjectName("decisionScope")
        self.scope.setAccessibleName(self.tr("Counts the decision applies to"))
        label.setBuddy(self.scope)
        scope_row.addWidget(label)
        scope_row.addWidget(self.scope, 1)
        # The long count descriptions are read in the list; the closed box may cut them.
        self.scope.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scope.setMinimumContentsLength(12)
        self.accept_button = QPushButton(self.tr("Accept && next"))
        self.override_button = QPushButton(self.tr("Override…"))
        self.flag_button = QPushButton(self.tr("Flag…"))
        self.skip_button = QPushButton(self.tr("Skip"))
        for button, signal, name in (
            (self.accept_button, self.acceptRequested, "acceptButton"),
            (self.override_button, self.overrideRequested, "overrideButton"),
            (self.flag_button, self.flagRequested, "flagButton"),
            (self.skip_button, self.skipRequested, "skipButton"),
        ):
            button.setObjectName(name)
            button.clicked.connect(signal)
            bar.addWidget(button, 1)
        layout.addLayout(scope_row)
        layout.addLayout(bar)
        self.message = QLabel("")
        self.message.setObjectName("caseMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Decision message"))
        layout.addWidget(self.message)
        self.show_detail(None)

    def show_detail(self, detail: CaseDetail | None) -> None:
        self.detail = detail
        self.scope.clear()
        enabled = detail is not None and self.can_decide
        for w in (self.scope, self.accept_button, self.override_button, self.flag_button, self.skip_button):
            w.setEnabled(enabled)
        if detail is None:
            self.text.setHtml(f"<p>{html.escape(self.tr('Choose a case in the queue.'))}</p>")
            return
        scroll = self.text.verticalScrollBar().value() if self.detail is detail else 0
        self.scope.addItem(self.tr("All counts of this case"), None)
        for c in detail.counts:
            self.scope.addItem(
                self.tr("Count %s: %s (%s)") % (c.count_number or c.count_id, c.offense_display, outcome_label(c.outcome)),
                c.count_id,
            )
        self.text.setHtml(case_html(detail))
        self.text.verticalScrollBar().setValue(scroll)

    def selected_counts(self) -> list[int] | None:
        """The count ids the decision applies to (None: the whole case)."""
        value = self.scope.currentData()
        return None if value is None else [int(value)]

    def selected_records(self) -> list[CountRecord]:
        if self.detail is None:
            return []
        chosen = self.selected_counts()
        return [c for c in self.detail.counts if chosen is None or c.count_id in chosen]

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft)
