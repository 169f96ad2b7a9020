"""The History tab on a clinic's server that stops answering: one plain line instead of the course, within the
bound, and the course back by itself once the server answers again."""

from __future__ import annotations

import neurotimer.gui.history.panel as panel_module
from neurotimer.gui.history.panel import HistoryPanel
from tests.gui.silent_log import BACK_MS, WITHIN_S, relayed, timed


def test_the_history_says_the_log_cannot_be_reached_and_comes_back_by_itself(qtbot, monkeypatch, pg_url,
                                                                            clock) -> None:
    monkeypatch.setattr(panel_module, "RETRY_MS", 300)  # 3 s in the app
    with relayed(pg_url, clock) as (store, relay):
        patient = store.get_patient(store.create_patient("P-0001"))
        store.create_course(patient.id, "Painful diabetic neuropathy", 8, 2)
        panel = HistoryPanel(store)
        qtbot.addWidget(panel)
        panel.show()
        relay.silence()

        assert timed(lambda: panel.set_patient(patient)) < WITHIN_S
        assert panel.pages.currentWidget() is panel.error
        text = panel.error.text()
        assert text.startswith("The history could not be read from the session log: the log server cannot be "
                               "reached.") and "once the log answers" in text
        assert "Traceback" not in text and "consuming input" not in text  # the driver's words stay in the log

        relay.speak()
        qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.content, timeout=BACK_MS)
        assert panel.summary.condition.text() == "Painful diabetic neuropathy"
        qtbot.waitUntil(lambda: not panel._retry.isActive(), timeout=5000)  # no reading again for nothing
        panel.close()
