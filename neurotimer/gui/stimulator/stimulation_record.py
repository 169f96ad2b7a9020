"""Writes every stimulation command, device setting and device event into the session record."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject

from neurotimer.gui.record.presenter import RecordPresenter
from neurotimer.gui.stimulator.controller import StimulatorController


def plain(value: Any) -> Any:
    """Dataclasses and enums as JSON-ready values."""
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class StimulationRecord(QObject):
    """What was commanded and what the device reported, both kept (stimulators often differ from labels)."""

    def __init__(self, controller: StimulatorController, records: RecordPresenter, sessions: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records = records
        self._controller = controller
        if sessions is not None:
            sessions.sessionEvent.connect(self.on_session_event)
        controller.commanded.connect(self.on_commanded)
        controller.settingsChanged.connect(self.on_settings)
        controller.stimEvent.connect(self.on_event)
        controller.deviceConnected.connect(self.on_connected)

    def on_commanded(self, name: str, args: tuple) -> None:
        self._records.record("stim.command", {"command": name, "args": plain(list(args))})

    def on_settings(self, channel: int, settings: object) -> None:
        self._records.record("stim.settings", {"channel": channel, **plain(settings)})

    def on_event(self, event: object) -> None:
        payload = plain(event)
        payload.pop("at", None)  # the record has its own time for every event
        self._records.record(f"stim.{payload.pop('kind')}", payload)

    def on_connected(self, info: Any) -> None:
        self._records.record("stim.connected", {**plain(info), "simulated": info.simulated})

    def on_session_event(self, event: Any) -> None:
        """At the start, which device delivers this session (maker, model, serial), or that none is connected."""
        if getattr(event.kind, "value", "") != "session.started":
            return
        info = self._controller.info
        if info is None:
            self._records.record("stim.device", {"connected": False})
            return
        i = info.identity
        self._records.record("stim.device", {"connected": True, "maker": i.maker, "model": i.model,
                                             "serial": i.serial, "firmware": i.firmware,
                                             "simulated": info.simulated})

    def on_emergency_stop(self) -> None:
        self._records.record("stim.emergency_stop", {})
