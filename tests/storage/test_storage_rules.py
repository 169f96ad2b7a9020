"""The append-only rules are written once (storage/rules.py) and stand as triggers on both engines, each
refusing with its own message."""

from __future__ import annotations

import sqlite3

import pytest

from neurotimer.storage import rules

SHARED = (*rules.EVENTS, *rules.AMENDMENTS, *rules.SESSIONS, rules.NOTES, rules.CLOSED_COURSE, *rules.V4_FACTS)


def _triggers(store) -> set[str]:
    if isinstance(store.path, str):
        rows = store.conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
    else:
        rows = store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {r[0] for r in rows}


def test_every_shared_rule_is_a_trigger_on_the_log(any_store) -> None:
    assert {rule.name for rule in SHARED} <= _triggers(any_store)


@pytest.mark.parametrize("rule", [r for r in SHARED if r.name in ("patients_no_delete", "patients_identity_frozen")],
                         ids=lambda r: r.name)
def test_a_rule_refuses_with_its_message(any_store, rule) -> None:
    pid = any_store.create_patient("RUL-001", name="A Person")
    change = ("DELETE FROM patients WHERE id = ?" if rule.event == "DELETE"
              else "UPDATE patients SET name = 'Someone Else' WHERE id = ?")
    with pytest.raises(sqlite3.IntegrityError, match=rule.message):
        any_store.conn.execute(change, (pid,))
    assert any_store.get_patient(pid).name == "A Person"


def test_an_unchanged_column_is_no_change_null_included() -> None:
    frozen = rules.Refusal("t_frozen", "UPDATE", "t", "frozen", rules.changed(("a",)))
    assert "NEW.a IS NOT OLD.a" in frozen.sqlite() and "NEW.a IS DISTINCT FROM OLD.a" in frozen.pg()
