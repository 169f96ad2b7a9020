"""NTS-1 wire protocol, shared by the driver (host side) and the simulated stimulator (device side).

The contract is ../shared/stimulator-protocol.md; this module is its executable form. Nothing here does
I/O. Public names (stable; the driver imports them):

Data
    LINE_MAX (256), ERROR_QUEUE_SIZE (16), IMPEDANCE_OPEN (9.91E37, what a lead-off channel reads),
    DEFAULT_LIMITS (a Limits), DEFAULTS (a ChannelDefaults), DEFAULT_WATCHDOG_S, WATCHDOG_RANGE,
    Mode (CONT / DENS / INT), ErrorCode (every error number with its text).
Replies (format_* for the device, parse_* for the host; parse_* raise ReplyError, a ValueError)
    format_status / parse_status  `STATus:CHANnel<n>?`  <-> ChannelStatus
    format_error / parse_error    `SYSTem:ERRor?`       <-> ErrorEntry(code, text)
    format_limits / parse_limits  `SYSTem:LIMits?`      <-> Limits
    format_idn / parse_idn        `*IDN?`               <-> Identity
    parse_bool_reply, parse_mode_reply, parse_number_reply, format_number, format_current,
    format_measured, format_impedance.
Commands
    COMMANDS, the command table both sides read. Host side: query_line / setting_line spell a line
    from it, encode_line puts it on the wire. Device side: parse_line(raw, channels) -> Command | None,
    raising ScpiError(code) for a line the device refuses; parse_number, parse_bool, parse_mode,
    round_current, keyword_matches, LineSplitter.
(The simulated device's own physics, its load, noise and mode timings, live in channel.py and device.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import NamedTuple

LINE_MAX = 256
ERROR_QUEUE_SIZE = 16
IMPEDANCE_OPEN = 9.91e37
IMPEDANCE_OPEN_TEXT = "9.91E37"

DEFAULT_WATCHDOG_S = 2.0
WATCHDOG_DISABLED = 0.0
WATCHDOG_RANGE = (0.5, 10.0)


class Mode(StrEnum):
    """Waveform modes, valued by their reply words."""

    CONT = "CONT"
    DENS = "DENS"
    INT = "INT"


MODE_KEYWORDS = {"CONTinuous": Mode.CONT, "DENSe": Mode.DENS, "INTermittent": Mode.INT}


class ErrorCode(IntEnum):
    """SCPI error numbers the device queues (negative: standard; positive: device faults)."""

    NO_ERROR = 0
    INVALID_CHARACTER = -101
    SYNTAX_ERROR = -102
    DATA_TYPE_ERROR = -104
    PARAMETER_NOT_ALLOWED = -108
    MISSING_PARAMETER = -109
    UNDEFINED_HEADER = -113
    HEADER_SUFFIX_OUT_OF_RANGE = -114
    SETTINGS_CONFLICT = -221
    DATA_OUT_OF_RANGE = -222
    TOO_MUCH_DATA = -223
    ILLEGAL_PARAMETER_VALUE = -224
    QUEUE_OVERFLOW = -350
    LEAD_OFF = 101
    OVER_CURRENT = 102
    WATCHDOG_EXPIRED = 103
    HOST_DISCONNECTED = 104

    @property
    def text(self) -> str:
        return ERROR_TEXT[self]


ERROR_TEXT: dict[ErrorCode, str] = {
    ErrorCode.NO_ERROR: "No error",
    ErrorCode.INVALID_CHARACTER: "Invalid character",
    ErrorCode.SYNTAX_ERROR: "Syntax error",
    ErrorCode.DATA_TYPE_ERROR: "Data type error",
    ErrorCode.PARAMETER_NOT_ALLOWED: "Parameter not allowed",
    ErrorCode.MISSING_PARAMETER: "Missing parameter",
    ErrorCode.UNDEFINED_HEADER: "Undefined header",
    ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE: "Header suffix out of range",
    ErrorCode.SETTINGS_CONFLICT: "Settings conflict",
    ErrorCode.DATA_OUT_OF_RANGE: "Data out of range",
    ErrorCode.TOO_MUCH_DATA: "Too much data",
    ErrorCode.ILLEGAL_PARAMETER_VALUE: "Illegal parameter value",
    ErrorCode.QUEUE_OVERFLOW: "Queue overflow",
    ErrorCode.LEAD_OFF: "Lead off",
    ErrorCode.OVER_CURRENT: "Over-current",
    ErrorCode.WATCHDOG_EXPIRED: "Watchdog expired",
    ErrorCode.HOST_DISCONNECTED: "Host disconnected",
}


class ErrorEntry(NamedTuple):
    """One entry of the device's error queue, e.g. (101, 'Lead off; channel 2')."""

    code: int
    text: str

    @classmethod
    def of(cls, code: ErrorCode, detail: str | None = None) -> ErrorEntry:
        """The entry for a code, its standard text followed by `; detail` when given."""
        return cls(int(code), f"{code.text}; {detail}" if detail else code.text)

    @property
    def kind(self) -> ErrorCode | None:
        """The known error number, or None for a code this protocol version does not name."""
        try:
            return ErrorCode(self.code)
        except ValueError:
            return None


NO_ERROR = ErrorEntry.of(ErrorCode.NO_ERROR)


class ScpiError(Exception):
    """A line or setting the device refuses; carries the entry it queues."""

    def __init__(self, code: ErrorCode, detail: str | None = None) -> None:
        self.entry = ErrorEntry.of(code, detail)
        super().__init__(f"{self.entry.code},{self.entry.text}")

    @property
    def code(self) -> ErrorCode:
        return ErrorCode(self.entry.code)


class ReplyError(ValueError):
    """A reply line the host cannot make sense of."""


@dataclass(frozen=True)
class Limits:
    """The device's ranges (min, max) as `SYSTem:LIMits?` reports them: Hz, microseconds, mA, mA/s."""

    freq: tuple[float, float]
    width: tuple[float, float]
    current: tuple[float, float]
    slew: tuple[float, float]


DEFAULT_LIMITS = Limits(freq=(1.0, 200.0), width=(50.0, 1000.0), current=(0.0, 20.0), slew=(0.1, 2.0))


@dataclass(frozen=True)
class ChannelDefaults:
    """A channel's settings at power-up and after `*RST`."""

    mode: Mode = Mode.CONT
    freq: float = 2.0
    freq_low: float = 2.0
    freq_high: float = 100.0
    width_us: float = 300.0
    current_ma: float = 0.0
    slew: float = 0.5


DEFAULTS = ChannelDefaults()


@dataclass(frozen=True)
class ChannelStatus:
    """One `STATus:CHANnel<n>?` reply: output on, delivered and target mA, load ohms, lead attached."""

    output: bool
    measured_ma: float
    target_ma: float
    impedance_ohm: float
    lead_ok: bool


@dataclass(frozen=True)
class Identity:
    """The `*IDN?` reply."""

    maker: str
    model: str
    serial: str
    firmware: str


# --- numbers and words -------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> float:
    """A decimal with optional sign and exponent; anything else is -104. Huge exponents give inf."""
    if not _NUMBER_RE.fullmatch(text):
        raise ScpiError(ErrorCode.DATA_TYPE_ERROR)
    return float(text)


def round_current(ma: float) -> float:
    """Rounds to the nearest 0.1 mA, halves away from zero (2.25 -> 2.3)."""
    return float(Decimal(repr(float(ma))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_number(value: float, places: int | None = None) -> str:
    """A plain decimal (never an exponent): fixed `places`, or the shortest exact form (2, 2.5)."""
    value = float(value)
    text = _exact_decimal(value) if places is None else f"{value:.{places}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def _exact_decimal(value: float) -> str:
    return format(Decimal(repr(value)).normalize(), "f")


def format_current(ma: float) -> str:
    """A target current: 0.1 mA resolution."""
    return format_number(round_current(ma), 1)


def format_measured(ma: float) -> str:
    """A delivered current: 2 decimals."""
    return format_number(ma, 2)


def format_impedance(ohm: float) -> str:
    """Whole ohms, or 9.91E37 for an open lead."""
    if ohm >= IMPEDANCE_OPEN:
        return IMPEDANCE_OPEN_TEXT
    return format_number(round(ohm), 0)


def keyword_matches(word: str, spelled: str) -> bool:
    """True if `word` is the short (upper-case part) or long form of `spelled`, in any case."""
    short = re.match(r"[A-Z*]*", spelled).group(0) or spelled
    return word.upper() in (short.upper(), spelled.upper())


_BOOLEAN_WORDS = {"ON": True, "1": True, "OFF": False, "0": False}


def parse_bool(word: str) -> bool:
    """ON|OFF|1|0 in any case; anything else is -224."""
    try:
        return _BOOLEAN_WORDS[word.upper()]
    except KeyError:
        raise ScpiError(ErrorCode.ILLEGAL_PARAMETER_VALUE) from None


def parse_mode(word: str) -> Mode:
    """CONTinuous|DENSe|INTermittent in short or long form, any case; anything else is -224."""
    for spelled, mode in MODE_KEYWORDS.items():
        if keyword_matches(word, spelled):
            return mode
    raise ScpiError(ErrorCode.ILLEGAL_PARAMETER_VALUE)


# --- reply formats -----------------------------------------------------------------------------


def format_error(entry: ErrorEntry) -> str:
    return f'{entry.code},"{entry.text}"'


_ERROR_RE = re.compile(r'\s*([+-]?\d+)\s*,\s*"(.*)"\s*')


def parse_error(line: str) -> ErrorEntry:
    """`-222,"Data out of range"` -> ErrorEntry(-222, 'Data out of range')."""
    match = _ERROR_RE.fullmatch(line)
    if not match:
        raise ReplyError(f"not an error-queue reply: {line!r}")
    return ErrorEntry(int(match.group(1)), match.group(2))


def format_status(status: ChannelStatus) -> str:
    return ",".join(
        (
            "1" if status.output else "0",
            format_measured(status.measured_ma),
            format_current(status.target_ma),
            format_impedance(status.impedance_ohm),
            "OK" if status.lead_ok else "OFF",
        )
    )


def _reply_number(text: str, line: str) -> float:
    try:
        return parse_number(text.strip())
    except ScpiError:
        raise ReplyError(f"not a number {text!r} in {line!r}") from None


def parse_status(line: str) -> ChannelStatus:
    """`1,2.95,3.0,1512,OK` -> ChannelStatus(True, 2.95, 3.0, 1512.0, True)."""
    fields = line.strip().split(",")
    if len(fields) != 5:
        raise ReplyError(f"a status reply has 5 fields: {line!r}")
    out, measured, target, impedance, lead = (f.strip() for f in fields)
    if out not in ("0", "1") or lead.upper() not in ("OK", "OFF"):
        raise ReplyError(f"not a status reply: {line!r}")
    return ChannelStatus(
        output=out == "1",
        measured_ma=_reply_number(measured, line),
        target_ma=_reply_number(target, line),
        impedance_ohm=_reply_number(impedance, line),
        lead_ok=lead.upper() == "OK",
    )


_LIMIT_KEYS = ("freq", "width", "current", "slew")


def format_limits(limits: Limits) -> str:
    return ",".join(
        f"{key}={format_number(low)}..{format_number(high)}"
        for key, (low, high) in ((k, getattr(limits, k)) for k in _LIMIT_KEYS)
    )


def parse_limits(line: str) -> Limits:
    """`freq=1..200,width=50..1000,current=0..20,slew=0.1..2` -> Limits; unknown keys are ignored."""
    found: dict[str, tuple[float, float]] = {}
    for item in line.strip().split(","):
        key, sep, span = item.partition("=")
        low, dots, high = span.partition("..")
        if not sep or not dots:
            raise ReplyError(f"not a limits reply: {line!r}")
        pair = (_reply_number(low, line), _reply_number(high, line))
        if pair[0] > pair[1]:
            raise ReplyError(f"empty range for {key.strip()} in {line!r}")
        found[key.strip().lower()] = pair
    missing = [k for k in _LIMIT_KEYS if k not in found]
    if missing:
        raise ReplyError(f"limits reply lacks {', '.join(missing)}: {line!r}")
    return Limits(**{k: found[k] for k in _LIMIT_KEYS})


def format_idn(identity: Identity) -> str:
    return ",".join((identity.maker, identity.model, identity.serial, identity.firmware))


def parse_idn(line: str) -> Identity:
    """`NeuroTimer,SIM-4,SIM000001,0.1.0` -> Identity."""
    fields = [f.strip() for f in line.strip().split(",")]
    if len(fields) != 4 or not fields[0] or not fields[1]:
        raise ReplyError(f"not an identity reply: {line!r}")
    return Identity(*fields)


def parse_bool_reply(line: str) -> bool:
    text = line.strip()
    if text not in ("0", "1"):
        raise ReplyError(f"not a 1/0 reply: {line!r}")
    return text == "1"


def parse_mode_reply(line: str) -> Mode:
    try:
        return Mode(line.strip().upper())
    except ValueError:
        raise ReplyError(f"not a mode reply: {line!r}") from None


def parse_number_reply(line: str) -> float:
    return _reply_number(line, line)


# --- command lines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandSpec:
    """One header of the command set: `name` identifies it, `pattern` spells it (# = channel suffix)."""

    name: str
    pattern: str
    query: bool
    setting: bool
    takes_parameter: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("IDN", "*IDN", query=True, setting=False),
    CommandSpec("RST", "*RST", query=False, setting=True),
    CommandSpec("CLS", "*CLS", query=False, setting=True),
    CommandSpec("OPC", "*OPC", query=True, setting=False),
    CommandSpec("ERROR", "SYSTem:ERRor[:NEXT]", query=True, setting=False),
    CommandSpec("CHANNELS", "SYSTem:CHANnels", query=True, setting=False),
    CommandSpec("LIMITS", "SYSTem:LIMits", query=True, setting=False),
    CommandSpec("WATCHDOG", "SYSTem:WATChdog", query=True, setting=True, takes_parameter=True),
    CommandSpec("FUNCTION", "SOURce#:FUNCtion", query=True, setting=True, takes_parameter=True),
    CommandSpec("FREQ", "SOURce#:FREQuency", query=True, setting=True, takes_parameter=True),
    CommandSpec("FREQ_LOW", "SOURce#:FREQuency:LOW", query=True, setting=True, takes_parameter=True),
    CommandSpec("FREQ_HIGH", "SOURce#:FREQuency:HIGH", query=True, setting=True, takes_parameter=True),
    CommandSpec("WIDTH", "SOURce#:PULSe:WIDTh", query=True, setting=True, takes_parameter=True),
    CommandSpec("CURRENT", "SOURce#:CURRent", query=True, setting=True, takes_parameter=True),
    CommandSpec("SLEW", "SOURce#:CURRent:SLEW", query=True, setting=True, takes_parameter=True),
    CommandSpec("OUTPUT", "OUTPut#[:STATe]", query=True, setting=True, takes_parameter=True),
    CommandSpec("ABORT", "ABORt", query=False, setting=True),
    CommandSpec("MEAS_CURRENT", "MEASure#:CURRent", query=True, setting=False),
    CommandSpec("MEAS_IMPEDANCE", "MEASure#:IMPedance", query=True, setting=False),
    CommandSpec("STATUS", "STATus:CHANnel#", query=True, setting=False),
    CommandSpec("SIM_LEAD", "SIMulate:LEAD#", query=False, setting=True, takes_parameter=True),
    CommandSpec("SIM_IMPEDANCE", "SIMulate:IMPedance#", query=False, setting=True, takes_parameter=True),
    CommandSpec("SIM_DROP", "SIMulate:DROP", query=False, setting=True),
    CommandSpec("SIM_FREEZE", "SIMulate:FREeze", query=False, setting=True, takes_parameter=True),
)


@dataclass(frozen=True)
class Command:
    """A parsed line: which header, its channel (1 when it takes none), query or setting, parameter."""

    name: str
    channel: int
    query: bool
    parameter: str | None


class _Node(NamedTuple):
    keyword: str
    suffix: bool
    optional: bool


def _compile(pattern: str) -> tuple[_Node, ...]:
    nodes = []
    for match in re.finditer(r"(\[)?:?([A-Za-z*]+)(#)?\]?", pattern):
        nodes.append(_Node(match.group(2), bool(match.group(3)), bool(match.group(1))))
    return tuple(nodes)


_COMPILED = tuple((spec, _compile(spec.pattern)) for spec in COMMANDS)
_SPECS = {spec.name: spec for spec in COMMANDS}


def _header(spec: CommandSpec, channel: int | None) -> str:
    """The header as the host spells it: long form, optional parts left out, `#` the channel number."""
    header = re.sub(r"\[[^\]]*\]", "", spec.pattern)
    if ("#" in header) != (channel is not None):
        raise ValueError(f"{spec.name} {'needs' if '#' in header else 'takes no'} channel")
    return header.replace("#", str(channel)) if channel is not None else header


def query_line(name: str, channel: int | None = None) -> str:
    """The query of table entry `name`: query_line("STATUS", 2) -> 'STATus:CHANnel2?'."""
    spec = _SPECS[name]
    if not spec.query:
        raise ValueError(f"{name} is not a query")
    return _header(spec, channel) + "?"


def setting_line(name: str, channel: int | None = None, parameter: str | None = None) -> str:
    """The setting of table entry `name`: setting_line("CURRENT", 1, "2.5") -> 'SOURce1:CURRent 2.5'."""
    spec = _SPECS[name]
    if not spec.setting or spec.takes_parameter != (parameter is not None):
        raise ValueError(f"{name} is not a setting with{'' if parameter is not None else 'out'} a parameter")
    header = _header(spec, channel)
    return header if parameter is None else f"{header} {parameter}"
_HEADER_RE = re.compile(r":?(?:\*[A-Za-z]+|[A-Za-z]+[0-9]*(?::[A-Za-z]+[0-9]*)*)\??")
_PART_RE = re.compile(r"([A-Za-z*]+)([0-9]*)")


def _match(parts: list[tuple[str, str]], nodes: tuple[_Node, ...]) -> str | bool:
    """The suffix text ('' if none) when the header parts spell the nodes, else False."""
    if not nodes:
        return "" if not parts else False
    node = nodes[0]
    if node.optional:
        skipped = _match(parts, nodes[1:])
        if skipped is not False:
            return skipped
    if not parts:
        return False
    word, digits = parts[0]
    if not keyword_matches(word, node.keyword) or (digits and not node.suffix):
        return False
    rest = _match(parts[1:], nodes[1:])
    if rest is False:
        return False
    return digits or rest


def parse_line(raw: bytes, channels: int) -> Command | None:
    """Parses one line (LF and a CR before it optional); None for a blank line; ScpiError if refused."""
    return _parse_cached(bytes(raw), channels) if len(raw) <= LINE_MAX else _parse(raw, channels)


@lru_cache(maxsize=1024)
def _parse_cached(raw: bytes, channels: int) -> Command | None:
    # A host polls the same few lines thousands of times; refusals raise and are never cached.
    return _parse(raw, channels)


def _parse(raw: bytes, channels: int) -> Command | None:
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > LINE_MAX:
        raise ScpiError(ErrorCode.TOO_MUCH_DATA)
    if any(b < 0x20 or b > 0x7E for b in raw):
        raise ScpiError(ErrorCode.INVALID_CHARACTER)
    tokens = raw.decode("ascii").split()
    if not tokens:
        return None
    header, params = tokens[0], tokens[1:]
    if not _HEADER_RE.fullmatch(header):
        raise ScpiError(ErrorCode.SYNTAX_ERROR)
    query = header.endswith("?")
    parts = [
        (m.group(1), m.group(2)) for m in (_PART_RE.fullmatch(p) for p in header.rstrip("?").lstrip(":").split(":"))
    ]
    for spec, nodes in _COMPILED:
        suffix = _match(parts, nodes)
        if suffix is False:
            continue
        if (query and not spec.query) or (not query and not spec.setting):
            raise ScpiError(ErrorCode.UNDEFINED_HEADER)
        channel = int(suffix) if suffix else 1
        if not 1 <= channel <= channels:
            raise ScpiError(ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE)
        if query or not spec.takes_parameter:
            if params:
                raise ScpiError(ErrorCode.PARAMETER_NOT_ALLOWED)
            return Command(spec.name, channel, query, None)
        if not params:
            raise ScpiError(ErrorCode.MISSING_PARAMETER)
        if len(params) > 1:
            raise ScpiError(ErrorCode.PARAMETER_NOT_ALLOWED)
        return Command(spec.name, channel, query, params[0])
    raise ScpiError(ErrorCode.UNDEFINED_HEADER)


class LineSplitter:
    """Cuts a byte stream into lines at LF, keeping memory bounded.

    A line longer than the protocol allows is cut short but kept longer than LINE_MAX + CR, so the
    parser still refuses it whole (-223) however long it really was.
    """

    _KEEP = LINE_MAX + 2

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Returns the lines completed by `data`, each without its LF."""
        lines = []
        while data:
            head, sep, data = data.partition(b"\n")
            room = self._KEEP - len(self._buffer)
            if room > 0:
                self._buffer += head[:room]
            if sep:
                lines.append(bytes(self._buffer))
                self._buffer.clear()
        return lines

    def clear(self) -> None:
        """Forgets a partial line (the connection it came from is gone)."""
        self._buffer.clear()


def encode_line(text: str) -> bytes:
    """A line as sent on the wire."""
    return text.encode("ascii") + b"\n"
