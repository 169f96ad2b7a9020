"""The patient dialog (Ctrl+P) on a clinic's server that stops answering: it opens, says why the list is empty,
keeps a new patient's details until they are written, and fills the list by itself once the server answers."""

from __future__ import annotations

import neurotimer.gui.record.patient_dialog as dialog_module
from neurotimer.gui.record.patient_dialog import PatientDialog
from tests.gui.silent_log import BACK_MS, WITHIN_S, relayed, timed


def test_the_patient_dialog_opens_on_a_silent_server_and_loses_nothing(qtbot, monkeypatch, pg_url, clock) -> None:
    monkeypatch.setattr(dialog_module, "RETRY_MS", 300)  # 3 s in the app
    with relayed(pg_url, clock) as (store, relay):
        store.create_patient("P-0001", name="Ann Example")
        relay.silence()

        made: list[PatientDialog] = []
        assert timed(lambda: made.append(PatientDialog(store))) < WITHIN_S * 2  # the list and the next code
        dialog = made[0]
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.list.count() == 0
        assert dialog.message.text().startswith("The patient list could not be read: the log server cannot be "
                                                "reached.")
        dialog.code.setText("P-0002")
        dialog.name.setText("Bea Example")
        dialog.flags["pregnancy"].setChecked(True)
        assert timed(dialog._add) < WITHIN_S
        assert dialog.message.text().startswith("Not added: the log server cannot be reached.")
        assert "What you entered is kept" in dialog.message.text()
        assert dialog.isVisible() and dialog.name.text() == "Bea Example" and dialog.flags["pregnancy"].isChecked()

        dialog.refresh()  # as the timer does meanwhile: the line still says the patient is not added
        assert dialog.message.text().startswith("Not added")

        relay.speak()
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=BACK_MS)  # read again by itself
        assert dialog.message.text() == "The log answers again: press Add and choose to add the new patient."
        chosen = []
        dialog.patientChosen.connect(chosen.append)
        dialog._add()  # pressed again, the server answering
        assert [p.code for p in chosen] == ["P-0002"] and chosen[0].screening["pregnancy"]
        assert not dialog.isVisible()
        assert [p.code for p in store.list_patients()] == ["P-0001", "P-0002"], "written once"
