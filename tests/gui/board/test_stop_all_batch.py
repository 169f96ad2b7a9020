"""StopAll and the log's batch: every device's stop goes out first, the stop's records wait for one commit, and a
device that never confirms holds them back BATCH_WAIT_MS at most (the line still waits for it)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.board import stop_all
from neurotimer.gui.board.stop_all import StopAll


class FakeStim(QObject):
    emergencyStopConfirmed = Signal()

    def __init__(self, happened: list[str], name: str) -> None:
        super().__init__()
        self._happened = happened
        self._name = name

    def emergency_stop(self) -> None:
        self._happened.append(f"abort {self._name}")


class FakeRecord:
    def __init__(self, happened: list[str], name: str) -> None:
        self._happened = happened
        self._name = name

    def on_emergency_stop(self) -> None:
        self._happened.append(f"record {self._name}")


class FakeChair:
    def __init__(self, happened: list[str], name: str) -> None:
        self.name = name
        self.stim = FakeStim(happened, name)
        self.stim_record = FakeRecord(happened, name)

    def outputs(self) -> list[tuple[int, float]]:
        return [(1, 1.0)]


class Batch:
    def __init__(self, happened: list[str]) -> None:
        self._happened = happened

    def __enter__(self) -> Batch:
        self._happened.append("batch opened")
        return self

    def __exit__(self, *exc: object) -> None:
        self._happened.append("batch written")


def build(happened: list[str], names: list[str], clock) -> tuple[StopAll, list[FakeChair]]:
    chairs = [FakeChair(happened, name) for name in names]
    return StopAll(lambda: chairs, clock, hold_records=lambda: Batch(happened)), chairs


def test_every_device_is_stopped_before_the_batch_opens_and_it_is_written_before_the_line(qtbot, clock) -> None:
    happened: list[str] = []
    stop, chairs = build(happened, ["Room 1", "Room 2"], clock)
    stop.finished.connect(lambda text: happened.append("line"))
    stop.stop()
    stop.stop()  # pressed twice before the devices answer: still one batch
    assert happened[:5] == ["abort Room 1", "abort Room 2", "batch opened", "record Room 1", "record Room 2"]
    assert happened.count("batch opened") == 1
    for chair in chairs:
        chair.stim.emergencyStopConfirmed.emit()
    assert happened[-2:] == ["batch written", "line"] and happened.count("batch written") == 1


def test_a_device_that_never_confirms_holds_the_records_back_briefly_and_is_named(qtbot, clock, monkeypatch) -> None:
    # The line waits 3 s for Room 2, far longer than the batch's 0.3 s, so a loaded machine cannot blur the order.
    monkeypatch.setattr(stop_all, "CONFIRM_WAIT_MS", 3000)
    happened: list[str] = []
    stop, chairs = build(happened, ["Room 1", "Room 2"], clock)
    with qtbot.waitSignal(stop.finished, timeout=8000) as line:
        stop.stop()
        chairs[0].stim.emergencyStopConfirmed.emit()
        qtbot.waitUntil(lambda: "batch written" in happened, timeout=stop_all.BATCH_WAIT_MS + 1500)
        assert not line.signal_triggered, "written before the line, which waits on for Room 2"
    assert "Not confirmed by Room 2" in line.args[0]
    assert happened.count("batch written") == 1
