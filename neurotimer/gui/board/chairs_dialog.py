"""Settings → Chairs: add, rename and remove chairs and choose each one's stimulator."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.chairs.roster import SIM_URL, ChairError, ChairRoster
from neurotimer.gui.shell import theme
from neurotimer.stimulator.transport import PortInfo

SIM_LABEL = "Simulator (built in)"


class ChairsDialog(QDialog):
    """Edits a copy of the roster; Save hands the whole roster back, Cancel forgets every change.

    Each refused change says why under the list and leaves the roster as it was.
    """

    saved = Signal(object)  # ChairRoster

    def __init__(self, roster: ChairRoster, list_ports: Callable[[], list[PortInfo]] = lambda: [],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Chairs")
        self.roster = ChairRoster(roster.chairs, is_busy=roster.is_busy)
        # Each row's chair as it was when the dialog opened (None: added here), so a rename is told from a
        # chair removed and another added.
        self.origins: list[str | None] = roster.names()
        self._list_ports = list_ports
        layout = QVBoxLayout(self)
        intro = QLabel("Each chair has its own clock, stimulator and record. Ctrl+1 … Ctrl+8 bring "
                       "a chair on screen, in this order.")
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)

        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.list.currentRowChanged.connect(self._show_chair)
        body.addWidget(self.list, 1)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Chair name")
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow("Name", self.name_edit)
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.setAccessibleName("Stimulator")
        self.device.setMinimumWidth(240)
        self.device.lineEdit().setPlaceholderText("host:port, a serial port, or the simulator")
        self.device.activated.connect(lambda _i: self._choose_device())
        self.device.lineEdit().editingFinished.connect(self._choose_device)
        form.addRow("Stimulator", self.device)
        body.addLayout(form, 2)
        layout.addLayout(body)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add chair")
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton("Remove chair")
        self.remove_button.clicked.connect(self._remove)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        layout.addWidget(self.problem)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self._save)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self._fill_devices()
        self._refill(0)

    # -- showing ---------------------------------------------------------------------------------
    def _fill_devices(self) -> None:
        self.device.clear()
        self.device.addItem(SIM_LABEL, SIM_URL)
        for port in self._list_ports():
            self.device.addItem(port.label, port.device)

    def _refill(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for chair in self.roster:
            busy = "  (session running)" if self.roster.is_busy(chair.name) else ""
            self.list.addItem(f"{chair.name}{busy}")
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(row, len(self.roster) - 1))
        self._show_chair(self.list.currentRow())

    def _current(self) -> str | None:
        row = self.list.currentRow()
        return self.roster.chairs[row].name if 0 <= row < len(self.roster) else None

    def _show_chair(self, row: int) -> None:
        if not 0 <= row < len(self.roster):
            return
        chair = self.roster.chairs[row]
        self.name_edit.setText(chair.name)
        index = self.device.findData(chair.device)
        if index >= 0:
            self.device.setCurrentIndex(index)
        else:
            self.device.setEditText(chair.device.removeprefix("socket://"))
        self.remove_button.setEnabled(not self.roster.is_busy(chair.name) and len(self.roster) > 1)

    # -- changes ---------------------------------------------------------------------------------
    def _apply(self, change: Callable[[], object], row: int) -> bool:
        try:
            change()
        except ChairError as exc:
            self.problem.setText(str(exc))
            self._show_chair(self.list.currentRow())
            return False
        self.problem.setText("")
        self._refill(row)
        return True

    def _rename(self) -> bool:
        name = self._current()
        if name is not None and self.name_edit.text() != name:
            return self._apply(lambda: self.roster.rename(name, self.name_edit.text()), self.list.currentRow())
        return True

    def _choose_device(self) -> None:
        name = self._current()
        if name is None:
            return
        text = self.device.currentText()
        url = self.device.currentData() if text == self.device.itemText(self.device.currentIndex()) else None
        url = url or text
        if url != self.roster.get(name).device:
            self._apply(lambda: self.roster.set_device(name, url), self.list.currentRow())

    def _add(self) -> None:
        if self._apply(self.roster.add, len(self.roster)):
            self.origins.append(None)

    def _remove(self) -> None:
        name = self._current()
        row = self.list.currentRow()
        if name is not None and self._apply(lambda: self.roster.remove(name), max(0, row - 1)):
            del self.origins[row]

    def _save(self) -> None:
        # A name typed but not yet confirmed with Enter or Tab counts: Save means what is on screen.
        if not self._rename():
            return
        self.saved.emit(ChairRoster(self.roster.chairs, is_busy=self.roster.is_busy))
        self.accept()


def open_chairs_dialog(roster: ChairRoster, on_saved: Callable[[ChairRoster, list[str | None]], None],
                       parent: QWidget, list_ports: Callable[[], list[PortInfo]] = lambda: []) -> ChairsDialog:
    """Not modal: every clock, channel and the STOP button stay usable while it is open. on_saved gets the
    roster and, for each of its chairs, the name it had when the dialog opened (None: added)."""
    dialog = ChairsDialog(roster, list_ports, parent)
    dialog.saved.connect(lambda saved: on_saved(saved, list(dialog.origins)))
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
