"""The case view: the person, their whole history as a timeline, each count with its
recommendation, reasons, citations, facts and source row, and the decision controls."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.model import Outcome
from app.store.review import CaseDetail, CountRecord
from app.ui.dialogs import count_text, local_datetime, outcome_label, policy_title

STATUS_WORDS = {
    "decided": "Decided",
    "flagged": "Flagged for a supervisor",
    "skipped": "Skipped",
    "undecided": "Not decided",
}
# The deciding prior's row: a pale yellow behind black text (contrast well above 4.5:1); the
# words "◆ deciding" say it too, never the colour alone.
DECIDING_STYLE = ' style="background-color:#fff3c4; color:#000000; font-weight:bold"'


def tr(text: str, n: int = -1) -> str:
    """tr() for the case text, built outside any widget (the CaseView translation context)."""
    return QCoreApplication.translate("CaseView", text, None, n)


def plural(n: int, one: str, many: str) -> str:
    """``one``/``many`` hold %n: "1 case", "6 cases" (see dialogs.count_text), in the case
    view's translation context."""
    return count_text(n, one, many, "CaseView")


def _age(dob: str | None, on: str | None) -> int | None:
    try:
        born = dt.date.fromisoformat(dob or "")
        day = dt.date.fromisoformat(on or "")
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def count_number(c: CountRecord, counts: list[CountRecord]) -> str:
    """The count's number as the court's data gives it; when the data has none (Seattle's and
    the New York exports have no count column), its place among the case's counts — never the
    workspace's own record number ("Count 34" of a one-count case)."""
    if c.count_number:
        return c.count_number
    for position, other in enumerate(counts, start=1):
        if other.count_id == c.count_id:
            return str(position)
    return "?"


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


def _nowrap(text: str) -> str:
    """Escaped text kept on one line (a short value such as a date or "misdemeanor")."""
    return f"<span style='white-space:nowrap'>{html.escape(text)}</span>" if text else ""


def case_html(detail: CaseDetail) -> str:
    """The case as HTML for a QTextBrowser: plain structure, words and symbols, not colour alone."""
    e = html.escape
    person = detail.person
    as_of = detail.run.as_of if detail.run else None
    priors, prior_events = deciding_ids(detail.counts)
    parts = [f"<h2>{e(person.name)}</h2>"]
    key = tr("Person key: %s") % f"<b>{e(person.person_key or tr('none'))}</b>"
    if person.key_type:
        key += " " + e(tr("(the source's “%s” column)") % person.key_type)
    facts = [key]
    if person.dob:
        facts.append(e(tr("Born %s") % person.dob))
        age_now = _age(person.dob, as_of)
        if age_now is not None:
            facts.append(e(tr("age %d on %s (the evaluation date)") % (age_now, as_of or "")))
    else:
        missing = f"<b>{e(tr('Date of birth missing'))}</b>"
        if person.dob_raw:
            missing += " " + e(tr("(the source said “%s”)") % person.dob_raw)
        facts.append(missing)
    if person.sex:
        facts.append(e(tr("Sex %s") % person.sex))
    parts.append("<p>" + " · ".join(facts) + "</p>")
    case = detail.case
    where = [e(p) for p in (case.court, case.county) if p]
    if case.filing_date:
        where.append(e(tr("filed %s") % case.filing_date))
    if case.status:
        where.append(e(tr("status %s") % case.status))
    parts.append(f"<h3>{e(tr('Case %s') % case.case_number)}</h3><p>{' · '.join(where)}</p>")
    if detail.run:
        # The policy by its name; the pack's id stays as small print for the attorney.
        parts.append(
            "<p>"
            + tr("Evaluated under %s on the facts as of %s.")
            % (f"<b>{e(policy_title(detail.run.policy_id))}</b>", e(detail.run.as_of))
            + f" <small>({e(detail.run.policy_id)})</small></p>"
        )
    else:
        parts.append(f"<p><b>{e(tr('Not evaluated yet.'))}</b></p>")
    for count in detail.counts:
        parts.append(_count_html(count, person.dob, count_number(count, detail.counts)))
    parts.append(f"<h3>{e(tr('History across every source'))}</h3>")
    parts.append(
        "<p>"
        + e(tr("Every count and event on record for this person, oldest first."))
        + " <b>▶</b> "
        + e(tr("marks this case;"))
        + f" <b>◆ {e(tr('deciding'))}</b> "
        + e(tr("marks a prior the recommendation relied on."))
        + "</p>"
    )
    deciding = f"<br/><b>◆ {e(tr('deciding'))}</b>"
    entries: list[tuple[str, str]] = []
    for c in detail.history:
        mark = "▶ " if c.case_id == case.case_id else ""
        relied_on = c.count_id in priors
        result = ", ".join(_nowrap(p) for p in (c.level or "", c.disposition or "") if p)
        row = (
            f"<td>{_nowrap(c.event_date or tr('no date'))}</td><td>{mark}{e(c.case_number)}</td>"
            f"<td>{e(c.offense_display)}{'<br/>' + result if result else ''}{deciding if relied_on else ''}</td>"
            f"<td>{e(' · '.join(p for p in (c.court, c.county) if p))}</td>"
        )
        entries.append((c.event_date or "9999", f"<tr{DECIDING_STYLE if relied_on else ''}>{row}</tr>"))
    for ev in detail.events:
        relied_on = ev.event_id in prior_events
        row = (
            f"<td>{_nowrap(ev.event_date or tr('no date'))}</td><td>{e(tr('event'))}</td>"
            f"<td>{e(ev.event_type)}: {e(ev.offense_raw or ev.description or '')}{deciding if relied_on else ''}</td>"
            "<td></td>"
        )
        entries.append((ev.event_date or "9999", f"<tr{DECIDING_STYLE if relied_on else ''}>{row}</tr>"))
    entries.sort(key=lambda t: t[0])
    # Four columns, the level and the disposition under the offense: even in the narrowest
    # window every column is wide enough for its longest word ("misdemeanor"), and the browser
    # wraps only between words (CaseView sets WordWrap, never "anywhere").
    headers = (
        ("16%", tr("Date")),
        ("26%", tr("Case")),
        ("36%", tr("Offense, level and disposition")),
        ("22%", tr("Court · county")),
    )
    parts.append(
        '<table width="100%" cellspacing="0" cellpadding="3" border="1" style="border-collapse:collapse">'
        + "<tr>"
        + "".join(f'<th width="{width}" align="left">{e(text)}</th>' for width, text in headers)
        + "</tr>"
        + "".join(row for _, row in entries)
        + "</table>"
    )
    return "".join(parts)


def _fact_text(key: str, value: Any) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return f"{key.replace('_', ' ')} {value}"


def _count_html(c: CountRecord, dob: str | None, number: str) -> str:
    e = html.escape
    head = tr("Count %s: %s") % (number, c.offense_display)
    if c.description:
        head += f" — {c.description}"
    out = [f"<h4>{e(head)}</h4><p>"]
    bits = [b for b in (c.level, c.disposition and f"{c.disposition} {c.disposition_date or ''}".strip()) if b]
    if c.offense_date:
        bits.append(tr("offense %s") % c.offense_date)
    age = _age(dob, c.event_date)
    if age is not None:
        bits.append(tr("age %d at the time") % age)
    out.append(e(" · ".join(bits)))
    out.append("</p>")
    out.append(f"<p>{e(tr('Recommendation:'))} <b>{e(outcome_label(c.outcome))}</b></p>")
    if c.outcome == Outcome.NEEDS_REVIEW.value:
        question = " ".join(r.text for r in c.reasons) or tr("The engine could not decide this count from the data.")
        out.append(f"<p><b>? {e(tr('Question for you:'))}</b> {e(question)}</p>")
    if c.reasons:
        out.append("<ul>")
        for r in c.reasons:
            # The reason in words with its citation is the headline; the rule's code and the
            # facts it used are small print for the attorney checking the engine.
            item = f"<li>{e(r.text)}"
            if r.citation:
                item += f" <i>[{e(r.citation)}]</i>"
            small = [e(tr("rule %s") % r.code)] if r.code else []
            if r.facts:
                small.append(e(tr("facts used: %s") % "; ".join(_fact_text(k, v) for k, v in r.facts.items())))
            if small:
                item += "<br/><small>" + " · ".join(small) + "</small>"
            out.append(item + "</li>")
        out.append("</ul>")
    if c.source_file:
        where = c.source_file
        if c.source_sheet:
            where += ", " + tr("sheet %s") % c.source_sheet
        if c.source_row:
            where += ", " + tr("row %s") % c.source_row
        out.append(f"<p><small>{e(tr('Source: %s') % where)}</small></p>")
    if c.status == "decided":  # "Decision: Eligible: dismiss by …" (not "Decided: Eligible: …")
        decision = f"<b>{e(outcome_label(c.final_outcome))}</b>"
    else:
        decision = f"<b>{e(tr(STATUS_WORDS.get(c.status, c.status)))}</b>"
    if c.decided_by:
        decision += " " + e(tr("by %s on %s") % (c.decided_by, local_datetime(c.decided_at)))
    if c.decision_reason:
        decision += f" — “{e(c.decision_reason)}”"
    if c.needs_rereview:
        decision += f" <b>· ⟳ {e(tr('re-review: the recommendation changed since this decision'))}</b>"
    out.append(f"<p>{e(tr('Decision:'))} {decision}</p>")
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
        # Wrap between words only: Qt's default also breaks inside a word when a table cell is
        # narrow ("misde/meano/r"); a cell now keeps its longest word whole.
        self.text.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        layout.addWidget(self.text, 1)
        # Two rows: the counts chosen, then the buttons, so the case view stays narrow enough
        # for a laptop window (the buttons share the row's width and never push the window wider).
        scope_row = QHBoxLayout()
        bar = QHBoxLayout()
        label = QLabel(self.tr("&Decide for:"))
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
                self.tr("Count %s: %s (%s)") % (count_number(c, detail.counts), c.offense_display, outcome_label(c.outcome)),
                c.count_id,
            )
        self.text.setHtml(case_html(detail))
        self.text.verticalScrollBar().setValue(scroll)

    def show_placeholder(self, text: str) -> None:
        """No case to show: say why (and what to do) where the case would be."""
        self.show_detail(None)
        self.text.setHtml(f"<p>{html.escape(text)}</p>")
        self.set_message("")  # said once, where the case would be

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
