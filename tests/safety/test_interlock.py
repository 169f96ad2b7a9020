"""The output interlock says no until it knows everything, and says why."""

from __future__ import annotations

import threading

import pytest

from neurotimer.safety.interlock import Allow, Intent, Interlock, SessionInput, session_input
from neurotimer.session.session import Session

RUNNING = SessionInput(running=True, paused=False, ends_at=2000.0)


@pytest.fixture
def ready(clock) -> Interlock:
    lock = Interlock(clock)
    lock.set_session(RUNNING)
    lock.set_pairs({1, 2})
    lock.set_verdict(True, "Output allowed")
    lock.set_link(True)
    return lock


def test_a_new_interlock_refuses_every_channel_until_each_input_is_set(clock) -> None:
    lock = Interlock(clock)
    for setter in (lambda: lock.set_session(RUNNING), lambda: lock.set_pairs({1}),
                   lambda: lock.set_verdict(True, "ok")):
        assert lock.decide(1).allow is Allow.OFF
        assert "not ready" in lock.decide(1).reason
        setter()
    assert "link not known" in lock.decide(1).reason
    lock.set_link(True)
    assert lock.decide(1).allow is Allow.ON


def test_everything_set_and_passing_lets_a_paired_channel_run(ready) -> None:
    assert ready.decide(1).may_rise and ready.decide(2).may_be_on
    assert ready.judge(Intent.SWITCH_ON, 1) is None
    assert ready.judge(Intent.SET_CURRENT, 2, 3.0, 0.0) is None


@pytest.mark.parametrize(("change", "words"), [
    (lambda i: i.set_session(SessionInput(running=False, paused=False, ends_at=None)), "start the session"),
    (lambda i: i.set_session(SessionInput(running=True, paused=True, ends_at=None)), "paused"),
    (lambda i: i.set_session(SessionInput(running=False, paused=False, ends_at=None, closed=True)),
     "start the session"),
    (lambda i: i.set_pairs({2}), "no pair of needles"),
    (lambda i: i.set_verdict(False, "Output blocked: 1 problem to fix."), "Output blocked: 1 problem"),
    (lambda i: i.set_link(False), "not connected"),
    (lambda i: i.fail("catalogue", "the point catalogue could not be loaded."), "catalogue could not"),
])
def test_each_refusal_says_why_and_still_lets_the_current_go_down(ready, change, words) -> None:
    change(ready)
    decision = ready.decide(1)
    assert decision.allow is Allow.OFF and not decision.may_rise
    assert words in decision.reason and decision.key.startswith("interlock.")
    assert ready.judge(Intent.SWITCH_ON, 1) == decision.reason
    assert ready.judge(Intent.SET_CURRENT, 1, 2.0, 1.0) == decision.reason
    assert ready.judge(Intent.SET_CURRENT, 1, 0.5, 1.0) is None  # lowering is always allowed
    assert ready.judge(Intent.LOWER, 1) is None


def test_a_failed_part_refuses_until_it_recovers(ready) -> None:
    ready.fail("setup-points", "neurotimer could not set up the safety checks.")
    assert ready.decide(2).allow is Allow.OFF
    ready.recover("setup-points")
    assert ready.decide(2).allow is Allow.ON


def test_a_check_that_raises_is_a_refusal(ready, monkeypatch) -> None:
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(ready, "_decide", broken)
    decision = ready.decide(1)
    assert decision.allow is Allow.OFF and "a safety check failed (boom)" in decision.reason


def test_past_the_planned_end_the_output_winds_down_unless_kept_on(ready, clock) -> None:
    ready.set_session(SessionInput(running=True, paused=False, ends_at=clock.now() + 10))
    assert ready.decide(1).allow is Allow.ON
    clock.advance(10)
    decision = ready.decide(1)
    assert decision.allow is Allow.WIND_DOWN and decision.may_be_on and not decision.may_rise
    assert ready.judge(Intent.SET_CURRENT, 1, 0.0, 2.0) is None
    ready.set_session(SessionInput(running=True, paused=False, ends_at=clock.now() - 1, keep_past_end=True))
    assert ready.decide(1).allow is Allow.ON


def test_the_session_input_follows_pauses_and_extensions(clock) -> None:
    session = Session(clock, 1)
    assert not session_input(session, clock.now()).running
    session.start()
    clock.advance(20)
    assert session_input(session, clock.now()).ends_at == pytest.approx(clock.now() + 40)
    session.pause()
    paused = session_input(session, clock.now())
    assert paused.paused and paused.ends_at is None
    clock.advance(100)
    session.resume()
    session.extend(5)
    assert session_input(session, clock.now()).ends_at == pytest.approx(clock.now() + 340)
    session.end()
    assert session_input(session, clock.now()).closed


def test_every_change_tells_the_listeners(ready) -> None:
    heard = []
    ready.listeners.append(lambda: heard.append(1))
    ready.set_pairs({1})
    ready.fail("x", "y")
    assert len(heard) == 2


def test_inputs_set_from_one_thread_while_another_asks_never_allow_an_unpaired_channel(ready) -> None:
    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            ready.set_pairs({1, 2})
            ready.set_pairs({2})

    thread = threading.Thread(target=flip)
    thread.start()
    try:
        for _ in range(2000):
            decision = ready.decide(3)
            assert decision.allow is Allow.OFF
    finally:
        stop.set()
        thread.join()
