"""The progress view: done / left by outcome and by reviewer, and decisions per day, drawn
with QPainter (QtCharts is not in PySide6-Essentials). Every bar carries its figures as text."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.store.review import SHORT_OUTCOME, ProgressFigures

DONE = QColor("#2e7d5b")
FLAGGED = QColor("#c77700")
LEFT = QColor("#d9dde3")


class ProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressView")
        self.setAccessibleName(self.tr("Review progress"))
        self.figures: ProgressFigures | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 360)

    def set_figures(self, figures: ProgressFigures | None) -> None:
        self.figures = figures
        self.setAccessibleDescription(self.summary_text())
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(760, 620)

    def summary_text(self) -> str:
        """The figures as words (screen readers, tests, the tooltip)."""
        f = self.figures
        if f is None:
            return self.tr("No figures yet.")
        lines = [self.tr("%s of %s cases done.") % (f"{f.cases_done:,}", f"{f.cases_total:,}")]
        for outcome, b in f.by_outcome.items():
            lines.append(f"{SHORT_OUTCOME.get(outcome, outcome)}: {b['decided']:,} decided, {b['left']:,} left of {b['total']:,}")
        for user, b in f.by_reviewer.items():
            lines.append(f"{user}: {b['decided']:,} decided, {b['flagged']:,} flagged, {b['skipped']:,} skipped")
        return "\n".join(lines)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        text = self.palette().color(QPalette.ColorRole.Text)
        p.setPen(text)
        f = self.figures
        margin = 16.0
        width = self.width() - 2 * margin
        if f is None:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Loading progress…"))
            return
        metrics = p.fontMetrics()
        line = metrics.height() + 6
        y = margin
        bold = QFont(p.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(margin, y, width, line), self.tr("%s of %s cases done · %s counts")
                   % (f"{f.cases_done:,}", f"{f.cases_total:,}", f"{f.total_counts:,}"))
        y += line * 1.5
        p.drawText(QRectF(margin, y, width, line), self.tr("By recommendation (counts): decided / left"))
        p.setFont(self.font())
        y += line
        label_w = min(170.0, width * 0.3)
        bar_w = width - label_w - 8
        for outcome, b in f.by_outcome.items():
            total = max(b["total"], 1)
            p.setPen(text)
            p.drawText(QRectF(margin, y, label_w, line), Qt.AlignmentFlag.AlignVCenter, SHORT_OUTCOME.get(outcome, outcome))
            x = margin + label_w + 8
            rect = QRectF(x, y + 2, bar_w, line - 4)
            p.fillRect(rect, LEFT)
            done_w = bar_w * min(b["decided"], total) / total
            p.fillRect(QRectF(x, y + 2, done_w, line - 4), DONE)
            flag_w = bar_w * min(b.get("flagged", 0), total) / total
            p.fillRect(QRectF(x + done_w, y + 2, flag_w, line - 4), FLAGGED)
            p.setPen(QColor("black"))
            p.drawText(rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter,
                       self.tr("%s decided · %s flagged · %s left of %s")
                       % (f"{b['decided']:,}", f"{b.get('flagged', 0):,}", f"{b['left']:,}", f"{b['total']:,}"))
            y += line
        y += line * 0.5
        p.setPen(text)
        p.setFont(bold)
        p.drawText(QRectF(margin, y, width, line), self.tr("By reviewer (counts)"))
        p.setFont(self.font())
        y += line
        most = max([sum(b.values()) for b in f.by_reviewer.values()] or [1]) or 1
        if not f.by_reviewer:
            p.drawText(QRectF(margin, y, width, line), self.tr("No decisions yet."))
            y += line
        for user, b in f.by_reviewer.items():
            p.setPen(text)
            p.drawText(QRectF(margin, y, label_w, line), Qt.AlignmentFlag.AlignVCenter, user)
            x = margin + label_w + 8
            w = bar_w * b["decided"] / most
            p.fillRect(QRectF(x, y + 2, w, line - 4), DONE)
            fw = bar_w * b["flagged"] / most
            p.fillRect(QRectF(x + w, y + 2, fw, line - 4), FLAGGED)
            p.setPen(text)
            p.drawText(QRectF(x + w + fw + 6, y, bar_w, line), Qt.AlignmentFlag.AlignVCenter,
                       self.tr("%s decided · %s flagged · %s skipped") % (f"{b['decided']:,}", f"{b['flagged']:,}", f"{b['skipped']:,}"))
            y += line
        y += line * 0.5
        p.setFont(bold)
        p.drawText(QRectF(margin, y, width, line), self.tr("Decisions per day (UTC, last 30 days)"))
        p.setFont(self.font())
        y += line
        chart_h = min(240.0, max(60.0, self.height() - y - margin - line))
        days = f.per_day
        if not days:
            p.drawText(QRectF(margin, y, width, line), self.tr("No decisions yet."))
            return
        peak = max(n for _, n in days) or 1
        slot = width / max(len(days), 1)
        for i, (day, n) in enumerate(days):
            h = (chart_h - line) * n / peak
            x = margin + i * slot
            p.fillRect(QRectF(x + 2, y + chart_h - line - h, max(slot - 4, 2), h), DONE)
            p.setPen(text)
            p.drawText(QRectF(x, y + chart_h - line - h - line, slot, line), Qt.AlignmentFlag.AlignHCenter, f"{n:,}")
            p.drawText(QRectF(x, y + chart_h - line, slot, line), Qt.AlignmentFlag.AlignHCenter, day[5:])
        p.end()
