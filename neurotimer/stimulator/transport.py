"""Opens a link to a stimulator from a URL: a pyserial port or socket, or `sim:` (the model in-process)."""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import serial
import serial.tools.list_ports

from neurotimer.session.clock import Clock

log = logging.getLogger(__name__)

BAUD_RATE = 115200
DEFAULT_TIMEOUT_S = 1.0
_CHUNK = 4096


class Transport(Protocol):
    """The slice of pyserial's interface the driver uses; `readline` returns b"" on timeout."""

    timeout: float | None

    @property
    def is_open(self) -> bool: ...

    def write(self, data: bytes) -> int | None: ...

    def readline(self) -> bytes: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


TransportFactory = Callable[[], Transport]


class SerialTransport:
    """A pyserial port (serial, socket:// or loop://) with a line reader that does not read byte by byte.

    pyserial's own readline reads one byte per call, and on socket:// `in_waiting` is only 0 or 1,
    so after the first byte arrives this drains what is already there without waiting.
    """

    def __init__(self, port: serial.SerialBase, url: str) -> None:
        self._port = port
        self.url = url
        self._buffer = bytearray()
        self._socket_like = url.startswith("socket://")
        self._write_lock = threading.Lock()

    @property
    def timeout(self) -> float | None:
        return self._port.timeout

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        self._port.timeout = value

    @property
    def is_open(self) -> bool:
        return bool(self._port.is_open)

    def write(self, data: bytes) -> int | None:
        # The emergency stop writes from its own thread while the worker may be writing too.
        with self._write_lock:
            return self._port.write(data)

    def readline(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            first = self._port.read(1)
            if not first:
                return b""
            self._buffer += first
            self._buffer += self._read_available()

    def _read_available(self) -> bytes:
        sock = getattr(self._port, "_socket", None) if self._socket_like else None
        if sock is not None:
            # pyserial's socket read drops the bytes it holds when it meets the peer's close in the same
            # call (a busy device sends `ERR busy` and hangs up), so read what is there directly.
            ready, _, _ = select.select([sock], [], [], 0)
            if not ready:
                return b""
            try:
                return sock.recv(_CHUNK)
            except BlockingIOError:
                return b""
        waiting = self._port.in_waiting
        return self._port.read(waiting) if waiting else b""

    def reset_input_buffer(self) -> None:
        self._buffer.clear()
        self._port.reset_input_buffer()

    def close(self) -> None:
        _close_port(self._port)


def _close_port(port: serial.SerialBase) -> None:
    # pyserial 3.5's socket close skips socket.close() when shutdown() fails (peer already gone).
    sock = getattr(port, "_socket", None)
    try:
        port.close()
    finally:
        if sock is not None:
            sock.close()


def open_serial(url: str, timeout: float = DEFAULT_TIMEOUT_S) -> SerialTransport:
    """Opens `COM3`, `/dev/ttyACM0`, `socket://host:port` or `loop://` at 115200 8N1."""
    port = serial.serial_for_url(
        url,
        baudrate=BAUD_RATE,
        bytesize=serial.EIGHTBITS,
        parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_ONE,
        timeout=timeout,
        write_timeout=timeout,
        do_not_open=True,
    )
    try:
        port.open()
    except BaseException:
        # pyserial can fail after its socket is made (a busy device resets at once): never leak it.
        _close_port(port)
        raise
    sock = getattr(port, "_socket", None)
    if sock is not None:
        # Lines are tiny and a setting is followed at once by its error check: without this, Nagle's
        # algorithm meets the peer's delayed ACK and each check waits about 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return SerialTransport(port, url)


def normalise_url(text: str) -> str:
    """Turns what a practitioner types into a URL: `host:port` becomes `socket://host:port`."""
    text = text.strip()
    if not text:
        raise ValueError("Choose a stimulator: the simulator, a serial port, or host:port.")
    if text.lower().startswith("sim:") or "://" in text:
        return text
    host, sep, port = text.rpartition(":")
    if sep and host and port.isdigit() and not host.upper().startswith("COM") and "/" not in host:
        return f"socket://{text}"
    return text


def transport_factory(
    url: str, clock: Clock | None = None, timeout: float = DEFAULT_TIMEOUT_S
) -> TransportFactory:
    """A factory that opens the link again on each call, so the driver can reconnect.

    For `sim:` the factory keeps one device model, so that its state and error queue survive a
    reconnection as a real device's would.
    """
    url = normalise_url(url)
    if url.lower().startswith("sim:"):
        from neurotimer.stimulator.simlink import SimDevicePort, parse_sim_url

        options = parse_sim_url(url)
        port = SimDevicePort(clock=clock, timeout=timeout, **options)
        return port.open
    return lambda: open_serial(url, timeout)


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str

    @property
    def label(self) -> str:
        if self.description and self.description != "n/a":
            return f"{self.device} — {self.description}"
        return self.device


def list_serial_ports() -> list[PortInfo]:
    """Serial ports present now (USB CDC stimulators show up as ttyACM on Linux, COM on Windows)."""
    ports = sorted(serial.tools.list_ports.comports(), key=lambda p: p.device)
    return [PortInfo(p.device, p.description or "") for p in ports]
