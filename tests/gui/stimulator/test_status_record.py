"""The device's readings kept in the record sparingly: changes at once, otherwise one a minute while on."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.stimulator.status_record import StatusRecord


@dataclass(frozen=True)
class Status:
    output: bool
    measured_ma: float
    target_ma: float
    impedance_ohm: float = 1500.0
    lead_ok: bool = True


class Source(QObject):
    statusChanged = Signal(int, object)


def test_readings_are_kept_when_they_change_or_once_a_minute(qtbot, clock) -> None:
    source, kept = Source(), []
    keeper = StatusRecord(source.statusChanged, lambda kind, data: kept.append((clock.now(), kind, data)), clock)
    source.statusChanged.emit(1, Status(False, 0.0, 0.0))  # off before the session: nothing kept
    source.statusChanged.emit(1, Status(True, 0.0, 0.0))  # switched on
    for step in range(1, 31):  # 30 polls, 4 s apart, the current steady at 4.0 after the ramp
        clock.advance(4)
        source.statusChanged.emit(1, Status(True, min(4.0, step * 0.5), 4.0))
    clock.advance(4)
    source.statusChanged.emit(1, Status(False, 0.0, 0.0, lead_ok=False))  # lead off
    values = [data["measured_mA"] for _, _, data in kept]
    assert all(kind == "stim.status" for _, kind, _ in kept)
    assert values[:9] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]  # the ramp, every step
    assert values[9:] == [4.0, 0.0]  # one steady reading a minute after the last, then the lead off
    assert kept[9][0] - kept[8][0] >= 60 and kept[-1][2]["lead_ok"] is False
    assert keeper.parent() is None
