"""Faults found at the chair: what the stimulator column offers and says around the planned end and the checks."""

from __future__ import annotations

import pytest

from neurotimer.gui.stimulator.device_panel import StimulatorPanel
from neurotimer.gui.stimulator.output_panel import ChannelsPanel
from neurotimer.plan.plan import Lead, NeedlePair
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import SessionState
from tests.gui.stimulator.test_interlock_app import advance, build_app, one_poll, start_one_minute_at


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    a = build_app(qtbot, tmp_path, clock)
    yield a
    a.shutdown()


def test_keep_stimulating_past_the_end_ticked_before_the_start_holds_through_it(qtbot, app, clock) -> None:
    channels = app.window.findChild(ChannelsPanel)
    assert app.sessions.session.state is SessionState.PLANNED
    assert channels.keep_past_end.isEnabled(), "the practitioner prepares the session before starting it"
    channels.keep_past_end.setChecked(True)
    start_one_minute_at(qtbot, app, 1.0)
    assert channels.keep_past_end.isChecked() and app.guard.keep_past_end
    advance(qtbot, app, clock, 60 + 5)
    assert app.sessions.session.overdue
    status = app.stim.last_status(1)
    assert status.output and status.target_ma == 1.0, "kept on past the end, as chosen before the start"
    app.records.recorder.flush()
    [kept] = [e for e in app.store.session_events(app.records.recorder.session_id)
              if e["kind"] == "stimulation.keep_past_end"]
    assert kept["data"]["keep"] is True


def test_past_the_end_switch_on_is_not_offered_and_the_refusal_goes_after_5_more_minutes(qtbot, app, clock) -> None:
    start_one_minute_at(qtbot, app, 1.0)
    card = app.window.findChild(ChannelsPanel).channels[1]
    device = app.window.findChild(StimulatorPanel)
    advance(qtbot, app, clock, 60 + 4)  # past the end and the 2 s ramp down: the output is off
    assert not app.stim.last_status(1).output
    assert not card.switch.isEnabled() and "planned time is over" in card.switch.toolTip()
    assert not card.step_buttons[0.5].isEnabled() and card.step_buttons[-0.5].isEnabled()
    with qtbot.waitSignal(app.stim.refused, timeout=3000):
        app.stim.output_on(1)  # as a raw click would: the interlock refuses it and the panel says why
    assert "planned time is over" in device.message_label.text()

    app.sessions.extend()
    assert device.message_label.text() == "", "the refusal is untrue after +5 min"
    one_poll(qtbot, app)
    assert card.switch.isEnabled() and card.step_buttons[0.5].isEnabled()

    with qtbot.waitSignal(app.stim.refused, timeout=3000):
        app.stim.set_current(1, 99)  # a refusal again, then End: it is old news
    assert device.message_label.text()
    app.sessions.end()
    assert device.message_label.text() == ""
    assert app.window.timer_panel.milestone_label.text() == ""


def test_the_interlock_quotes_the_same_count_of_warnings_as_the_needle_pairs_tab(qtbot, app, clock) -> None:
    catalogue = app.catalogue_source.catalogue
    plan = app.plans.plan()
    for code in ("ST36", "GV20", "SP6"):
        plan = plan.add(catalogue.get(code))
    app.plans.set_points(plan)
    app.plans.set_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "R")),  # crosses the midline
                         NeedlePair(2, Lead("GV20", "M"), Lead("SP6", "L"))])  # a lead on the head
    app.sessions.start()
    assert "2 warnings to acknowledge" in app.pairing.summary.text()
    assert "2 warnings to acknowledge" in app.interlock.decide(1).reason
    first = next(row for row in app.pairing.finding_rows() if row.button is not None)
    first.button.click()
    tab = app.pairing.summary.text()
    assert "1 warning to acknowledge" in tab
    assert tab in app.interlock.decide(1).reason
    with qtbot.waitSignal(app.stim.refused, timeout=3000) as refusal:
        app.stim.output_on(1)
    assert "1 warning to acknowledge" in refusal.args[0] and "2 warnings" not in refusal.args[0]
