"""A course at a glance: sessions done against planned, a calendar strip, each followed symptom before and after
every session against its baseline and the IMMPACT lines, the summary, and two sessions side by side."""

from __future__ import annotations

import datetime as dt
from html import escape

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.review.replay_text import pairs_lines
from neurotimer.gui.review.session_table import when
from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain
from neurotimer.gui.shell.theme import ALARM_COLOURS, BORDER, CARD, INK, MUTED, OFF_RATE_WEEK
from neurotimer.gui.stimulator.intensity_plot import CHANNEL_COLOURS
from neurotimer.session.course import MODERATE_PERCENT, SUBSTANTIAL_PERCENT, progress_text, sessions_done
from neurotimer.session.course_glance import Week, baseline_and_latest, series, summary_sentence, weeks
from neurotimer.storage.report_data import CourseData, course_data


def _day(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def course_weeks(data: CourseData) -> list[Week]:
    return weeks([_day(s.started_at) for s in data.sessions], data.course.sessions_per_week)


def followed(data: CourseData) -> list[str]:
    """The course's followed symptoms that were scored, then any other symptom scored in it."""
    scored = {symptom for values in data.scores.values() for symptom, _ in values}
    ordered = [s for s in data.course.symptoms if s in scored]
    return ordered + sorted(scored - set(ordered))


def summary_lines(data: CourseData) -> list[str]:
    return [summary_sentence(symptom, series(data.sessions, data.scores, symptom), data.sessions,
                             data.course.planned_sessions) for symptom in followed(data)]


def session_html(data: CourseData, session_id: int) -> str:
    s = data.session(session_id)
    scores = data.scores.get(session_id, {})
    symptoms = list(dict.fromkeys(symptom for symptom, _ in scores))
    rows = "".join(
        f"<tr><td>{escape(sym)}</td><td align=center>{scores.get((sym, 'before'), '–')}</td>"
        f"<td align=center>{scores.get((sym, 'after'), '–')}</td></tr>" for sym in symptoms
    )
    peaks = ", ".join(f"CH {ch} {peak:.1f} mA" for ch, peak in sorted(data.peaks.get(session_id, {}).items()))
    pairs = "<br>".join(escape(line) for line in pairs_lines(data.channels.get(session_id, []))) or "–"
    return (
        f"<b>Session {s.number}</b> · {when(s.started_at)} · {s.treatment_seconds / 60:.0f} min<br>"
        f"<b>Points</b> {escape(data.points.get(session_id, '') or '–')}<br>"
        f"<b>Pairs and waveforms</b><br>{pairs}<br><b>Peak</b> {peaks or '–'}"
        f"<table cellspacing=4><tr><th align=left>Symptom</th><th>Before</th><th>After</th></tr>{rows}</table>"
    )


class CalendarStrip(QWidget):
    """One box per calendar week of the course, a dot per session; weeks off the planned rate in amber."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[Week] = []
        self.setMinimumHeight(46)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_weeks(self, weeks_: list[Week]) -> None:
        self.weeks = weeks_
        self.setToolTip("\n".join(f"week of {w.monday:%d %b}: {w.sessions} session(s)"
                                  + ("  — off the planned rate" if w.off_rate else "") for w in weeks_))
        self.update()

    def paintEvent(self, _event) -> None:
        if not self.weeks:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = min(70.0, (self.width() - 4) / len(self.weeks))
        for i, week in enumerate(self.weeks):
            box = QRectF(2 + i * width, 2, width - 3, 40)
            painter.setPen(QPen(QColor(BORDER)))
            painter.setBrush(QColor(OFF_RATE_WEEK if week.off_rate else CARD))
            painter.drawRect(box)
            if week.off_rate:
                painter.setPen(QPen(QColor(ALARM_COLOURS["medium"]), 2))
                painter.drawRect(box.adjusted(1, 1, -1, -1))
            painter.setPen(QColor(MUTED))
            painter.drawText(box.adjusted(2, 1, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             f"{week.monday:%d %b}")
            painter.setBrush(QColor(INK))
            painter.setPen(Qt.PenStyle.NoPen)
            for dot in range(week.sessions):
                painter.drawEllipse(QRectF(box.left() + 4 + dot * 9, box.bottom() - 12, 7, 7))
        painter.end()


class CourseView(QWidget):
    """Shows the course of the chosen session; `show_course(id)`."""

    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data: CourseData | None = None
        self.unread: int | None = None  # the course that could not be read (the server did not answer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Choose a session of a course to see the course.")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.calendar = CalendarStrip()
        layout.addWidget(self.calendar)
        middle = QHBoxLayout()
        left = QVBoxLayout()
        self.symptom = QComboBox()
        self.symptom.currentIndexChanged.connect(self._draw)
        left.addWidget(self.symptom)
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.setLabel("left", "score (0–10)")
        item.setLabel("bottom", "session")
        item.addLegend(offset=(-10, 10))
        left.addWidget(self.plot, 1)
        middle.addLayout(left, 3)
        self.summary = QTextBrowser()
        middle.addWidget(self.summary, 2)
        layout.addLayout(middle, 3)
        compare = QGridLayout()
        self.left_session, self.right_session = QComboBox(), QComboBox()
        self.left_text, self.right_text = QTextBrowser(), QTextBrowser()
        for column, (combo, text) in enumerate(((self.left_session, self.left_text),
                                                (self.right_session, self.right_text))):
            combo.currentIndexChanged.connect(self._compare)
            compare.addWidget(combo, 0, column)
            compare.addWidget(text, 1, column)
        layout.addLayout(compare, 2)
        self.plot.setMinimumHeight(180)

    def set_store(self, store) -> None:
        self.store = store
        self.data = None

    def show_course(self, course_id: int | None) -> None:
        self.unread = None
        if course_id is None or self.store is None:
            self.data = None
            self.heading.setText("This session belongs to no course.")
            return
        try:
            data = course_data(self.store, course_id)
        except LOG_ERRORS as exc:
            self._blank()
            self.unread = course_id
            self.heading.setText(plain(exc, f"Course {course_id} cannot be shown",
                                       "It shows here once the log answers."))
            return
        self.data = data
        c = data.course
        done = sessions_done(data.sessions)
        state = "open" if c.is_open else f"closed {c.closed_on}: {escape(c.outcome)}"
        self.heading.setText(
            f"<b>Course {c.id}</b> · {escape(data.patient.code)} {escape(data.patient.name or '')} · "
            f"{escape(c.condition)} · {progress_text(done, c.planned_sessions)} · {c.sessions_per_week:g} a week "
            f"planned · {state}"
        )
        self.calendar.set_weeks(course_weeks(data))
        self.symptom.blockSignals(True)
        self.symptom.clear()
        self.symptom.addItem("every followed symptom", "")
        for symptom in followed(data):
            self.symptom.addItem(symptom, symptom)
        self.symptom.setCurrentIndex(min(1, self.symptom.count() - 1))  # one symptom: its baseline lines show
        self.symptom.blockSignals(False)
        self.summary.setHtml("<h4>Summary</h4>" + "".join(f"<p>{escape(line)}</p>" for line in summary_lines(data)))
        for combo, pick in ((self.left_session, 0), (self.right_session, -1)):
            combo.blockSignals(True)
            combo.clear()
            for s in data.sessions:
                combo.addItem(f"session {s.number} · {when(s.started_at)}", s.id)
            combo.setCurrentIndex(pick if pick >= 0 else combo.count() - 1)
            combo.blockSignals(False)
        self._draw()
        self._compare()

    def _blank(self) -> None:
        """Nothing of another course stays on screen under this one's heading."""
        self.data = None
        self.calendar.set_weeks([])
        self.summary.clear()
        self.plot.getPlotItem().clear()
        for combo, text in ((self.left_session, self.left_text), (self.right_session, self.right_text)):
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
            text.clear()
        self.symptom.blockSignals(True)
        self.symptom.clear()
        self.symptom.blockSignals(False)

    def _draw(self) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        data = self.data
        if data is None:
            return
        chosen = self.symptom.currentData() or ""
        symptoms = [chosen] if chosen else followed(data)
        for index, symptom in enumerate(symptoms):
            colour = CHANNEL_COLOURS[index % len(CHANNEL_COLOURS)]
            points = series(data.sessions, data.scores, symptom)
            before = [(p.number, p.before) for p in points if p.before is not None]
            after = [(p.number, p.after) for p in points if p.after is not None]
            if before:
                item.plot(*zip(*before, strict=True), pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6,
                          symbolBrush=colour, name=f"{symptom} before")
            if after:
                item.plot(*zip(*after, strict=True), pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine),
                          symbol="t", symbolSize=6, symbolBrush=colour, name=f"{symptom} after")
            found = baseline_and_latest(points)
            if found is not None and len(symptoms) == 1:
                baseline = found[0]
                for fraction, words, where in ((1.0, "baseline", 0.02), (1 - MODERATE_PERCENT / 100, "−30 %", 0.3),
                                               (1 - SUBSTANTIAL_PERCENT / 100, "−50 %", 0.55)):
                    line = pg.InfiniteLine(pos=baseline * fraction, angle=0, movable=False,
                                           pen=pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DotLine), label=words,
                                           labelOpts={"position": where, "color": INK})
                    item.addItem(line)
        item.setYRange(0, 10, padding=0.05)
        item.setXRange(0.5, max(len(data.sessions), data.course.planned_sessions) + 0.5, padding=0)

    def _compare(self) -> None:
        data = self.data
        if data is None or not data.sessions:
            return
        for combo, text in ((self.left_session, self.left_text), (self.right_session, self.right_text)):
            sid = combo.currentData()
            text.setHtml(session_html(data, sid) if sid is not None else "")
