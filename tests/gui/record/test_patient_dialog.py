"""Choosing and adding patients, with the screening questions, against an in-memory store."""

from __future__ import annotations

import pytest

from neurotimer.gui.record.patient_dialog import PatientDialog
from neurotimer.storage.store import open_memory


@pytest.fixture
def store(clock):
    s = open_memory(clock=clock)
    s.create_patient("P-0001", name="Ada Example", birth_year=1950, screening={"pregnancy": False})
    s.create_patient("P-0002", name="Ben Example", birth_year=1961, screening={"implanted_device": True})
    yield s
    s.close()


def test_search_as_you_type_narrows_the_list(qtbot, store) -> None:
    dialog = PatientDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2
    qtbot.keyClicks(dialog.search, "Ben")
    assert dialog.list.count() == 1
    assert "P-0002" in dialog.list.item(0).text()
    assert "implanted electronic device" in dialog.list.item(0).text()


def test_choose_emits_the_selected_patient(qtbot, store) -> None:
    dialog = PatientDialog(store)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(1)
    with qtbot.waitSignal(dialog.patientChosen) as chosen:
        dialog.choose_button.click()
    assert chosen.args[0].code == "P-0002"


def test_add_new_patient_with_screening(qtbot, store) -> None:
    dialog = PatientDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.code.text() == "P-0003"
    dialog.name.setText("Cleo Example")
    dialog.birth_year.setValue(1948)
    dialog.flags["reduced_sensation"].setChecked(True)
    with qtbot.waitSignal(dialog.patientChosen) as chosen:
        dialog.add_button.click()
    patient = chosen.args[0]
    assert (patient.code, patient.birth_year) == ("P-0003", 1948)
    assert patient.cautions == ["reduced_sensation"]


def test_duplicate_code_is_refused_with_a_message_and_nothing_lost(qtbot, store) -> None:
    dialog = PatientDialog(store)
    qtbot.addWidget(dialog)
    dialog.code.setText("P-0001")
    dialog.name.setText("Someone Else")
    dialog.add_button.click()
    assert "already a patient" in dialog.message.text()
    assert dialog.name.text() == "Someone Else"
    assert len(store.list_patients()) == 2
