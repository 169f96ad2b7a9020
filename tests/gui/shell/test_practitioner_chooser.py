"""The start-up chooser: who is working, the last one preselected, a first run creates a profile."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from neurotimer.gui.shell.practitioner_chooser import PractitionerChooser, demo_practitioner
from neurotimer.storage.store import open_store


@pytest.fixture
def store(tmp_path, clock):
    s = open_store(tmp_path / "log.sqlite3", clock=clock)
    yield s
    s.close()


def chooser(qtbot, store, last_id=None, confirm=None) -> PractitionerChooser:
    dialog = PractitionerChooser(store, last_id, confirm=confirm)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_first_run_asks_for_a_profile_and_enter_goes_on_with_it(qtbot, store):
    dialog = chooser(qtbot, store)
    assert dialog.list.count() == 0 and dialog.form.isVisible() and not dialog.list.isVisible()
    assert not dialog.continue_button.isEnabled(), "nobody to go on with yet"
    qtbot.keyClicks(dialog.name, "Dr Ana Lee")
    qtbot.keyClicks(dialog.profession, "physician")
    qtbot.keyClicks(dialog.registration, "GMC 7654321")
    qtbot.keyClick(dialog.registration, Qt.Key.Key_Return)
    # One Enter makes the profile and goes on with it.
    assert dialog.result() == QDialog.DialogCode.Accepted
    [made] = store.list_practitioners()
    assert dialog.chosen == made
    assert (made.name, made.profession, made.registration) == ("Dr Ana Lee", "physician", "GMC 7654321")
    assert made.code == "PR-001"


def test_the_last_practitioner_is_preselected_and_one_enter_goes_on(qtbot, store):
    first = store.create_practitioner("Dr Ana Lee", profession="physician")
    last = store.create_practitioner("Ben Okafor", profession="acupuncturist", registration="BAcC 123")
    dialog = chooser(qtbot, store, last_id=last)
    assert not dialog.form.isVisible(), "with profiles to choose from, the form waits behind New profile…"
    assert dialog.selected().id == last
    assert "Ben Okafor (acupuncturist, reg. BAcC 123) · PR-002" in dialog.list.currentItem().text()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen.id == last
    assert first != last


def test_a_profile_is_added_from_the_chooser(qtbot, store):
    store.create_practitioner("Dr Ana Lee")
    dialog = chooser(qtbot, store)
    dialog.add_button.click()
    assert dialog.form.isVisible()
    qtbot.keyClicks(dialog.name, "Cara Diaz")
    dialog.create_button.click()
    assert [p.name for p in store.list_practitioners()] == ["Cara Diaz", "Dr Ana Lee"]
    assert dialog.selected().name == "Cara Diaz", "the new profile is the one chosen"
    dialog.continue_button.click()
    assert dialog.chosen.name == "Cara Diaz"


def test_a_profile_without_a_name_is_refused_with_a_message(qtbot, store):
    dialog = chooser(qtbot, store)
    qtbot.keyClicks(dialog.profession, "physician")
    dialog.create_button.click()
    assert dialog.error.isVisible() and "needs a name" in dialog.error.text()
    assert store.list_practitioners() == []
    assert dialog.profession.text() == "physician", "what was typed is kept"
    assert dialog.isVisible()


def test_quit_gives_no_practitioner(qtbot, store):
    store.create_practitioner("Dr Ana Lee")
    dialog = chooser(qtbot, store)
    dialog.quit_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.chosen is None


def test_a_retired_profile_is_no_longer_offered_but_stays_in_the_record(qtbot, store, tmp_path):
    gone = store.create_practitioner("Dr Ana Lee")
    store.create_practitioner("Ben Okafor")
    asked = []
    dialog = chooser(qtbot, store, last_id=gone, confirm=lambda title, text: asked.append(text) or True)
    dialog.retire_button.click()
    assert "PR-001" in asked[0]
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Ben Okafor · PR-002"]
    assert store.get_practitioner(gone).retired
    assert [p.name for p in store.list_practitioners(include_retired=True)] == ["Ben Okafor", "Dr Ana Lee"]
    # Never deleted: the log refuses it even behind the app's back.
    other = sqlite3.connect(tmp_path / "log.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="retired, never deleted"):
        other.execute("DELETE FROM practitioners WHERE id = ?", (gone,))
    other.close()


def test_retire_asks_first_and_a_no_keeps_the_profile(qtbot, store):
    kept = store.create_practitioner("Dr Ana Lee")
    dialog = chooser(qtbot, store, confirm=lambda title, text: False)
    dialog.retire_button.click()
    assert not store.get_practitioner(kept).retired and dialog.list.count() == 1


def test_the_demo_chooses_without_asking(store):
    made = demo_practitioner(store, None)
    assert made.name == "Demo practitioner" and store.list_practitioners() == [made]
    other = store.create_practitioner("Ben Okafor")
    assert demo_practitioner(store, other).id == other, "the last one used, when there is one"
