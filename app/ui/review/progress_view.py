"""The progress view: done / left by outcome and by reviewer, and decisions per day, drawn
with QPainter (QtCharts is not in PySide6-Essentials). Every bar carries its figures as text."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate, QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.store.review import PROGRESS_DAYS, ProgressFigures
from app.ui.review.case_view import outcome_label, plural

DONE = QColor("#2e7d5b")
FLAGGED = QColor("#c77700")
LEFT = QColor("#d9dde3")
MARGIN = 16.0
GAP = 8.0
DAYS_SHOWN = PROGRESS_DAYS  # the decisions-per-day chart's slots, ending today


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio (1 to 21); UX.md asks at least 4.5 for text."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True, slots=True)
class TextItem:
    rect: QRectF
    text: str
    bold: bool = False
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class BarItem:
    rect: QRectF
    color: QColor


class ProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressView")
        self.setAccessibleName(self.tr("Review progress"))
        self.figures: ProgressFigures | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)

    def set_figures(self, figures: ProgressFigures | None) -> None:
        self.figures = figures
        self.setAccessibleDescription(self.summary_text())
        self.setToolTip(self.summary_text())
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(760, 620)

    def summary_text(self) -> str:
        """The figures as words (screen readers, tests, the tooltip)."""
        f = self.figures
        if f is None:
            return self.tr("No figures yet.")
        lines = [self._headline(f)]
        for outcome, b in f.by_outcome.items():
            lines.append(f"{self._outcome(outcome)}: {self._outcome_figures(b)}")
        for user, b in f.by_reviewer.items():
            lines.append(f"{user}: {self._reviewer_figures(b)}")
        return "\n".join(lines)

    # -- texts -------------------------------------------------------------------------------

    def _headline(self, f: ProgressFigures) -> str:
        return self.tr("%s of %s · %s") % (
            f"{f.cases_done:,}",
            plural(f.cases_total, "%n case done", "%n cases done"),
            plural(f.total_counts, "%n count", "%n counts"),
        )

    def _outcome(self, outcome: str) -> str:
        """The queue's words for an outcome ("Eligible: dismiss", "Not evaluated")."""
        return outcome_label(None if outcome == "none" else outcome)

    def _outcome_figures(self, b: dict[str, int]) -> str:
        return self.tr("%s decided · %s flagged · %s left of %s") % (
            f"{b['decided']:,}", f"{b.get('flagged', 0):,}", f"{b['left']:,}", f"{b['total']:,}")

    def _reviewer_figures(self, b: dict[str, int]) -> str:
        return self.tr("%s decided · %s flagged · %s skipped") % (
            f"{b['decided']:,}", f"{b['flagged']:,}", f"{b['skipped']:,}")

    # -- colours -----------------------------------------------------------------------------

    def background_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Base)

    def text_color(self) -> QColor:
        """The palette's text colour, or black/white when a style's pair is too faint on Base."""
        text = self.palette().color(QPalette.ColorRole.Text)
        base = self.background_color()
        if contrast_ratio(text, base) >= 4.5:
            return text
        return QColor("black") if relative_luminance(base) > 0.18 else QColor("white")

    # -- layout --------------------------------------------------------------------------------

    def layout_items(self) -> tuple[list[TextItem], list[BarItem]]:
        """What paintEvent draws, measured with the widget's fonts: every text sits on the
        background (never on a bar) inside the widget, cut with "…" when it cannot fit."""
        texts: list[TextItem] = []
        bars: list[BarItem] = []
        f = self.figures
        if f is None:
            texts.append(TextItem(QRectF(self.rect()), self.tr("Loading progress…"), align=Qt.AlignmentFlag.AlignCenter))
            return texts, bars
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        metrics, bold_metrics = QFontMetricsF(font), QFontMetricsF(bold)
        line = metrics.height() + 4
        width = max(self.width() - 2 * MARGIN, 1.0)
        bar_h = max(line * 0.6, 6.0)

        def text(y: float, value: str, *, x: float = MARGIN, w: float = width, is_bold: bool = False,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) -> None:
            m = bold_metrics if is_bold else metrics
            shown = m.elidedText(value, Qt.TextElideMode.ElideRight, w)
            texts.append(TextItem(QRectF(x, y, w, line), shown, is_bold, align))

        y = MARGIN
        text(y, self._headline(f), is_bold=True)
        y += line * 1.5
        text(y, self.tr("By recommendation (counts): decided / left"), is_bold=True)
        y += line
        # The label column is as wide as the longest label (within reason); the figures
        # follow on the same line, and the bar gets a line of its own below them.
        labels = [self._outcome(o) for o in f.by_outcome] + list(f.by_reviewer)
        label_w = min(max([metrics.horizontalAdvance(t) for t in labels] or [0.0]) + GAP, width * 0.35)
        figures_x, figures_w = MARGIN + label_w, width - label_w
        for outcome, b in f.by_outcome.items():
            text(y, self._outcome(outcome), w=label_w - GAP)
            text(y, self._outcome_figures(b), x=figures_x, w=figures_w)
            y += line
            total = max(b["total"], 1)
            bars.append(BarItem(QRectF(figures_x, y, figures_w, bar_h), LEFT))
            done_w = figures_w * min(b["decided"], total) / total
            flag_w = figures_w * min(b.get("flagged", 0), total - min(b["decided"], total)) / total
            if done_w:
                bars.append(BarItem(QRectF(figures_x, y, done_w, bar_h), DONE))
            if flag_w:
                bars.append(BarItem(QRectF(figures_x + done_w, y, flag_w, bar_h), FLAGGED))
            y += bar_h + 6
        y += line * 0.5
        text(y, self.tr("By reviewer (counts)"), is_bold=True)
        y += line
        if not f.by_reviewer:
            text(y, self.tr("No decisions yet."))
            y += line
        most = max([b["decided"] + b["flagged"] for b in f.by_reviewer.values()] or [1]) or 1
        for user, b in f.by_reviewer.items():
            text(y, user, w=label_w - GAP)
            text(y, self._reviewer_figures(b), x=figures_x, w=figures_w)
            y += line
            done_w = figures_w * b["decided"] / most
            flag_w = figures_w * b["flagged"] / most
            if done_w:
                bars.append(BarItem(QRectF(figures_x, y, done_w, bar_h), DONE))
            if flag_w:
                bars.append(BarItem(QRectF(figures_x + done_w, y, flag_w, bar_h), FLAGGED))
            y += bar_h + 6
        y += line * 0.5
        text(y, self.tr("Decisions per day (last %n days)").replace("%n", str(DAYS_SHOWN)), is_bold=True)
        y += line
        decided = dict(f.per_day)
        if not any(decided.values()):
            text(y, self.tr("No decisions in these days."))
            return texts, bars
        # Every one of the days has its place, ending today, so one busy day is one bar among
        # thirty (not the whole width) and a quiet day shows as a gap.
        today = QDate.currentDate()
        days = [today.addDays(i - DAYS_SHOWN + 1) for i in range(DAYS_SHOWN)]
        locale = QLocale()
        labels = [locale.toString(day, "MMM d") for day in days]
        chart_h = min(240.0, max(3 * line, self.height() - y - MARGIN))
        peak = max(decided.values()) or 1
        slot = width / DAYS_SHOWN
        base = y + chart_h - line
        bars.append(BarItem(QRectF(MARGIN, base - 1, width, 1), LEFT))  # the days' axis
        # Label every k-th day so the dates never overlap (30 days in a narrow window); today
        # is always labelled.
        date_w = max(metrics.horizontalAdvance(label) for label in labels) + 4
        every = max(1, int(-(-date_w // slot)))
        for i, (day, label) in enumerate(zip(days, labels)):
            n = decided.get(day.toString("yyyy-MM-dd"), 0)
            x = MARGIN + i * slot
            if n:
                h = max((chart_h - 2 * line) * n / peak, 2.0)
                bars.append(BarItem(QRectF(x + 2, base - h, max(slot - 4, 2), h), DONE))
                figure = f"{n:,}"
                if metrics.horizontalAdvance(figure) <= slot:
                    text(base - line - h, figure, x=x, w=slot, align=Qt.AlignmentFlag.AlignHCenter)
            if (DAYS_SHOWN - 1 - i) % every == 0:
                if date_w <= slot:
                    text(base, label, x=x, w=slot, align=Qt.AlignmentFlag.AlignHCenter)
                elif x + slot - date_w >= MARGIN:  # wider than its slot: ends under its bar
                    text(base, label, x=x + slot - date_w, w=date_w)
        return texts, bars

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.background_color())
        texts, bars = self.layout_items()
        for bar in bars:
            p.fillRect(bar.rect, bar.color)
        p.setPen(self.text_color())
        bold = QFont(self.font())
        bold.setBold(True)
        for item in texts:
            p.setFont(bold if item.bold else self.font())
            p.drawText(item.rect, int(item.align), item.text)
        p.end()
