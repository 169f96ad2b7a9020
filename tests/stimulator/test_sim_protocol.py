"""The shared NTS-1 protocol module: line parsing, keywords, numbers and the reply formats."""

from __future__ import annotations

import pytest

from neurotimer.stimulator.protocol import (
    COMMANDS,
    DEFAULT_LIMITS,
    ChannelStatus,
    Command,
    ErrorCode,
    ErrorEntry,
    Identity,
    Limits,
    LineSplitter,
    Mode,
    ReplyError,
    ScpiError,
    format_current,
    format_error,
    format_idn,
    format_limits,
    format_measured,
    format_number,
    format_status,
    keyword_matches,
    parse_bool,
    parse_error,
    parse_idn,
    parse_limits,
    parse_line,
    parse_mode,
    parse_number,
    parse_status,
    query_line,
    round_current,
    setting_line,
)


def code_of(line: bytes, channels: int = 4) -> int:
    with pytest.raises(ScpiError) as caught:
        parse_line(line, channels)
    return caught.value.code


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"SOURce1:CURRent 2.5", Command("CURRENT", 1, False, "2.5")),
        (b"SOUR1:CURR 2.5", Command("CURRENT", 1, False, "2.5")),
        (b"source1:current 2.5", Command("CURRENT", 1, False, "2.5")),
        (b"sour:curr 2.5\r\n", Command("CURRENT", 1, False, "2.5")),
        (b"SOUR3:CURR:SLEW?", Command("SLEW", 3, True, None)),
        (b"OUTP2 ON", Command("OUTPUT", 2, False, "ON")),
        (b"OUTPut2:STATe off", Command("OUTPUT", 2, False, "off")),
        (b"OUTP4:STAT?", Command("OUTPUT", 4, True, None)),
        (b"SYST:ERR?", Command("ERROR", 1, True, None)),
        (b"SYSTem:ERRor:NEXT?", Command("ERROR", 1, True, None)),
        (b"STAT:CHAN3?", Command("STATUS", 3, True, None)),
        (b"*idn?", Command("IDN", 1, True, None)),
        (b"  SOUR:FREQ:LOW   3  ", Command("FREQ_LOW", 1, False, "3")),
        (b":SIM:FRE 2", Command("SIM_FREEZE", 1, False, "2")),
    ],
)
def test_short_long_and_optional_forms_are_one_command(line: bytes, expected: Command) -> None:
    assert parse_line(line, 4) == expected


def test_blank_line_is_nothing() -> None:
    assert parse_line(b"\r\n", 4) is None


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"SOURC1:CURR 1", ErrorCode.UNDEFINED_HEADER),  # neither short nor long form
        (b"SOURCES1:CURR 1", ErrorCode.UNDEFINED_HEADER),
        (b"SOUR1:CURRE 1", ErrorCode.UNDEFINED_HEADER),
        (b"FOO?", ErrorCode.UNDEFINED_HEADER),
        (b"SYST2:ERR?", ErrorCode.UNDEFINED_HEADER),  # suffix where none is defined
        (b"*RST?", ErrorCode.UNDEFINED_HEADER),  # setting-only header as a query
        (b"MEAS:CURR 1", ErrorCode.UNDEFINED_HEADER),  # query-only header as a setting
        (b"SOUR5:CURR 1", ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
        (b"SOUR0:CURR 1", ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
        (b"SOUR1:CURR", ErrorCode.MISSING_PARAMETER),
        (b"SOUR1:CURR? 1", ErrorCode.PARAMETER_NOT_ALLOWED),
        (b"*IDN? x", ErrorCode.PARAMETER_NOT_ALLOWED),
        (b"ABOR now", ErrorCode.PARAMETER_NOT_ALLOWED),
        (b"SOUR1:CURR 1 2", ErrorCode.PARAMETER_NOT_ALLOWED),
        (b"SOUR1:CURR;OUTP ON", ErrorCode.SYNTAX_ERROR),
        (b"SOUR1::CURR 1", ErrorCode.SYNTAX_ERROR),
        (b"1SOUR:CURR 1", ErrorCode.SYNTAX_ERROR),
        (b"SOUR?:CURR 1", ErrorCode.SYNTAX_ERROR),
        (b"SOUR1:CURR\t1", ErrorCode.INVALID_CHARACTER),
        (b"SOUR1:CURR 1\xb5", ErrorCode.INVALID_CHARACTER),
        (b"*IDN?\r\r", ErrorCode.INVALID_CHARACTER),
        (b"X" * 257, ErrorCode.TOO_MUCH_DATA),
        (b"\xff" * 300, ErrorCode.TOO_MUCH_DATA),  # length is judged first: the line is discarded whole
    ],
)
def test_refused_lines_name_the_protocol_error(line: bytes, code: ErrorCode) -> None:
    assert code_of(line) == code


def test_line_of_exactly_256_bytes_is_read() -> None:
    line = b"SOUR1:CURR " + b" " * (256 - 13) + b"1"
    assert len(line) == 255
    assert parse_line(line + b" " + b"\r\n", 4) == Command("CURRENT", 1, False, "1")


def test_suffix_limit_follows_channel_count() -> None:
    assert parse_line(b"SOUR8:CURR 1", 8).channel == 8
    assert code_of(b"SOUR8:CURR 1", 4) == ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE


def test_keyword_forms() -> None:
    assert keyword_matches("freq", "FREQuency")
    assert keyword_matches("FREQUENCY", "FREQuency")
    assert not keyword_matches("FREQU", "FREQuency")
    assert keyword_matches("low", "LOW")


@pytest.mark.parametrize(("text", "value"), [("2", 2.0), ("2.5", 2.5), ("2.5E1", 25.0), ("-.5", -0.5), ("+3.", 3.0)])
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,5", "0x10", "inf", "nan", "1e", "2mA", "--1"])
def test_malformed_numbers_are_data_type_errors(text: str) -> None:
    with pytest.raises(ScpiError) as caught:
        parse_number(text)
    assert caught.value.code == ErrorCode.DATA_TYPE_ERROR


def test_current_rounds_to_tenth_and_numbers_are_plain_decimals() -> None:
    assert round_current(2.25) == 2.3
    assert round_current(2.24) == 2.2
    assert format_current(3) == "3.0"
    assert format_measured(2.956) == "2.96"
    assert format_number(100.0) == "100"
    assert format_number(1e-5) == "0.00001"
    assert format_number(-0.0, 1) == "0.0"


def test_words() -> None:
    assert parse_bool("on") is True
    assert parse_bool("0") is False
    assert parse_mode("dens") is Mode.DENS
    assert parse_mode("Intermittent") is Mode.INT
    for word in ("YES", "2", "CONTIN"):
        with pytest.raises(ScpiError) as caught:
            parse_mode(word) if word == "CONTIN" else parse_bool(word)
        assert caught.value.code == ErrorCode.ILLEGAL_PARAMETER_VALUE


def test_status_round_trip_and_open_lead() -> None:
    status = ChannelStatus(output=True, measured_ma=2.95, target_ma=3.0, impedance_ohm=1512.0, lead_ok=True)
    assert format_status(status) == "1,2.95,3.0,1512,OK"
    assert parse_status("1,2.95,3.0,1512,OK") == status
    off = parse_status("0,0.00,0.0,9.91E37,OFF")
    assert not off.lead_ok and off.impedance_ohm == pytest.approx(9.91e37)


@pytest.mark.parametrize("line", ["", "1,2,3,4", "2,0,0,1500,OK", "1,x,0,1500,OK", "1,0,0,1500,MAYBE"])
def test_bad_status_replies_are_refused(line: str) -> None:
    with pytest.raises(ReplyError):
        parse_status(line)


def test_errors_limits_identity() -> None:
    entry = ErrorEntry.of(ErrorCode.LEAD_OFF, "channel 2")
    assert format_error(entry) == '101,"Lead off; channel 2"'
    assert parse_error('101,"Lead off; channel 2"') == (101, "Lead off; channel 2")
    assert parse_error('0,"No error"').kind is ErrorCode.NO_ERROR
    assert parse_error('-999,"Vendor thing"').kind is None
    with pytest.raises(ReplyError):
        parse_error("garbage")
    text = format_limits(DEFAULT_LIMITS)
    assert text == "freq=1..200,width=50..1000,current=0..20,slew=0.1..2"
    assert parse_limits(text) == DEFAULT_LIMITS
    assert parse_limits("slew=0.2..1,current=0..10,width=100..500,freq=2..50,extra=1..2") == Limits(
        freq=(2, 50), width=(100, 500), current=(0, 10), slew=(0.2, 1)
    )
    with pytest.raises(ReplyError):
        parse_limits("freq=1..200")
    ident = Identity("NeuroTimer", "SIM-4", "SIM000001", "0.1.0")
    assert parse_idn(format_idn(ident)) == ident
    with pytest.raises(ReplyError):
        parse_idn("hello")
    assert ErrorCode.QUEUE_OVERFLOW.text == "Queue overflow"


def test_splitter_bounds_long_lines_and_keeps_partial_ones() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"*IDN?\r\nSOUR1:") == [b"*IDN?\r"]
    assert splitter.feed(b"CURR 1\n") == [b"SOUR1:CURR 1"]
    lines = splitter.feed(b"A" * 100_000 + b"\n*OPC?\n")
    assert len(lines[0]) > 257 and code_of(lines[0]) == ErrorCode.TOO_MUCH_DATA
    assert lines[1] == b"*OPC?"


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda spec: spec.name)
def test_lines_the_host_spells_from_the_table_are_the_lines_the_device_reads(spec) -> None:
    channel = 3 if "#" in spec.pattern else None
    parameter = "1" if spec.takes_parameter else None
    if spec.query:
        assert parse_line(query_line(spec.name, channel).encode(), 4) == Command(spec.name, channel or 1, True, None)
    if spec.setting:
        line = setting_line(spec.name, channel, parameter)
        assert parse_line(line.encode(), 4) == Command(spec.name, channel or 1, False, parameter)


def test_spelled_lines_use_the_long_form_without_optional_parts() -> None:
    assert setting_line("OUTPUT", 2, "ON") == "OUTPut2 ON"
    assert query_line("ERROR") == "SYSTem:ERRor?"
    assert query_line("STATUS", 4) == "STATus:CHANnel4?"


@pytest.mark.parametrize(
    "spell",
    [
        lambda: query_line("ABORT"),  # not a query
        lambda: setting_line("ERROR"),  # not a setting
        lambda: setting_line("CURRENT", 1),  # lacks its value
        lambda: setting_line("CURRENT", None, "2"),  # lacks its channel
        lambda: setting_line("ABORT", parameter="1"),  # takes no value
    ],
)
def test_a_line_the_table_does_not_allow_is_never_spelled(spell) -> None:
    with pytest.raises(ValueError):
        spell()
