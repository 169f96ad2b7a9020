"""Settings → Chairs: add, rename, remove, choose a stimulator; refusals explained, nothing lost."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from neurotimer.chairs.roster import ChairRoster
from neurotimer.gui.board.chairs_dialog import ChairsDialog
from neurotimer.stimulator.transport import PortInfo


def _dialog(qtbot, roster: ChairRoster) -> ChairsDialog:
    dialog = ChairsDialog(roster, list_ports=lambda: [PortInfo("/dev/ttyACM0", "NTS-1")])
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type_name(qtbot, dialog: ChairsDialog, text: str) -> None:
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, text)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)


def test_add_rename_and_choose_a_port_then_save(qtbot) -> None:
    original = ChairRoster.numbered(2)
    dialog = _dialog(qtbot, original)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.list.currentItem().text() == "Room 3"
    _type_name(qtbot, dialog, "Recliner B")
    dialog.device.setCurrentIndex(dialog.device.findData("/dev/ttyACM0"))
    dialog.device.activated.emit(dialog.device.currentIndex())
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)
    roster = saved.args[0]
    assert roster.names() == ["Room 1", "Room 2", "Recliner B"]
    assert roster.get("Recliner B").device == "/dev/ttyACM0"
    assert original.names() == ["Room 1", "Room 2"]  # nothing changes until Save


def test_a_typed_host_and_port_becomes_a_socket_url(qtbot) -> None:
    dialog = _dialog(qtbot, ChairRoster.numbered(1))
    dialog.device.setEditText("127.0.0.1:5031")
    dialog.device.lineEdit().editingFinished.emit()
    assert dialog.roster.get("Room 1").device == "socket://127.0.0.1:5031"
    assert dialog.problem.text() == ""


def test_a_refused_name_is_explained_and_the_old_one_kept(qtbot) -> None:
    dialog = _dialog(qtbot, ChairRoster.numbered(2))
    dialog.list.setCurrentRow(1)
    _type_name(qtbot, dialog, "room 1")
    assert dialog.problem.text() == "There is already a chair called Room 1."
    assert dialog.roster.names() == ["Room 1", "Room 2"]
    assert dialog.name_edit.text() == "Room 2"


def test_a_chair_with_a_session_running_cannot_be_removed(qtbot) -> None:
    roster = ChairRoster(ChairRoster.numbered(3), is_busy=lambda name: name == "Room 2")
    dialog = _dialog(qtbot, roster)
    dialog.list.setCurrentRow(1)
    assert dialog.list.currentItem().text() == "Room 2  (session running)"
    assert not dialog.remove_button.isEnabled()
    dialog._remove()  # even if asked some other way
    assert "Room 2 has a session running" in dialog.problem.text()
    dialog.list.setCurrentRow(2)
    assert dialog.remove_button.isEnabled()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.roster.names() == ["Room 1", "Room 2"]
