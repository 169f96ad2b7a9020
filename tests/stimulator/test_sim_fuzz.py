"""Arbitrary bytes never break the simulated stimulator: it answers per the protocol and keeps running."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurotimer.session.clock import ManualClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.protocol import ERROR_QUEUE_SIZE, parse_error

TOKENS = [
    b"SOUR", b"SOURce", b"source", b"OUTP", b"OUTPut", b"STAT", b"STATe", b"CHAN", b"MEAS", b"CURR", b"SLEW",
    b"SYST", b"ERR", b"NEXT", b"WATC", b"LIM", b"*IDN", b"*RST", b"*CLS", b"*OPC", b"ABOR", b"SIM", b"LEAD",
    b"IMP", b"FREQ", b"LOW", b"HIGH", b"FUNC", b"DENS", b"INT", b"CONT", b"PULS", b"WIDT", b"ON", b"OFF",
    b":", b"?", b" ", b"  ", b"1", b"2", b"4", b"9", b"0", b"-", b"+", b".", b"E", b"e5", b"300", b"20.05",
    b"\r", b"\xff", b"\t", b"\x00", b";", b",", b'"',
]  # fmt: skip

VALID_QUERIES = [
    b"*IDN?", b"*OPC?", b"SYST:ERR?", b"SYST:CHAN?", b"SYST:LIM?", b"SYST:WATC?", b"SOUR2:FUNC?",
    b"SOUR3:FREQ:LOW?", b"SOUR4:PULS:WIDT?", b"SOUR1:CURR?", b"SOUR1:CURR:SLEW?", b"OUTP3?", b"OUTP1:STAT?",
    b"MEAS2:CURR?", b"MEAS4:IMP?", b"STAT:CHAN1?", b"syst:err:next?", b"stat:chan4?",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(TOKENS), max_size=12).map(b"".join)
garbage_line = st.one_of(token_soup, st.binary(max_size=40), st.binary(min_size=250, max_size=600))


def printable(line: str) -> bool:
    return all(0x20 <= ord(c) <= 0x7E for c in line)


def recover(model: SimulatedStimulator, clock: ManualClock) -> None:
    """Ends whatever fault injection the bytes asked for (a drop, a freeze), as a host would see it end."""
    if model.take_drop():
        model.disconnect()
    clock.advance(3601)
    model.advance()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(st.one_of(st.binary(max_size=300), token_soup), max_size=12), gaps=st.integers(0, 3))
def test_arbitrary_bytes_never_break_it(chunks: list[bytes], gaps: int) -> None:
    clock = ManualClock()
    model = SimulatedStimulator(clock, seed=0)
    lines_sent = 0
    for chunk in chunks:
        replies = model.feed(chunk)
        lines_sent += chunk.count(b"\n")
        assert all(isinstance(r, str) and printable(r) and r for r in replies)
        assert len(model.errors) <= ERROR_QUEUE_SIZE
        clock.advance(gaps * 0.7)
        model.advance()
        for ch in model.channels:
            assert 0.0 <= ch.delivered(clock.now()) <= 20.0 and 0.0 <= ch.target <= 20.0
            assert ch.output or ch.delivered(clock.now()) == 0.0
    recover(model, clock)
    # End any partial line (it may complete a valid query, whose reply is not checked here); then the
    # device still answers a fresh line, and its queue reads cleanly.
    model.feed(b"\n")
    assert model.feed(b"*IDN?\n") == ["NeuroTimer,SIM-4,SIM000001,0.1.0"]
    for _ in range(ERROR_QUEUE_SIZE + 1):
        parse_error(model.feed(b"SYST:ERR?\n")[0])
    assert model.feed(b"SYST:ERR?\n") == ['0,"No error"']


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(garbage_line, st.sampled_from(VALID_QUERIES)), min_size=1, max_size=25))
def test_every_line_gets_at_most_one_reply_and_valid_queries_exactly_one(lines: list[bytes]) -> None:
    clock = ManualClock()
    model = SimulatedStimulator(clock, seed=0)
    for line in lines:
        if model.frozen or b"\n" in line:
            recover(model, clock)
            continue
        replies = model.handle_line(line + b"\n")
        assert len(replies) <= 1
        if line in VALID_QUERIES:
            assert len(replies) == 1 and printable(replies[0])
        if model.take_drop():
            model.disconnect()
        clock.advance(0.1)
