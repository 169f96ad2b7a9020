"""The live Intensity plot fed from the log instead of the device, with hover read-outs (imports pyqtgraph)."""

from __future__ import annotations

import bisect

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolTip, QWidget

from neurotimer.gui.stimulator.intensity_plot import IntensityPlot
from neurotimer.session.clock import ManualClock
from neurotimer.storage.replay import Replay

ORIGIN = 1000.0  # the replay clock's reading at the session's start


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class ReplayPlot(IntensityPlot):
    """Same widget as the live tab; its clock is a ManualClock moved through the session's logged times."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(ManualClock(start=ORIGIN), parent)
        self.replay: Replay | None = None
        self._times: list[float] = []
        self._hover = pg.SignalProxy(self._plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse)

    def show_replay(self, replay: Replay) -> None:
        """Draws every channel's target and measured current over the session's clock time, and its marks."""
        self.replay = replay
        self._clock = clock = ManualClock(start=ORIGIN)  # a fresh clock at the session's start
        self.set_channel_count(replay.channels)
        self.reset(ORIGIN)
        by_channel: dict[int, list] = {}
        for sample in replay.samples:
            by_channel.setdefault(sample.channel, []).append((ORIGIN + sample.offset, sample.measured, sample.target))
        for channel, rows in by_channel.items():
            trace = self._traces[channel - 1]
            if len(rows) <= trace.data.shape[1]:
                # A whole session at once (a few hundred readings): straight into the trace, no per-point work.
                trace.data[:, : len(rows)] = np.array(rows).T
                trace.n = len(rows)
                trace.last[:, 0] = rows[-1]
                self._peak = max(self._peak, max(max(m, t) for _, m, t in rows))
                self._dirty = True
                continue
            for at, measured, target in rows:  # a very long session: the live path, which compacts
                clock.advance(max(0.0, at - clock.now()))
                self.add_sample(channel, measured, target)
        for mark in replay.marks:
            self.mark(mark.label, ORIGIN + mark.offset)
        clock.advance(max(0.0, ORIGIN + max(replay.duration, 60.0) - clock.now()))
        self._times = [s.offset for s in replay.samples]
        self.refresh()

    def describe(self, minutes: float) -> str:
        """What the hover says at `minutes` into the session: each channel's values and the nearest mark."""
        replay = self.replay
        if replay is None:
            return ""
        at = minutes * 60.0
        lines = [f"{_minutes(max(0.0, at))} into the session"]
        latest: dict[int, tuple[float, float]] = {}
        for sample in replay.samples[: bisect.bisect_right(self._times, at)]:
            latest[sample.channel] = (sample.measured, sample.target)
        for channel in sorted(latest):
            measured, target = latest[channel]
            lines.append(f"CH {channel}: {measured:.2f} mA measured, {target:.1f} mA target")
        near = [m for m in replay.marks if abs(m.offset - at) <= 30.0]
        lines += [f"{_minutes(m.offset)} {m.label}" for m in near]
        return "\n".join(lines)

    def _on_mouse(self, args) -> None:
        position: QPointF = args[0]
        box = self._item.getViewBox()
        if not box.sceneBoundingRect().contains(position):
            return
        x = box.mapSceneToView(position).x()
        text = self.describe(x)
        if text:
            global_pos = self._plot.mapToGlobal(self._plot.mapFromScene(position).toPoint())
            QToolTip.showText(global_pos, text, self._plot)
