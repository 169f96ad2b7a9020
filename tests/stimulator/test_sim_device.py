"""The simulated stimulator model in simulated time: ramps, modes, faults, watchdog and the error queue."""

from __future__ import annotations

import time

import pytest

from neurotimer.session.clock import ManualClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.protocol import parse_error, parse_status


def ask(model: SimulatedStimulator, *lines: str) -> list[str]:
    return model.feed("".join(f"{line}\n" for line in lines).encode())


def one(model: SimulatedStimulator, line: str) -> str:
    replies = ask(model, line)
    assert len(replies) == 1, replies
    return replies[0]


def errors(model: SimulatedStimulator) -> list[str]:
    found = []
    while (reply := one(model, "SYST:ERR?")) != '0,"No error"':
        found.append(reply)
    return found


def wait(model: SimulatedStimulator, clock: ManualClock, seconds: float) -> None:
    """Lets time pass while the host polls twice a second, as a driver would (feeds the watchdog)."""
    steps = round(seconds / 0.5)
    assert steps * 0.5 == pytest.approx(seconds)
    for _ in range(steps):
        clock.advance(0.5)
        ask(model, "*OPC?")


def status(model: SimulatedStimulator, channel: int = 1):
    return parse_status(one(model, f"STAT:CHAN{channel}?"))


@pytest.fixture
def model(clock: ManualClock) -> SimulatedStimulator:
    return SimulatedStimulator(clock, seed=1)


def test_identity_and_defaults(model: SimulatedStimulator) -> None:
    assert one(model, "*IDN?") == "NeuroTimer,SIM-4,SIM000001,0.1.0"
    assert one(model, "SYST:CHAN?") == "4"
    assert one(model, "SYST:LIM?") == "freq=1..200,width=50..1000,current=0..20,slew=0.1..2"
    assert ask(model, "SYST:WATC?", "SOUR2:FUNC?", "SOUR2:FREQ?", "SOUR2:FREQ:LOW?", "SOUR2:FREQ:HIGH?") == [
        "2",
        "CONT",
        "2",
        "2",
        "100",
    ]
    assert ask(model, "SOUR2:PULS:WIDT?", "SOUR2:CURR?", "SOUR2:CURR:SLEW?", "OUTP2?", "*OPC?") == [
        "300",
        "0.0",
        "0.5",
        "0",
        "1",
    ]
    assert errors(model) == []


def test_eight_channels_say_so(clock: ManualClock) -> None:
    model = SimulatedStimulator(clock, channels=8, serial="X1", version="9")
    assert ask(model, "*IDN?", "SYST:CHAN?", "STAT:CHAN8?")[:2] == ["NeuroTimer,SIM-8,X1,9", "8"]


def test_ramps_up_and_down_at_the_slew_rate_never_jumping(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 3")
    seen = []
    for _ in range(80):
        clock.advance(0.1)
        seen.append(status(model).measured_ma)
    steps = [b - a for a, b in zip([0.0, *seen], seen, strict=False)]
    assert max(steps) <= 0.05 + 1e-9  # 0.5 mA/s in 0.1 s
    assert seen[9] == pytest.approx(0.5) and seen[-1] == 3.0
    ask(model, "SOUR1:CURR 1")
    wait(model, clock, 2)
    assert status(model).measured_ma == pytest.approx(2.0)
    ask(model, "SOUR1:CURR:SLEW 2")
    clock.advance(0.25)
    assert status(model).measured_ma == pytest.approx(1.5)
    wait(model, clock, 10)
    s = status(model)
    assert (s.output, s.measured_ma, s.target_ma) == (True, 1.0, 1.0)


def test_current_is_rounded_to_a_tenth(model) -> None:
    ask(model, "SOUR1:CURR 2.25", "SOUR2:CURR 2.5E0", "SOUR3:CURR 0.04")
    assert ask(model, "SOUR1:CURR?", "SOUR2:CURR?", "SOUR3:CURR?") == ["2.3", "2.5", "0.0"]


def test_zero_start_rule(model, clock) -> None:
    ask(model, "SOUR1:CURR 2", "OUTP1 ON")
    assert one(model, "OUTP1?") == "0"
    assert errors(model) == ['-221,"Settings conflict; current must be 0 to switch on"']
    ask(model, "SOUR1:CURR 0", "OUTP1 ON", "SOUR1:CURR 2")
    clock.advance(1)
    ask(model, "SOUR1:CURR 0", "OUTP1 ON")  # still ramping down: measured is not 0 yet
    assert errors(model) == ['-221,"Settings conflict; current must be 0 to switch on"']


def test_switch_off_drops_current_and_target_at_once(model, clock) -> None:
    ask(model, "OUTP2 ON", "SOUR2:CURR 5")
    wait(model, clock, 4)
    assert status(model, 2).measured_ma == 2.0
    ask(model, "OUTP2 OFF")
    s = status(model, 2)
    assert (s.output, s.measured_ma, s.target_ma) == (False, 0.0, 0.0)


def test_abort_stops_every_channel_at_once(model, clock) -> None:
    ask(model, "OUTP1 ON", "OUTP3 ON", "SOUR1:CURR 4", "SOUR3:CURR 4")
    wait(model, clock, 3)
    ask(model, "ABOR")
    for n in (1, 3):
        s = status(model, n)
        assert (s.output, s.measured_ma, s.target_ma) == (False, 0.0, 0.0)
    assert errors(model) == []


def test_dense_disperse_alternates_low_and_high_every_3_s(model, clock) -> None:
    ask(model, "SOUR1:FUNC DENSE", "SOUR1:FREQ:LOW 4", "SOUR1:FREQ:HIGH 80", "OUTP1 ON")
    rates = []
    for _ in range(12):
        rates.append(model.channels[0].pulse_rate(clock.now()))
        clock.advance(1)
    assert rates == [4, 4, 4, 80, 80, 80] * 2
    assert one(model, "SOUR1:FUNC?") == "DENS"


def test_intermittent_pauses_5_s_every_10_s(model, clock) -> None:
    ask(model, "SOUR1:FUNC int", "SOUR1:CURR:SLEW 2", "OUTP1 ON", "SOUR1:CURR 4")
    wait(model, clock, 4)
    assert status(model).measured_ma == 4.0
    wait(model, clock, 2)  # t = 6 s: the pause
    s = status(model)
    assert (s.output, s.measured_ma, s.target_ma) == (True, 0.0, 4.0)
    wait(model, clock, 4.5)  # t = 10.5 s: on again
    assert status(model).measured_ma == 4.0


def test_low_high_must_stay_ordered(model) -> None:
    ask(model, "SOUR1:FREQ:LOW 100", "SOUR1:FREQ:HIGH 2", "SOUR1:FREQ:HIGH 201")
    assert errors(model) == [
        '-221,"Settings conflict; LOW must be below HIGH"',
        '-221,"Settings conflict; LOW must be below HIGH"',
        '-222,"Data out of range"',
    ]
    assert ask(model, "SOUR1:FREQ:LOW?", "SOUR1:FREQ:HIGH?") == ["2", "100"]


def test_watchdog_fires_without_any_traffic(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 3")
    clock.advance(1.99)
    model.advance()
    assert model.channels[0].output
    clock.advance(0.01)
    model.advance()
    assert not model.channels[0].output and model.channels[0].target == 0
    assert errors(model) == ['103,"Watchdog expired"']


def test_watchdog_expiry_applies_before_a_late_line(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 3")
    clock.advance(30)
    s = status(model)  # the poll arrives after the deadline: the output went off at 2 s
    assert (s.output, s.measured_ma) == (False, 0.0)
    assert errors(model) == ['103,"Watchdog expired"']


def test_polling_feeds_the_watchdog_for_a_whole_session(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 3")
    for _ in range(30 * 60 * 5):
        clock.advance(0.2)
        status(model)
    assert status(model).measured_ma == 3.0
    assert errors(model) == []


def test_watchdog_settings(model, clock) -> None:
    ask(model, "SYST:WATC 0.3", "SYST:WATC 11", "SYST:WATC -1", "SYST:WATC 0.5")
    assert errors(model) == ['-222,"Data out of range"'] * 3
    assert one(model, "SYST:WATC?") == "0.5"
    ask(model, "SYST:WATC 0", "OUTP1 ON")
    clock.advance(600)
    assert status(model).output


def test_lead_off_mid_ramp(model, clock) -> None:
    ask(model, "OUTP2 ON", "SOUR2:CURR 4")
    wait(model, clock, 3)
    ask(model, "SIM:LEAD2 OFF")
    s = status(model, 2)
    assert (s.output, s.measured_ma, s.target_ma, s.lead_ok) == (False, 0.0, 0.0, False)
    assert one(model, "MEAS2:IMP?") == "9.91E37"
    assert one(model, "STAT:CHAN2?") == "0,0.00,0.0,9.91E37,OFF"
    ask(model, "OUTP2 ON")
    assert errors(model) == ['101,"Lead off; channel 2"', '-221,"Settings conflict; lead off on channel 2"']
    ask(model, "SIM:LEAD2 ON", "OUTP2 ON")
    assert status(model, 2).output and errors(model) == []


def test_lead_off_with_output_off_is_not_a_fault(model) -> None:
    ask(model, "SIM:LEAD3 OFF")
    assert errors(model) == []


def test_over_current_on_a_low_load(model, clock) -> None:
    ask(model, "SIM:IMP1 250", "OUTP1 ON", "SOUR1:CURR 3")
    s = status(model)
    assert (s.output, s.measured_ma, s.target_ma) == (False, 0.0, 0.0)
    assert errors(model) == ['102,"Over-current; channel 1"']


def test_load_dropping_mid_ramp_trips_and_300_ohm_does_not(model, clock) -> None:
    ask(model, "SIM:IMP2 300", "OUTP2 ON", "SOUR2:CURR 3", "OUTP1 ON", "SOUR1:CURR 3")
    clock.advance(1)
    assert errors(model) == []
    ask(model, "SIM:IMP1 100")
    assert not status(model, 1).output and status(model, 2).output
    assert errors(model) == ['102,"Over-current; channel 1"']
    wait(model, clock, 10)
    ask(model, "SIM:IMP2 100")  # steady at target: no upward step, no trip
    assert status(model, 2).output and errors(model) == []


def test_impedance_noise_is_small_and_seeded(clock) -> None:
    readings = []
    for seed in (7, 7, 8):
        model = SimulatedStimulator(clock, seed=seed)
        readings.append([float(one(model, "MEAS1:IMP?")) for _ in range(50)])
    assert readings[0] == readings[1] != readings[2]
    assert all(1470 <= r <= 1530 for r in readings[0]) and len(set(readings[0])) > 10


def test_freeze_drops_lines_and_keeps_outputs(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 3", "SIM:FRE 5")
    assert model.frozen
    for _ in range(9):
        clock.advance(0.5)
        assert ask(model, "STAT:CHAN1?", "ABOR") == []  # even ABORt is lost on a hung device
    clock.advance(0.6)  # 5.1 s: answering again, still stimulating
    assert not model.frozen
    s = status(model)
    assert s.output and s.measured_ma == 2.55
    assert errors(model) == []


def test_watchdog_restarts_after_a_freeze(model, clock) -> None:
    ask(model, "OUTP1 ON", "SIM:FRE 5")
    clock.advance(6.9)
    model.advance()
    assert model.channels[0].output
    clock.advance(0.1)  # 2 s after the freeze ended
    model.advance()
    assert not model.channels[0].output
    assert errors(model) == ['103,"Watchdog expired"']


def test_drop_then_disconnect_switches_off_and_queues_104(model, clock) -> None:
    ask(model, "OUTP1 ON", "SOUR1:CURR 2")
    assert model.feed(b"SIM:DROP\n*IDN?\n") == []
    assert model.take_drop() and not model.take_drop()
    model.disconnect()
    s = status(model)
    assert (s.output, s.target_ma) == (False, 0.0)
    assert errors(model) == ['104,"Host disconnected"']


def test_disconnect_with_outputs_off_queues_nothing_and_forgets_partial_line(model) -> None:
    model.feed(b"SOUR1:CU")
    model.disconnect()
    assert model.feed(b"RR 2\n") == []
    assert errors(model) == ['-113,"Undefined header"']


def test_reset_keeps_error_queue_and_simulated_load(model, clock) -> None:
    ask(model, "FOO", "SIM:LEAD2 OFF", "SIM:IMP1 800", "SOUR1:FREQ 50", "SYST:WATC 5", "OUTP1 ON")
    ask(model, "SOUR1:CURR 2")
    clock.advance(1)
    ask(model, "*RST")
    assert ask(model, "SOUR1:FREQ?", "SYST:WATC?", "OUTP1?", "SOUR1:CURR?") == ["2", "2", "0", "0.0"]
    assert status(model, 2).lead_ok is False
    assert 780 <= status(model, 1).impedance_ohm <= 820
    assert errors(model) == ['-113,"Undefined header"']
    ask(model, "FOO", "*CLS")
    assert errors(model) == []


def test_error_queue_overflow_replaces_the_newest(model) -> None:
    ask(model, *[f"SOUR1:CURR {20 + n}" for n in range(1, 20)])
    found = errors(model)
    assert len(found) == 16
    assert found[:15] == ['-222,"Data out of range"'] * 15
    assert found[15] == '-350,"Queue overflow"'


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"SOUR1:CURR 1\xe9\n", -101),
        (b"*IDN?\x00\n", -101),
        (b"SOUR1:CURR;OUTP ON\n", -102),
        (b"SOUR1:CURR 2mA\n", -104),
        (b"SOUR1:CURR abc\n", -104),
        (b"ABOR 1\n", -108),
        (b"*IDN? 1\n", -108),
        (b"SOUR1:FREQ\n", -109),
        (b"SOURC1:CURR 1\n", -113),
        (b"SOUR5:CURR 1\n", -114),
        (b"OUTP1 ON\n", None),  # fine on its own; used below with a set target
        (b"SOUR1:CURR 20.1\n", -222),
        (b"SOUR1:CURR -0.1\n", -222),
        (b"SOUR1:CURR 1E999\n", -222),
        (b"SOUR1:FREQ 0.5\n", -222),
        (b"SOUR1:PULS:WIDT 1001\n", -222),
        (b"SOUR1:CURR:SLEW 0.05\n", -222),
        (b"SIM:IMP1 -5\n", -222),
        (b"SIM:FRE 99999\n", -222),
        (b"X" * 300 + b"\n", -223),
        (b"OUTP1 MAYBE\n", -224),
        (b"SOUR1:FUNC BURST\n", -224),
        (b"SIM:LEAD1 2\n", -224),
    ],
)
def test_each_bad_line_queues_the_named_error_and_changes_nothing(model, line, code) -> None:
    before = ask(model, "SOUR1:CURR?", "SOUR1:FREQ?", "SOUR1:PULS:WIDT?", "SOUR1:CURR:SLEW?", "SOUR1:FUNC?")
    assert model.feed(line) == []
    found = [parse_error(e).code for e in errors(model)]
    assert found == ([] if code is None else [code])
    if code is not None:
        after = ask(model, "SOUR1:CURR?", "SOUR1:FREQ?", "SOUR1:PULS:WIDT?", "SOUR1:CURR:SLEW?", "SOUR1:FUNC?")
        assert after == before


def test_a_failing_query_gets_no_reply(model) -> None:
    assert ask(model, "MEAS9:CURR?", "*OPC?") == ["1"]
    assert errors(model) == ['-114,"Header suffix out of range"']


def transcript(seed: int) -> list[str]:
    """A scripted 30-minute session with a lead coming off and a watchdog gap, polled at 5 Hz."""
    clock = ManualClock()
    model = SimulatedStimulator(clock, seed=seed)
    out = ask(model, "SOUR1:FUNC DENS", "SOUR2:FUNC INT", "OUTP1 ON", "OUTP2 ON", "SOUR1:CURR 3", "SOUR2:CURR 5")
    for tick in range(30 * 60 * 5):
        clock.advance(0.2)
        if tick == 4000:
            out += ask(model, "SIM:LEAD2 OFF")
        if 6000 <= tick < 6020:
            continue  # the host stalls 4 s
        out += ask(model, "STAT:CHAN1?", "STAT:CHAN2?", "MEAS1:IMP?")
    return out + errors(model)


def test_thirty_simulated_minutes_in_milliseconds_repeatable_for_a_seed() -> None:
    started = time.perf_counter()
    first = transcript(3)
    elapsed = time.perf_counter() - started
    assert first == transcript(3)
    assert first != transcript(4)
    assert first[-2:] == ['101,"Lead off; channel 2"', '103,"Watchdog expired"']
    assert first[-5].startswith("0,0.00,0.0,") and first[-4].endswith(",OFF")  # both off, lead 2 off
    assert elapsed < 5.0


def test_result_does_not_depend_on_how_often_time_is_read() -> None:
    fine_clock, coarse_clock = ManualClock(), ManualClock()
    fine, coarse = SimulatedStimulator(fine_clock), SimulatedStimulator(coarse_clock)
    for model in (fine, coarse):
        ask(model, "SYST:WATC 0", "SOUR1:CURR:SLEW 0.3", "OUTP1 ON", "SOUR1:CURR 7.3")
    for _ in range(1234):
        fine_clock.advance(0.01)
        fine.advance()
    coarse_clock.advance(12.34)
    assert one(fine, "MEAS1:CURR?") == one(coarse, "MEAS1:CURR?") == "3.70"


def test_thirty_quiet_minutes_take_milliseconds(clock: ManualClock) -> None:
    model = SimulatedStimulator(clock, seed=9)
    ask(model, "SYST:WATC 0", "SOUR1:FUNC INT", "OUTP1 ON", "SOUR1:CURR 2")
    started = time.perf_counter()
    pulsing = 0
    for _ in range(30 * 60):
        clock.advance(1)
        pulsing += float(one(model, "MEAS1:CURR?")) > 0
    assert time.perf_counter() - started < 0.5
    assert pulsing == 900  # intermittent: on half of the time, for the whole half hour
