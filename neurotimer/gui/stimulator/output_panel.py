"""Per-channel stimulator controls: mode, rates, pulse width, intensity steps, output switch, readings."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell.theme import ERROR, MUTED, OK, WARNING
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.gui.stimulator.number_box import NumberBox
from neurotimer.safety.findings import HIGH_OUTPUT_MA
from neurotimer.safety.interlock import Allow
from neurotimer.stimulator.driver import ChannelSettings, DeviceInfo, LinkState
from neurotimer.stimulator.protocol import DEFAULTS, ChannelStatus, Limits, Mode
from neurotimer.stimulator.validate import MODE_LABELS

STEPS_MA = (-0.5, -0.1, 0.1, 0.5)


def _spin(value: float, suffix: str, refused, decimals: int = 0) -> NumberBox:
    box = NumberBox(value, suffix, decimals)
    box.refused.connect(refused)
    return box


class ChannelPanel(QFrame):
    """One channel. Shows what the device confirmed; sends what the practitioner asks for."""

    def __init__(
        self, controller: StimulatorController, channel: int, limits: Limits, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._controller = controller
        self.channel = channel
        rows = QVBoxLayout(self)
        # Compact: four cards and the stimulator panel share a 1366×768 screen's column without scrolling.
        rows.setContentsMargins(10, 5, 10, 6)
        rows.setSpacing(4)

        # Row 0: name, output state, measured current, lead, high-output badge.
        head = QHBoxLayout()
        head.setSpacing(8)
        name = QLabel(f"CH {channel}")
        name.setStyleSheet("font-size: 17px; font-weight: bold;")
        head.addWidget(name)
        self.output_label = QLabel("OFF")
        head.addWidget(self.output_label)
        self.measured_label = QLabel("0.0 mA")
        self.measured_label.setStyleSheet("font-size: 19px; font-weight: bold;")
        self.measured_label.setToolTip("Intensity being delivered now")
        head.addWidget(self.measured_label)
        self.high_label = QLabel("HIGH")
        self.high_label.setToolTip(f"Intensity above {HIGH_OUTPUT_MA:g} mA")
        self.high_label.setStyleSheet(
            f"background: {WARNING}; color: white; font-weight: bold; border-radius: 4px; padding: 1px 6px;"
        )
        self.high_label.hide()
        head.addWidget(self.high_label)
        head.addStretch(1)
        self.lead_label = QLabel("")
        head.addWidget(self.lead_label)
        rows.addLayout(head)

        # Row 1: mode, rate(s), pulse width.
        settings = QHBoxLayout()
        settings.setSpacing(6)
        self.mode = QComboBox()
        for mode in Mode:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setToolTip("Waveform mode")
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode.setMinimumContentsLength(8)
        self.mode.currentIndexChanged.connect(self._on_mode)
        settings.addWidget(self.mode, 3)
        refused = controller.report_refusal
        self.freq = _spin(DEFAULTS.freq, "Hz", refused)
        self.freq.setToolTip("Pulse rate")
        self.freq.valueChanged.connect(lambda hz: controller.set_frequency(channel, hz))
        self.freq_low = _spin(DEFAULTS.freq_low, "Hz", refused)
        self.freq_low.setToolTip("Dense-disperse: low rate")
        self.freq_high = _spin(DEFAULTS.freq_high, "Hz", refused)
        self.freq_high.setToolTip("Dense-disperse: high rate")
        self.freq_low.valueChanged.connect(self._on_dense)
        self.freq_high.valueChanged.connect(self._on_dense)
        rates = QHBoxLayout()
        rates.setSpacing(4)
        rates.addWidget(self.freq)
        rates.addWidget(self.freq_low)
        rates.addWidget(self.freq_high)
        settings.addLayout(rates, 3)
        self.pulse_width = _spin(DEFAULTS.width_us, "µs", refused)
        self.pulse_width.setToolTip("Pulse width")
        self.pulse_width.valueChanged.connect(lambda us: controller.set_pulse_width(channel, us))
        settings.addWidget(self.pulse_width, 2)
        self.slew = _spin(DEFAULTS.slew, "mA/s", refused, decimals=1)
        self.slew.setToolTip(f"Ramp rate: how fast the intensity rises and falls ({limits.slew[0]:g} to "
                             f"{limits.slew[1]:g} mA/s)")
        self.slew.valueChanged.connect(lambda rate: controller.set_slew(channel, rate))
        settings.addWidget(self.slew, 2)
        rows.addLayout(settings)

        # Row 2: intensity target with steps, output switch.
        intensity = QHBoxLayout()
        intensity.setSpacing(6)
        self._limits = limits
        self.target = _spin(0.0, "mA", refused, decimals=1)
        self.target.setToolTip(f"Target intensity, {limits.current[0]:g} to {limits.current[1]:g} mA "
                               "(the stimulator ramps to it)")
        self.target.setMinimumWidth(76)
        self.target.valueChanged.connect(self._on_target)
        intensity.addWidget(self.target, 2)
        steps = QHBoxLayout()
        steps.setSpacing(3)
        self.step_buttons: dict[float, QPushButton] = {}
        for step in STEPS_MA:
            button = QPushButton(f"{step:+.1f}".replace("-", "−"))
            button.setToolTip(f"{'Raise' if step > 0 else 'Lower'} the intensity by {abs(step):.1f} mA")
            button.setStyleSheet("padding: 4px 2px; font-size: 14px;")
            button.setMinimumWidth(34)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, s=step: self.step(s))
            steps.addWidget(button)
            self.step_buttons[step] = button
        intensity.addLayout(steps, 4)
        self.switch = QPushButton("Switch on")
        self.switch.setMinimumWidth(96)
        self.switch.setStyleSheet("padding: 4px 8px;")
        self.switch.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.switch.clicked.connect(self._on_switch)
        intensity.addWidget(self.switch, 2)
        rows.addLayout(intensity)

        self._on_mode()
        self.render(None)

    # -- intents -------------------------------------------------------------------------------
    def step(self, delta: float) -> None:
        """Raises or lowers the target from what the device confirmed; out of range is refused, not clipped."""
        status = self._controller.last_status(self.channel)
        base = status.target_ma if status is not None else self.target.value()
        self._controller.set_current(self.channel, round(base + delta, 1))

    def _on_target(self, ma: float) -> None:
        self._controller.set_current(self.channel, ma)
        low, high = self._limits.current
        if not low <= ma <= high:
            # The stimulator refuses it with a message; the box goes back to what the device holds.
            self.target.blockSignals(True)
            status = self._controller.last_status(self.channel)
            self.target.setValue(status.target_ma if status is not None else 0.0)
            self.target.blockSignals(False)

    def _on_switch(self) -> None:
        status = self._controller.last_status(self.channel)
        if status is not None and status.output:
            self._controller.output_off(self.channel)
        else:
            self._controller.output_on(self.channel)

    def _on_mode(self, *_: object) -> None:
        mode = Mode(self.mode.currentData())
        dense = mode is Mode.DENS
        self.freq.setVisible(not dense)
        self.freq_low.setVisible(dense)
        self.freq_high.setVisible(dense)
        if _:
            self._controller.set_mode(self.channel, mode)

    def _on_dense(self, *_: object) -> None:
        self._controller.set_dense_frequencies(self.channel, self.freq_low.value(), self.freq_high.value())

    # -- from the device -----------------------------------------------------------------------
    def show_settings(self, settings: ChannelSettings) -> None:
        """What the device holds (after connecting, after each setting, after a refusal)."""
        widgets = (
            (self.freq, settings.freq),
            (self.freq_low, settings.freq_low),
            (self.freq_high, settings.freq_high),
            (self.pulse_width, settings.width_us),
            (self.slew, settings.slew),
        )
        for box, value in widgets:
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData(settings.mode))
        self.mode.blockSignals(False)
        self._on_mode()

    def render(self, status: ChannelStatus | None) -> None:
        """Shows a status as the controller (the one cache of channel status) just passed it on."""
        if status is None:
            self.output_label.setText("—")
            _restyle(self.output_label, f"color: {MUTED}; font-weight: bold;")
            self.measured_label.setText("— mA")
            self.lead_label.setText("")
            self.high_label.hide()
            self.switch.setEnabled(False)
            for button in self.step_buttons.values():
                button.setEnabled(False)  # nothing to step from while the device is not answering
            return
        # Past the planned end (not kept going) the interlock lets an output only wind down: nothing switches on
        # or rises, so the buttons that would ask say so instead of offering it.
        decision = self._controller.interlock.decide(self.channel)
        winding_down = decision.allow is Allow.WIND_DOWN
        for step, button in self.step_buttons.items():
            button.setEnabled(step < 0 or not winding_down)
        on = status.output
        self.output_label.setText("ON" if on else "OFF")
        _restyle(self.output_label,
            f"color: white; background: {OK if on else MUTED}; font-weight: bold;"
            " border-radius: 4px; padding: 1px 6px;"
        )
        self.measured_label.setText(f"{status.measured_ma:.1f} mA")
        if status.lead_ok:
            self.lead_label.setText(f"Lead {status.impedance_ohm / 1000:.1f} kΩ")
            _restyle(self.lead_label, f"color: {MUTED};")
        else:
            self.lead_label.setText("LEAD OFF")
            _restyle(self.lead_label, f"color: {ERROR}; font-weight: bold;")
        self.high_label.setVisible(max(status.measured_ma, status.target_ma) > HIGH_OUTPUT_MA)
        if not self.target.hasFocus():
            self.target.blockSignals(True)
            self.target.setValue(status.target_ma)
            self.target.blockSignals(False)
        can_switch_on = status.target_ma == 0 and status.measured_ma == 0 and status.lead_ok and not winding_down
        self.switch.setText("Switch off" if on else "Switch on")
        self.switch.setEnabled(on or can_switch_on)
        if on or can_switch_on:
            self.switch.setToolTip("")
        elif winding_down:
            self.switch.setToolTip(decision.reason + " +5 min gives more time.")
        else:
            self.switch.setToolTip("Switch on only from 0 mA with the lead attached")


def _restyle(widget: QWidget, css: str) -> None:
    # Polls arrive 7 times a second per channel (and per chair): re-polishing costs a millisecond each time,
    # so the style is set only when it changes.
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


class ChannelsPanel(QWidget):
    """A scrolling column of channel cards, rebuilt for each device connected."""

    keepPastEndRequested = Signal(bool)

    def __init__(self, controller: StimulatorController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.channels: dict[int, ChannelPanel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.keep_past_end = QCheckBox("Keep stimulating past the end")
        self.keep_past_end.setToolTip("Unless this is chosen before the planned end, every output ramps down to "
                                      "0 mA and switches off when the planned time is over.")
        self.keep_past_end.toggled.connect(self.keepPastEndRequested)
        outer.addWidget(self.keep_past_end)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll)
        self.placeholder = QLabel("Connect a stimulator to set its channels.")
        self.placeholder.setObjectName("muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.placeholder)
        self.scroll.hide()
        controller.deviceConnected.connect(self.on_connected)
        controller.statusChanged.connect(self.on_status)
        controller.settingsChanged.connect(self.on_settings)
        controller.linkStateChanged.connect(self.on_link_state)

    def show_keep_past_end(self, keep: bool) -> None:
        self.keep_past_end.blockSignals(True)
        self.keep_past_end.setChecked(keep)
        self.keep_past_end.blockSignals(False)

    def allow_keep_past_end(self, available: bool) -> None:
        self.keep_past_end.setEnabled(available)

    def sizeHint(self) -> QSize:
        # Ask for every card's height, so a column with room shows all channels without scrolling.
        body = self.scroll.widget()
        if body is None or self.scroll.isHidden():
            return super().sizeHint()
        return QSize(body.sizeHint().width(), body.sizeHint().height() + self.keep_past_end.sizeHint().height() + 8)

    def on_connected(self, info: DeviceInfo) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.channels = {}
        for n in range(1, info.channels + 1):
            panel = ChannelPanel(self._controller, n, info.limits)
            column.addWidget(panel)
            self.channels[n] = panel
        column.addStretch(1)
        self.scroll.setWidget(body)
        # Every card whole across: the column is never narrower than a card (and a scroll bar, with 8 channels).
        self.scroll.setMinimumWidth(body.minimumSizeHint().width() + self.scroll.verticalScrollBar().sizeHint().width())
        self.scroll.show()
        self.placeholder.hide()
        self.updateGeometry()

    def on_status(self, channel: int, status: ChannelStatus) -> None:
        panel = self.channels.get(channel)
        if panel is not None:
            panel.render(status)

    def on_settings(self, channel: int, settings: ChannelSettings) -> None:
        panel = self.channels.get(channel)
        if panel is not None:
            panel.show_settings(settings)

    def on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            return
        for panel in self.channels.values():
            panel.render(None)  # nothing shown as on that the device has not just confirmed
        if state is LinkState.DISCONNECTED:
            self.scroll.hide()
            self.placeholder.show()
