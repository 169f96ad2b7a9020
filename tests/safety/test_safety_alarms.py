"""Alarms behave as IEC 60601-1-8 asks: acknowledging silences, only the end of the cause takes one away."""

from __future__ import annotations

import pytest

from neurotimer.safety.alarms import AlarmModel, Change, Priority, SoundSchedule
from neurotimer.session.clock import ManualClock


@pytest.fixture
def model(clock: ManualClock) -> AlarmModel:
    return AlarmModel(clock)


def test_an_acknowledged_alarm_with_a_lasting_cause_stays_shown_silent_until_it_clears(model, clock) -> None:
    model.raise_alarm("lead-off.1", "Lead off on channel 1", Priority.HIGH)
    clock.advance(5)
    model.acknowledge("lead-off.1")
    alarm = model.current()
    assert alarm is not None and alarm.key == "lead-off.1"
    assert alarm.acknowledged and alarm.active and not alarm.sounding
    assert model.sounding_priority() is None
    clock.advance(20)
    model.clear("lead-off.1")
    assert model.current() is None
    (done,) = model.history()
    assert (done.acknowledged_at - done.raised_at).total_seconds() == 5
    assert (done.cleared_at - done.raised_at).total_seconds() == 25


def test_a_notice_goes_when_it_is_acknowledged(model) -> None:
    model.raise_alarm("refused", "Start the session first", Priority.LOW, lasting=False)
    model.acknowledge("refused")
    assert model.current() is None
    assert model.history()[0].cleared_at is not None


def test_the_worst_unacknowledged_alarm_is_shown_first(model, clock) -> None:
    model.raise_alarm("low", "a low one", Priority.LOW)
    model.raise_alarm("high", "a high one", Priority.HIGH)
    model.raise_alarm("medium", "a medium one", Priority.MEDIUM)
    assert [a.key for a in model.shown()] == ["high", "medium", "low"]
    model.acknowledge("high")
    # Acknowledged alarms step back behind the ones that still need the practitioner.
    assert [a.key for a in model.shown()] == ["medium", "low", "high"]
    assert model.sounding_priority() is Priority.MEDIUM


def test_raising_the_same_alarm_again_changes_nothing_and_does_not_unsilence_it(model) -> None:
    changes = []
    model.subscribe(lambda change, alarm: changes.append((change, alarm.key)))
    model.raise_alarm("link", "Link lost", Priority.HIGH)
    model.acknowledge("link")
    model.raise_alarm("link", "Link lost", Priority.HIGH)
    assert model.current().acknowledged
    assert changes == [(Change.RAISED, "link"), (Change.ACKNOWLEDGED, "link")]
    assert len(model.history()) == 1


def test_new_words_for_the_same_key_are_a_new_alarm_that_sounds_again(model) -> None:
    model.raise_alarm("safety", "Channel 1 switched off", Priority.HIGH)
    model.acknowledge("safety")
    model.raise_alarm("safety", "Channel 1 and 2 switched off", Priority.HIGH)
    first, second = model.history()
    assert first.cleared_at is not None and not second.acknowledged
    assert model.sounding_priority() is Priority.HIGH
    assert [a.text for a in model.shown()] == ["Channel 1 and 2 switched off"]


def test_the_older_info_name_is_the_low_priority() -> None:
    assert Priority.INFO is Priority.LOW


def test_clearing_an_unknown_key_or_acknowledging_twice_is_harmless(model) -> None:
    assert model.clear("nothing") is None
    model.raise_alarm("x", "x", Priority.MEDIUM)
    assert model.acknowledge("x") is not None
    assert model.acknowledge("x") is None


def test_high_bursts_repeat_every_three_seconds_until_acknowledged(model, clock) -> None:
    schedule = SoundSchedule(model, clock)
    assert schedule.due() is None
    model.raise_alarm("over-current", "Over-current on channel 2", Priority.HIGH)
    played = []
    for _ in range(40):  # ten seconds asked every quarter second
        if (burst := schedule.due()) is not None:
            played.append((clock.now() - 1000, burst))
        clock.advance(0.25)
    assert played == [(0.0, Priority.HIGH), (3.0, Priority.HIGH), (6.0, Priority.HIGH), (9.0, Priority.HIGH)]
    model.acknowledge("over-current")
    clock.advance(5)
    assert schedule.due() is None


def test_a_low_alarm_plays_once_and_a_new_raise_sounds_at_once(model, clock) -> None:
    schedule = SoundSchedule(model, clock)
    model.raise_alarm("note", "Halfway", Priority.LOW)
    assert schedule.due() is Priority.LOW
    clock.advance(30)
    assert schedule.due() is None
    clock.advance(0.5)
    model.raise_alarm("lead", "Lead off", Priority.HIGH)
    assert schedule.due() is Priority.HIGH  # no wait for any interval


def test_medium_repeats_slower_and_plays_after_the_high_one_is_acknowledged(model, clock) -> None:
    schedule = SoundSchedule(model, clock)
    model.raise_alarm("m", "log read-only", Priority.MEDIUM)
    model.raise_alarm("h", "watchdog", Priority.HIGH)
    assert schedule.due() is Priority.HIGH
    model.acknowledge("h")
    clock.advance(3.5)
    assert schedule.due() is None
    clock.advance(0.5)
    assert schedule.due() is Priority.MEDIUM


def test_a_restated_alarm_shows_new_words_without_sounding_again_or_a_new_raise(model, clock) -> None:
    changes: list[Change] = []
    model.subscribe(lambda change, _alarm: changes.append(change))
    model.raise_alarm("log-write", "The disk is full; 1 event(s) wait", Priority.HIGH)
    model.acknowledge("log-write")
    clock.advance(2)
    model.restate("log-write", "The disk is full; 1,796 event(s) wait")
    alarm = model.current()
    assert alarm.text.endswith("1,796 event(s) wait") and alarm.acknowledged and not alarm.sounding
    assert len(model.history()) == 1 and changes == [Change.RAISED, Change.ACKNOWLEDGED, Change.RESTATED]
    assert model.restate("not-up", "words") is None
