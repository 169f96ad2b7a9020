"""One chair: its session, plan, view, alarms, record and stimulator, and what its board card shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from neurotimer.chairs.status import ChairStatus
from neurotimer.gui.board.chair_alarms import ChairAlarms
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.chair_view import ChairView


class Chair(QObject):
    """Everything of one chair; nothing in it knows of another chair. The parts built after the first paint
    are None until then (or when they could not be built: the interlock then keeps the outputs off)."""

    changed = Signal()  # something its board card shows may have changed

    def __init__(self, index: int, name: str, sessions: SessionPresenter, plans: PlanModel, view: ChairView,
                 alarms: ChairAlarms, device_url: str = "sim:") -> None:
        super().__init__()
        self.index = index
        self.name = name
        self.sessions = sessions
        self.plans = plans
        self.view = view
        self.alarms = alarms
        self.device_url = device_url
        self.interlock: Any = None
        self.records: Any = None
        self.plot: Any = None
        self.picker: Any = None
        self.pairing: Any = None
        self.chart: Any = None
        self.stim: Any = None
        self.guard: Any = None
        self.stim_record: Any = None
        self.status_record: Any = None
        self.record_panel: Any = None
        self.history: Any = None
        self.channels: Any = None
        self.stop_button: Any = None  # with several chairs: this chair's own stop, in its channels column
        self.plan_at_close: Any = None  # the plan as the last session closed, to tell it from one picked since
        sessions.updated.connect(lambda _snap: self.changed.emit())
        alarms.changed.connect(self.changed)

    # -- what the board shows ----------------------------------------------------------------------
    def outputs(self) -> list[tuple[int, float]]:
        """(channel, measured mA) of every output the device reports on."""
        if self.stim is None:
            return []
        found = []
        for channel in range(1, self.stim.channel_count + 1):
            status = self.stim.last_status(channel)
            if status is not None and status.output:
                found.append((channel, status.measured_ma))
        return found

    def status(self) -> ChairStatus:
        snap = self.sessions.snapshot()
        shown = snap.treatment_seconds if snap.state.is_closed else snap.remaining_seconds
        on = self.outputs()
        # The card shows alarms (high, medium), not notices: "outputs stopped" or a waveform set is no alarm.
        worst = next((a for a in self.alarms.active() if a.priority.value != "low"), None)
        patient = getattr(getattr(self.records, "patient", None), "code", "") or ""
        priority = ""
        if worst is not None:
            priority = "low" if worst.acknowledged else worst.priority.value
        return ChairStatus(
            name=self.name, patient=patient, state=theme.state_key(snap.state, snap.overdue), shown_seconds=shown,
            outputs_on=len(on), peak_ma=max((mA for _c, mA in on), default=0.0),
            alarm=worst.text.removeprefix(f"{self.name}: ") if worst else "", alarm_priority=priority)

    @property
    def busy(self) -> bool:
        """A session is running (or paused): the chair cannot be removed or moved to another stimulator."""
        return self.sessions.session.state.is_active

    def rename(self, name: str) -> None:
        self.name = name
        if self.view.name:
            self.view.name = name
        if self.alarms.name:
            self.alarms.rename(name)
        if self.stop_button is not None:
            self.stop_button.setText(f"Stop {name}'s outputs")
        self.changed.emit()

    # -- stopping --------------------------------------------------------------------------------
    def emergency_stop(self) -> None:
        """This chair's outputs off (ABORt from its own thread), recorded in its own session."""
        if self.stim is not None:
            self.stim.emergency_stop()
            if self.stim_record is not None:
                self.stim_record.on_emergency_stop()

    def shutdown(self) -> None:
        if self.stim is not None:
            # Every output off, the link closed and the device thread stopped before anything else.
            self.stim.shutdown()
            self.stim = None
        if self.records is not None:
            self.records.recorder.flush()
            self.records.close()
            self.records = None
