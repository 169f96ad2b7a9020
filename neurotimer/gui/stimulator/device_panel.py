"""The stimulator connection panel: choose the simulator, a serial port or host:port; see identity and link."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell.theme import ERROR, MUTED, OK, SIMULATOR_COLOUR, WARNING
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.stimulator.driver import DeviceInfo, LinkState
from neurotimer.stimulator.transport import PortInfo, list_serial_ports, normalise_url

SIM = "sim:"
NETWORK = "network"
SIMULATOR_CHOICE = "Simulator — no current reaches the patient"
SIMULATOR_MARK = "SIMULATOR — no current reaches the patient"

LINK_TEXT = {
    LinkState.DISCONNECTED: ("Not connected", MUTED),
    LinkState.CONNECTED: ("Connected", OK),
    LinkState.LOST: ("Link lost — reconnecting…", ERROR),
}


class StimulatorPanel(QFrame):
    """Layout and intents only: every action goes to the controller, every state comes from its signals."""

    def __init__(
        self,
        controller: StimulatorController,
        list_ports: Callable[[], list[PortInfo]] = list_serial_ports,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._controller = controller
        self._list_ports = list_ports
        self._refusal_shown = False  # the message is a command's refusal (not a link's trouble)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(4)

        # The title and the link state share a line: the channel cards below need the column's height.
        head = QHBoxLayout()
        title = QLabel("STIMULATOR")
        title.setObjectName("cardTitle")
        head.addWidget(title)
        self.link_label = QLabel()
        self.link_label.setStyleSheet("font-weight: bold;")
        head.addWidget(self.link_label, 1)
        layout.addLayout(head)

        row = QHBoxLayout()
        self.source = QComboBox()
        self.source.setMinimumWidth(170)
        self.source.currentIndexChanged.connect(self._on_source_changed)
        row.addWidget(self.source, 1)
        self.refresh_button = QPushButton("Rescan")
        self.refresh_button.setToolTip("Look for serial ports again")
        self.refresh_button.setStyleSheet("padding: 5px 10px;")
        self.refresh_button.clicked.connect(self.refresh_ports)
        row.addWidget(self.refresh_button)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setStyleSheet("padding: 5px 12px;")
        self.connect_button.setObjectName("primary")
        self.connect_button.clicked.connect(self._on_connect_clicked)
        row.addWidget(self.connect_button)
        layout.addLayout(row)

        self.address = QLineEdit()
        self.address.setPlaceholderText("host:port, e.g. 127.0.0.1:5025")
        self.address.returnPressed.connect(self._on_connect_clicked)
        layout.addWidget(self.address)

        self.identity_label = QLabel("No stimulator connected")
        self.identity_label.setObjectName("muted")
        self.identity_label.setStyleSheet("font-size: 13px;")
        self.identity_label.setTextFormat(Qt.TextFormat.PlainText)
        # One line: a long identity gives way (it is whole in the tool tip), never the column's width.
        self.identity_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.identity_label)
        self.simulator_label = QLabel(SIMULATOR_MARK)
        self.simulator_label.setWordWrap(True)
        self.simulator_label.setStyleSheet(f"background: {SIMULATOR_COLOUR}; color: white; font-weight: bold; "
                                           "font-size: 13px; border-radius: 4px; padding: 2px 8px;")
        self.simulator_label.hide()
        layout.addWidget(self.simulator_label)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setStyleSheet(f"color: {WARNING};")
        self.message_label.setStyleSheet(f"color: {WARNING}; font-size: 13px;")
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # Two short lines kept for it, with or without a message: a refusal never pushes the channel cards
        # below down under the practitioner's cursor. The whole text is in its tooltip and in the alarm strip.
        small = QFont(self.message_label.font())
        small.setPixelSize(13)
        lines = QFontMetrics(small).lineSpacing()
        self.message_label.setFixedHeight(2 * lines + 2)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message_label)

        controller.linkStateChanged.connect(self.on_link_state)
        controller.deviceConnected.connect(self.on_connected)
        controller.refused.connect(self.show_message)
        controller.sessionMoved.connect(self._drop_stale_refusal)
        # Whatever neurotimer tries to connect to (the configured device at start) becomes the choice shown:
        # a device that cannot be reached is tried again from here, never swapped for the simulator.
        controller.commanded.connect(lambda name, args: name == "connect" and self.choose_url(str(args[0])))
        self.refresh_ports()
        self.on_link_state(controller.link_state)

    # -- intents -------------------------------------------------------------------------------
    def refresh_ports(self) -> None:
        chosen = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(SIMULATOR_CHOICE, SIM)
        for port in self._list_ports():
            self.source.addItem(port.label, port.device)
        self.source.addItem("Network (host:port)", NETWORK)
        index = self.source.findData(chosen)
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)
        self._on_source_changed()

    def choose_url(self, url: str) -> None:
        """Shows `url` as the chosen source: the simulator, a serial port (listed even if absent now) or host:port."""
        url = normalise_url(url)
        if url.lower().startswith("sim:"):
            index = self.source.findData(SIM)
        elif url.startswith("socket://"):
            index = self.source.findData(NETWORK)
            self.address.setText(url.removeprefix("socket://"))
        else:
            index = self.source.findData(url)
            if index < 0:
                self.source.insertItem(self.source.count() - 1, f"{url} (not found now)", url)
                index = self.source.findData(url)
        self.source.setCurrentIndex(index)
        self._on_source_changed()

    def chosen_url(self) -> str:
        """The URL for the chosen source; raises ValueError with a practitioner's message if incomplete."""
        data = self.source.currentData()
        if data == NETWORK:
            text = self.address.text().strip()
            if ":" not in text:
                raise ValueError("Type the stimulator's address as host:port, e.g. 127.0.0.1:5025.")
            return normalise_url(text)
        return str(data)

    def _on_connect_clicked(self) -> None:
        if self._controller.link_state is not LinkState.DISCONNECTED:
            self._controller.disconnect_device()
            return
        try:
            url = self.chosen_url()
        except ValueError as exc:
            self.show_message(str(exc))
            return
        self.show_message("")
        self.link_label.setText("Connecting…")
        self._controller.connect_device(url)

    def _on_source_changed(self, *_: object) -> None:
        self.address.setVisible(self.source.currentData() == NETWORK)
        self._label_connect_button(self._controller.link_state)

    def _label_connect_button(self, state: LinkState) -> None:
        if state is not LinkState.DISCONNECTED:
            self.connect_button.setText("Disconnect")
        elif self.source.currentData() == SIM:
            self.connect_button.setText("Use the simulator")  # its own words: never mistaken for a device
        else:
            self.connect_button.setText("Connect")

    # -- from the controller -------------------------------------------------------------------
    def on_link_state(self, state: LinkState) -> None:
        text, colour = LINK_TEXT[state]
        info = self._controller.info
        if state is LinkState.CONNECTED and info is not None and info.simulated:
            text, colour = "Connected to the simulator", SIMULATOR_COLOUR
        if state is LinkState.CONNECTED:
            self.show_message("")  # "connection lost; reconnecting…" is over once the link is back
        self.link_label.setText(f"● {text}")
        self.link_label.setStyleSheet(f"font-weight: bold; color: {colour};")
        connected = state is not LinkState.DISCONNECTED
        self._label_connect_button(state)
        self.connect_button.setObjectName("" if connected else "primary")
        self.connect_button.style().unpolish(self.connect_button)
        self.connect_button.style().polish(self.connect_button)
        for widget in (self.source, self.refresh_button, self.address):
            widget.setEnabled(not connected)
        if state is LinkState.DISCONNECTED:
            self.identity_label.setText("No stimulator connected")
            self.simulator_label.hide()

    def on_connected(self, info: DeviceInfo) -> None:
        """Names the device from its own *IDN? answer, and marks the simulator for what it is."""
        i = info.identity
        text = f"{i.maker} {i.model} · {info.channels} channels · serial {i.serial} · firmware {i.firmware}"
        self.identity_label.setText(text)
        self.identity_label.setToolTip(text)
        self.simulator_label.setVisible(info.simulated)
        self.show_message("")

    def show_message(self, text: str) -> None:
        if text and self._controller.link_state is LinkState.DISCONNECTED:
            self.on_link_state(LinkState.DISCONNECTED)  # a failed connect: not "Connecting…" any more
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        self._refusal_shown = bool(text) and self._controller.link_state is LinkState.CONNECTED

    def _drop_stale_refusal(self) -> None:
        # "The planned time is over" is untrue after +5 min, and any refusal is old news after End or a pause.
        if self._refusal_shown:
            self.show_message("")
