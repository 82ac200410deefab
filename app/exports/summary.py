"""The summary of a packet: figures by outcome, offense section and decade, who is relieved, and
the demographic breakdown, as a two-page PDF with bar charts drawn with QPainter.

Demographics appear only here, in aggregate; no court filing carries race or sex.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF

from app.core.model import Outcome
from app.exports.data import PacketData
from app.exports.dates import long_date, long_stamp
from app.exports.pdf import CONTENT_W, DPI, MARGIN_TOP, MARGIN_X, PdfPages, draw_heading
from app.exports.qt import SANS, font

RELIEF_CLEARS_CONVICTION = {"dismiss", "vacate"}
TOP_SECTIONS = 15
_COLORS = {
    "eligible_dismiss": QColor(46, 125, 50),
    "eligible_reduce": QColor(2, 119, 189),
    "eligible_vacate": QColor(106, 27, 154),
    "not_eligible": QColor(120, 120, 120),
    "needs_review": QColor(239, 108, 0),
}


@dataclass
class SummaryFigures:
    by_outcome: dict[str, int]
    by_section: list[tuple[str, int]]
    by_decade: list[tuple[str, int]]
    people_total: int
    people_relieved: int
    people_relieved_felony: int
    people_relieved_conviction: int
    people_no_felony_left: int
    people_no_conviction_left: int
    eligible_total: int
    # race → sex → people relieved; empty when the data has neither.
    demographics: dict[str, dict[str, int]] = field(default_factory=dict)
    # Eligible counts this court's filings leave out (another county's case, or unclear).
    not_filed_here: int = 0

    def key_figures(self) -> list[tuple[str, int]]:
        elsewhere = (
            [
                (
                    "Of those, for another county's court or to check (not in these filings)",
                    self.not_filed_here,
                )
            ]
            if self.not_filed_here
            else []
        )
        return [
            ("Counts signed off", sum(self.by_outcome.values())),
            ("Counts eligible for relief", self.eligible_total),
            *elsewhere,
            ("People in the signed set", self.people_total),
            ("People with relief on at least one count", self.people_relieved),
            (
                "People relieved of at least one felony (dismissed, vacated or reduced)",
                self.people_relieved_felony,
            ),
            (
                "People relieved of at least one conviction (dismissed or vacated)",
                self.people_relieved_conviction,
            ),
            (
                "People left with no felony conviction in this workspace's records",
                self.people_no_felony_left,
            ),
            (
                "People left with no conviction at all in this workspace's records",
                self.people_no_conviction_left,
            ),
        ]


def compute_figures(data: PacketData) -> SummaryFigures:
    by_outcome = data.counts_by_outcome()
    eligible = [r for r in data.rows if r.relief]
    sections = Counter(
        r.offense_display.split("(")[0] if r.section else (r.offense_raw or "unknown")
        for r in eligible
    )
    decades: Counter[str] = Counter()
    for r in eligible:
        year = (r.disposition_date or "")[:4]
        decades[f"{year[:3]}0s" if year.isdigit() else "date unknown"] += 1
    relief_by_count = {r.count_id: r.relief for r in eligible}
    relieved_people = {r.person_id for r in eligible}
    felony_relieved = {r.person_id for r in eligible if (r.level or "").lower() == "felony"}
    conviction_relieved = {r.person_id for r in eligible if r.relief in RELIEF_CLEARS_CONVICTION}
    still_felony: set[int] = set()
    still_convicted: set[int] = set()
    for person_id, count_id, level, disposition in data.history:
        if person_id not in relieved_people or (disposition or "").lower() != "convicted":
            continue
        relief = relief_by_count.get(count_id)
        if relief not in RELIEF_CLEARS_CONVICTION:
            still_convicted.add(person_id)
            # A reduced felony is a misdemeanor now; any other felony conviction remains.
            if (level or "").lower() == "felony" and relief != "reduce":
                still_felony.add(person_id)
    demographics: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seen: set[int] = set()
    has_any = False
    for r in eligible:
        if r.person_id in seen:
            continue
        seen.add(r.person_id)
        race, sex = (r.race or "").strip(), (r.sex or "").strip()
        has_any = has_any or bool(race or sex)
        demographics[race or "Not recorded"][sex or "Not recorded"] += 1
    return SummaryFigures(
        by_outcome=by_outcome,
        by_section=sections.most_common(TOP_SECTIONS),
        by_decade=sorted(decades.items()),
        people_total=len({r.person_id for r in data.rows}),
        people_relieved=len(relieved_people),
        people_relieved_felony=len(felony_relieved),
        people_relieved_conviction=len(conviction_relieved),
        people_no_felony_left=len(relieved_people - still_felony),
        people_no_conviction_left=len(relieved_people - still_convicted),
        eligible_total=len(eligible),
        not_filed_here=len(data.not_filed_here()),
        demographics={k: dict(v) for k, v in sorted(demographics.items())} if has_any else {},
    )


def _label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome or "No outcome"


def _bar_chart(
    pages: PdfPages,
    top: float,
    title: str,
    items: list[tuple[str, int, QColor]],
    *,
    label_w: float = 0.28,
) -> float:
    """Horizontal bars with the value printed at the end; returns the height used."""
    p = pages.painter
    used = draw_heading(pages, top, title, points=11)
    y = top + used
    if not items:
        return used + draw_heading(pages, y, "Nothing to show.", points=9, bold=False)
    f = font(SANS, 8.5)
    metrics = QFontMetricsF(f, pages.writer)
    bar_h = metrics.lineSpacing() * 1.25
    left = pages_x = float(MARGIN_X)
    label_px = CONTENT_W * label_w
    value_px = 0.6 * DPI
    max_bar = CONTENT_W - label_px - value_px
    biggest = max(v for _, v, _ in items) or 1
    p.setFont(f)
    for label, value, color in items:
        text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_px - 20)
        p.setPen(QColor(0, 0, 0))
        p.drawText(
            QRectF(left, y, label_px - 20, bar_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
        width = max_bar * value / biggest
        p.fillRect(QRectF(pages_x + label_px, y + bar_h * 0.15, max(width, 2), bar_h * 0.7), color)
        p.drawText(
            QRectF(pages_x + label_px + width + 15, y, value_px, bar_h),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            f"{value:,}",
        )
        y += bar_h
    return y - top + 0.15 * DPI


def _table(
    pages: PdfPages, top: float, rows: list[list[str]], widths: list[float], *, header: bool = True
) -> float:
    p = pages.painter
    f = font(SANS, 8.5)
    fb = font(SANS, 8.5, bold=True)
    metrics = QFontMetricsF(f, pages.writer)
    h = metrics.lineSpacing() * 1.35
    total = sum(widths)
    cols = [CONTENT_W * w / total for w in widths]
    y = top
    for i, row in enumerate(rows):
        bold = header and i == 0
        if bold:
            p.fillRect(QRectF(MARGIN_X, y, CONTENT_W, h), QColor(225, 225, 225))
        elif i % 2 == 0:
            p.fillRect(QRectF(MARGIN_X, y, CONTENT_W, h), QColor(245, 245, 245))
        p.setFont(fb if bold else f)
        p.setPen(QColor(0, 0, 0))
        x = float(MARGIN_X)
        for j, (text, w) in enumerate(zip(row, cols)):
            align = Qt.AlignmentFlag.AlignLeft if j == 0 else Qt.AlignmentFlag.AlignRight
            p.drawText(
                QRectF(x + 15, y, w - 30, h), int(align | Qt.AlignmentFlag.AlignVCenter), text
            )
            x += w
        y += h
    return y - top + 0.15 * DPI


def write_summary_pdf(data: PacketData, figures: SummaryFigures, path: Path) -> int:
    pages = PdfPages(
        path,
        title="Summary of the signed set",
        footer_left="Summary — not for filing",
        footer_right=f"Fingerprint {data.fingerprint()[:16]}",
    )
    try:
        pages.total = 3 if figures.demographics else 2
        pages.start_page()
        y = float(MARGIN_TOP)
        y += draw_heading(
            pages, y, f"Summary — {data.office.title or data.policy.policy_id}", points=16
        )
        for line in (
            # Words and local times for the supervisor who reads it; the pack id and version in
            # brackets tie it to the exact rules (the workbook's summary has the hashes).
            f"Policy: {data.policy.title} "
            f"({' '.join(filter(None, (data.policy.policy_id, data.policy.pack_version)))})",
            f"Eligibility as of {long_date(data.policy.as_of)} · signed off by "
            f"{data.signoff.signer} on {long_stamp(data.signoff.at)}",
            f"Packet fingerprint {data.fingerprint()}",
        ):
            y += draw_heading(pages, y, line, points=8, bold=False)
        y += 0.1 * DPI
        rows = [["Figure", "Number"]] + [
            [label, f"{value:,}"] for label, value in figures.key_figures()
        ]
        y += _table(pages, y, rows, [5, 1])
        outcome_items = [
            (_label(o), n, _COLORS.get(o, QColor(90, 90, 90)))
            for o, n in figures.by_outcome.items()
        ]
        y += _bar_chart(pages, y, "Counts by final outcome", outcome_items)
        decade_items = [(d, n, QColor(2, 119, 189)) for d, n in figures.by_decade]
        y += _bar_chart(
            pages, y, "Eligible counts by decade of disposition", decade_items, label_w=0.2
        )

        pages.start_page()
        y = float(MARGIN_TOP)
        section_items = [(s, n, QColor(46, 125, 50)) for s, n in figures.by_section]
        y += _bar_chart(
            pages,
            y,
            f"Eligible counts by offense section (top {TOP_SECTIONS})",
            section_items,
            label_w=0.25,
        )
        if figures.demographics:
            pages.start_page()
            y = float(MARGIN_TOP)
            y += draw_heading(
                pages,
                y,
                "People relieved, by race and sex (as recorded in the source data)",
                points=11,
            )
            sexes = sorted({s for by_sex in figures.demographics.values() for s in by_sex})
            table = [["Race / ethnicity", *sexes, "Total"]]
            for race, by_sex in figures.demographics.items():
                table.append(
                    [race, *[f"{by_sex.get(s, 0):,}" for s in sexes], f"{sum(by_sex.values()):,}"]
                )
            totals = [
                sum(by_sex.get(s, 0) for by_sex in figures.demographics.values()) for s in sexes
            ]
            table.append(["Total", *[f"{t:,}" for t in totals], f"{sum(totals):,}"])
            y += _table(pages, y, table, [3] + [1] * (len(sexes) + 1))
            draw_heading(
                pages,
                y,
                "Counted once per person relieved. These figures are for the office's own reporting; "
                "the court filings carry no race or sex.",
                points=8,
                bold=False,
            )
        return pages.finish()
    except BaseException:
        # Nothing reached ``path``: the PDF is written there only by a finished finish().
        pages.abort()
        raise
