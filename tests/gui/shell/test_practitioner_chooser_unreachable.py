"""The practitioner chooser on a clinic's server that stops answering: it says so instead of offering a first
run's form (a profile made then could already exist), keeps a new profile's typed details, and fills the list
by itself once the server answers."""

from __future__ import annotations

import neurotimer.gui.shell.practitioner_chooser as chooser_module
from neurotimer.gui.shell.practitioner_chooser import PractitionerChooser
from tests.gui.silent_log import BACK_MS, WITHIN_S, relayed, timed


def test_the_chooser_on_a_silent_server_says_so_and_fills_itself_when_it_answers(qtbot, monkeypatch, pg_url,
                                                                                clock) -> None:
    monkeypatch.setattr(chooser_module, "RETRY_MS", 300)  # 3 s in the app
    with relayed(pg_url, clock) as (store, relay):
        lee = store.create_practitioner("Dr Ana Lee", profession="physician")
        relay.silence()

        made: list[PractitionerChooser] = []
        assert timed(lambda: made.append(PractitionerChooser(store, lee))) < WITHIN_S
        dialog = made[0]
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.error.text().startswith("The profiles could not be read: the log server cannot be reached.")
        assert not dialog.form.isVisible(), "not a first run: no new profile is offered as if none existed"
        assert not dialog.continue_button.isEnabled()

        dialog.show_form()  # New profile… pressed all the same
        dialog.name.setText("Dr Ben Ode")
        assert timed(dialog.create_profile) < WITHIN_S
        assert dialog.error.text().startswith("The profile was not added: the log server cannot be reached.")
        assert dialog.name.text() == "Dr Ben Ode", "what was typed is kept"

        relay.speak()
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=BACK_MS)
        assert dialog.selected().id == lee and dialog.continue_button.isEnabled()
        assert dialog.error.text() == ""
        dialog.accept_choice()
        assert dialog.chosen.name == "Dr Ana Lee"
