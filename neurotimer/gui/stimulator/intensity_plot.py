"""A live plot of delivered and target current per channel over the session (imports pyqtgraph: load lazily)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from neurotimer.gui.shell.theme import ALARM_COLOURS, BORDER, CHANNEL_COLOURS, INK, MUTED
from neurotimer.safety.findings import HIGH_OUTPUT_MA
from neurotimer.session.clock import Clock
from neurotimer.session.session import EventKind
from neurotimer.stimulator.events import StimEventKind

REFRESH_MS = 250
CAPACITY = 2048  # points kept per channel; a multiple of 4 (compaction works on groups of 4)
PREVIEW_S = 180.0  # before a session: the last three minutes of readings
SPAN_STEP_MIN = 5.0  # a session's x axis grows in 5-minute steps: calm to read, axes redrawn rarely
Y_FLOOR_MA = 12.0
MAX_MARKS = 40
AXIS_PX = 13
MARK_TOP = 0.95  # where the first row of mark labels sits, as a fraction of the plot's height
SAME_MARK_S = 1.0  # the same mark again within this time (one stop reported twice) is drawn once


class _Trace:
    """One channel's readings in fixed memory: when full, halves its resolution keeping each group's peaks."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.data = np.empty((3, capacity))  # rows: clock time, measured mA, target mA
        self.n = self.p = 0
        self.bucket = 1  # raw readings that become one (min, max) pair once the store has been compacted
        self.pending = np.empty((3, 1))
        self.last = np.empty((3, 1))

    def clear(self) -> None:
        self.n = self.p = 0
        self.bucket = 1

    def append(self, t: float, measured: float, target: float, rolling: bool) -> None:
        self.last[:, 0] = (t, measured, target)
        if self.bucket == 1:
            self._store(np.array([[t], [measured], [target]]), rolling)
            return
        self.pending[:, self.p] = (t, measured, target)
        self.p += 1
        if self.p == self.bucket:
            lo, hi = sorted((int(self.pending[1].argmin()), int(self.pending[1].argmax())))
            self.p = 0
            self._store(self.pending[:, [lo, hi]].copy(), rolling)

    def _store(self, cols: np.ndarray, rolling: bool) -> None:
        cap = self.data.shape[1]
        if self.n + cols.shape[1] > cap:
            if rolling:  # the preview needs only the readings still on screen; at worst drop the older half
                drop = int(np.searchsorted(self.data[0, : self.n], cols[0, 0] - PREVIEW_S)) or cap // 2
                self.data[:, : self.n - drop] = self.data[:, drop : self.n]
                self.n -= drop
            else:
                self._compact()
        self.data[:, self.n : self.n + cols.shape[1]] = cols
        self.n += cols.shape[1]

    def _compact(self) -> None:
        """Every 4 points become 2: the lowest and highest reading, so a lead-off drop stays visible."""
        rest = self.n % 4  # the newest points that make no whole group stay as they are (a peak may be there)
        tail = self.data[:, self.n - rest : self.n].copy()
        groups = self.data[:, : self.n - rest].reshape(3, -1, 4)
        rows = np.arange(groups.shape[1])
        a, b = groups[1].argmin(axis=1), groups[1].argmax(axis=1)
        out = np.empty((3, groups.shape[1], 2))
        out[:, :, 0] = groups[:, rows, np.minimum(a, b)]
        out[:, :, 1] = groups[:, rows, np.maximum(a, b)]
        kept = 2 * groups.shape[1]
        self.data[:, :kept] = out.reshape(3, -1)
        self.data[:, kept : kept + rest] = tail
        self.n = kept + rest
        self.bucket = max(4, self.bucket * 2)
        self.pending = np.empty((3, self.bucket))
        self.p = 0

    def values(self) -> np.ndarray:
        parts = [self.data[:, : self.n], self.pending[:, : self.p]]
        if self.p == 0 and self.n and self.last[0, 0] > self.data[0, self.n - 1]:
            parts.append(self.last)  # the newest reading shows at once, even when its pair kept others
        return np.concatenate(parts, axis=1)


def _steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Only the corners of a step-like series (the target): same picture, far fewer dashes to draw."""
    keep = np.ones(len(y), dtype=bool)
    keep[1:-1] = (y[1:-1] != y[:-2]) | (y[1:-1] != y[2:])
    return x[keep], y[keep]


class IntensityPlot(QWidget):
    """Measured current (solid) and target (dashed) per channel, in minutes since the session started."""

    def __init__(self, clock: Clock, parent: QWidget | None = None, channels: int = 0) -> None:
        super().__init__(parent)
        self._clock = clock
        self._start: float | None = None
        self._traces: list[_Trace] = []
        self._measured: list[pg.PlotDataItem] = []
        self._target: list[pg.PlotDataItem] = []
        self._legend: list[QLabel] = []
        self._marks: list[tuple[float, pg.InfiniteLine]] = []
        self._peak = 0.0
        self._latest: float | None = None
        self._dirty = False
        self.redraws = 0  # frames drawn; tests and the benchmark read it
        self.setObjectName("intensityPlot")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#intensityPlot {{ background: white; }} QLabel {{ font-size: {AXIS_PX}px; }}")
        self._plot = pg.PlotWidget(background="w")
        self._item = item = self._plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        font = QFont()
        font.setPixelSize(AXIS_PX)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setStyle(tickFont=font)
            axis.setPen(pg.mkPen(BORDER))
            axis.setTextPen(pg.mkPen(INK))
        item.setLabel("left", "mA", **{"font-size": f"{AXIS_PX}px", "color": INK})
        item.setYRange(0, Y_FLOOR_MA, padding=0)
        self._high = pg.InfiniteLine(
            pos=HIGH_OUTPUT_MA, angle=0, movable=False,
            pen=pg.mkPen(ALARM_COLOURS["high"], width=1, style=Qt.PenStyle.DashLine),
            label="high output",
            labelOpts={"position": 0.01, "color": ALARM_COLOURS["high"], "fill": (255, 255, 255, 210),
                       "anchors": [(0, 1), (0, 1)]},
        )
        self._high.setZValue(5)  # its label stays readable over a channel running near 10 mA
        item.addItem(self._high, ignoreBounds=True)
        self._legend_row = QHBoxLayout()
        self._legend_row.setContentsMargins(8, 0, 8, 0)
        self._legend_row.setSpacing(14)
        self._legend_row.addStretch(1)
        self._legend_row.addWidget(QLabel(f'<span style="color:{MUTED}">━ measured &nbsp;&nbsp; ╌ target</span>'))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._legend_row)
        layout.addWidget(self._plot, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.set_channel_count(channels)
        self.reset(None)

    # -- slots -----------------------------------------------------------------------------------
    @Slot(int)
    def set_channel_count(self, n: int) -> None:
        n = max(0, int(n))
        while len(self._traces) < n:
            i = len(self._traces)
            colour = CHANNEL_COLOURS[i % len(CHANNEL_COLOURS)]
            # connect="finite": a blank reading (a link blackout) leaves a gap, never a line drawn across it.
            target = pg.PlotDataItem(pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine), connect="finite")
            measured = pg.PlotDataItem(pen=pg.mkPen(colour, width=2), name=f"CH {i + 1}", connect="finite")
            for curve in (target, measured):
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
                self._item.addItem(curve)
            label = QLabel(f'<span style="color:{colour}; font-weight:bold">━━</span> CH {i + 1}')
            self._legend_row.insertWidget(i, label)
            self._traces.append(_Trace())
            self._target.append(target)
            self._measured.append(measured)
            self._legend.append(label)
        while len(self._traces) > n:
            self._traces.pop()
            self._item.removeItem(self._target.pop())
            self._item.removeItem(self._measured.pop())
            label = self._legend.pop()
            self._legend_row.removeWidget(label)
            label.deleteLater()
        self._dirty = True

    @Slot(int, float, float)
    def add_sample(self, channel: int, measured_ma: float, target_ma: float) -> None:
        if channel < 1:
            return
        if channel > len(self._traces):  # a reading before the device's channel count was known
            self.set_channel_count(channel)
        now = self._clock.now()
        self._traces[channel - 1].append(now, measured_ma, target_ma, rolling=self._start is None)
        self._peak = max(self._peak, measured_ma, target_ma)
        self._latest = now
        self._dirty = True

    def gap(self, at: float | None = None) -> None:
        """Nothing is known from here until the next reading (the link was lost): the lines break."""
        at = self._clock.now() if at is None else at
        for trace in self._traces:
            if trace.n or trace.p:
                trace.append(at, math.nan, math.nan, rolling=self._start is None)
        self._dirty = True

    def reset(self, start: float | None = None) -> None:
        """Clears the plot; `start` (clock seconds) begins a session's axis, None shows recent readings."""
        self._start = start
        for trace in self._traces:
            trace.clear()
        item = self._item
        for _, line in self._marks:
            item.removeItem(line)
        self._marks.clear()
        self._peak, self._latest = 0.0, None
        words = "minutes before now" if start is None else "minutes since session start"
        item.setLabel("bottom", words, **{"font-size": f"{AXIS_PX}px", "color": INK})
        self._dirty = True
        self.refresh()

    def mark(self, text: str, at: float | None = None) -> None:
        """A labelled vertical line at clock time `at` (now if None), e.g. 'Emergency stop'."""
        at = self._clock.now() if at is None else at
        if self._marks:
            last_at, last = self._marks[-1]
            if last.label.toPlainText() == text and abs(at - last_at) < SAME_MARK_S:
                return
        line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DashDotLine),
            label=text, labelOpts={"position": MARK_TOP, "color": INK, "fill": (255, 255, 255, 210)},
        )
        self._item.addItem(line, ignoreBounds=True)
        self._marks.append((at, line))
        if len(self._marks) > MAX_MARKS:
            self._item.removeItem(self._marks.pop(0)[1])
        self._dirty = True

    # -- adapters for the controller's and presenter's signals ------------------------------------
    @Slot(object)
    def on_device_connected(self, info) -> None:
        self.set_channel_count(info.channels)

    @Slot(int, object)
    def on_status(self, channel: int, status) -> None:
        self.add_sample(channel, status.measured_ma, status.target_ma)

    @Slot(object)
    def on_stim_event(self, event) -> None:
        if event.kind is StimEventKind.CONNECTION_LOST:
            self.gap(event.at or None)
        words = _EVENT_MARKS.get(event.kind)
        if words is not None:
            self.mark(words if event.channel is None else f"{words} ch {event.channel}", event.at or None)

    @Slot(object)
    def on_session_event(self, event) -> None:
        if event.kind is EventKind.STARTED:
            self.reset(self._clock.now() - event.offset)
        elif event.kind in _EVENT_MARKS:
            self.mark(_EVENT_MARKS[event.kind])

    @Slot(object)
    def on_session_created(self, _session) -> None:
        self.reset(None)

    # -- drawing ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraws if a reading arrived (or, before a session, while recent readings slide left)."""
        now = self._clock.now()
        rolling = self._start is None
        sliding = rolling and self._latest is not None and now - self._latest <= PREVIEW_S
        if not (self._dirty or sliding):
            return
        origin = now if rolling else self._start
        for trace, measured, target in zip(self._traces, self._measured, self._target, strict=True):
            t, m, g = trace.values()
            x = (t - origin) / 60.0
            measured.setData(x, m)
            target.setData(*_steps(x, g))
        item = self._item
        if rolling:
            item.setXRange(-PREVIEW_S / 60.0, 0, padding=0.01)
        else:
            item.setXRange(0, SPAN_STEP_MIN * max(1, math.ceil((now - origin) / 60.0 / SPAN_STEP_MIN)), padding=0.01)
        left, right = item.getViewBox().state["targetRange"][0]
        item.setYRange(0, max(Y_FLOOR_MA, self._peak * 1.1), padding=0.02)
        for at, line in self._marks:
            x = (at - origin) / 60.0
            line.setPos(x)
            # Labels near the right edge go to the left of their line, or the edge would cut them.
            side = 1 if x > left + 0.7 * (right - left) else 0
            line.label.anchors = [(side, 0.5), (side, 0.5)]
        self._stagger(left, right)
        self._dirty = False
        self.redraws += 1

    def _stagger(self, left: float, right: float) -> None:
        """Each mark's label on the highest row where it overprints no other (marks close together step down)."""
        box = self._item.getViewBox()
        per_minute = max(box.width(), 1.0) / max(right - left, 1e-9)
        row_ends: list[float] = []
        for x, line in sorted(((line.value(), line) for _at, line in self._marks), key=lambda pair: pair[0]):
            label = line.label
            rect = label.boundingRect()
            px = (x - left) * per_minute
            start, end = (px - rect.width(), px) if label.anchors[0][0] else (px, px + rect.width())
            row = next((i for i, row_end in enumerate(row_ends) if row_end + 4 <= start), len(row_ends))
            if row == len(row_ends):
                row_ends.append(end)
            else:
                row_ends[row] = end
            step = (rect.height() + 2) / max(box.height(), 1.0)
            label.setPosition(max(0.05, MARK_TOP - row * step))
            label.updatePosition()

    def curves(self, channel: int) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        return self._measured[channel - 1], self._target[channel - 1]

    def showEvent(self, event) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self._timer.stop()  # a hidden plot costs nothing; the data still accumulates
        super().hideEvent(event)


_EVENT_MARKS = {
    StimEventKind.EMERGENCY_STOP_CONFIRMED: "Emergency stop", StimEventKind.LEAD_OFF: "Lead off",
    StimEventKind.OVER_CURRENT: "Over current", StimEventKind.WATCHDOG_EXPIRED: "Watchdog stop",
    StimEventKind.CONNECTION_LOST: "Link lost",
    EventKind.PAUSED: "Paused", EventKind.RESUMED: "Resumed", EventKind.ENDED: "Session ended",
}
