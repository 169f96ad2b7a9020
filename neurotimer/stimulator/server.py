"""The simulator's TCP server: the device model on a raw socket, one client at a time, in real time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable

from neurotimer.session.clock import Clock, SystemClock
from neurotimer.stimulator.address import (  # noqa: F401 (re-exported for callers and tests)
    DEFAULT_HOST,
    DEFAULT_PORT,
    format_address,
    is_loopback,
    parse_listen,
)
from neurotimer.stimulator.device import SimulatedStimulator

log = logging.getLogger(__name__)

TICK_S = 0.05  # the watchdog must fire with no traffic at all, within this of its deadline
# A client that vanished without closing (cable pulled, laptop asleep) must not hold the one slot for good:
# TCP keepalive finds a dead peer within about 10 + 3 x 5 s, and a client silent this long is let go.
IDLE_TIMEOUT_S = 60.0
KEEPALIVE = (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3))
BUSY_REPLY = b"ERR busy\n"
_CHUNK = 65536


class SimulatorServer:
    """Serves one SimulatedStimulator; a second client is told `ERR busy` and closed."""

    def __init__(
        self,
        model: SimulatedStimulator,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        idle_timeout: float = IDLE_TIMEOUT_S,
    ) -> None:
        self.model = model
        self.idle_timeout = idle_timeout
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._client: asyncio.StreamWriter | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def open(self) -> tuple[str, int]:
        """Binds and listens; returns the real address.

        Connections are accepted only once the caller yields to the event loop, so a line written
        before that (the `listening` announcement) always precedes the first accept.
        """
        self._server = await asyncio.start_server(self._on_connection, self._host, self._port, limit=_CHUNK)
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def serve(self, stop: asyncio.Event) -> None:
        """Accepts clients and keeps the model's time moving until `stop` is set; then outputs off."""
        assert self._server is not None, "open() first"
        ticker = asyncio.create_task(self._tick())
        try:
            await stop.wait()
        finally:
            ticker.cancel()
            self.model.shutdown()
            self._server.close()
            if self._client is not None:
                self._client.close()  # its conversation then ends on its own, reading EOF
            await asyncio.gather(ticker, return_exceptions=True)
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=1.0)
            log.info("simulator stopped; all outputs off")

    async def _tick(self) -> None:
        while True:
            self.model.advance()
            await asyncio.sleep(TICK_S)

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            if self._client is not None:
                writer.write(BUSY_REPLY)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
                writer.close()
                return
            self._client = writer
            _keepalive(writer.get_extra_info("socket"))
            log.info("client connected from %s", writer.get_extra_info("peername"))
            await self._converse(reader, writer)
        except asyncio.CancelledError:
            # Only at loop teardown; asyncio 3.11 logs a cancelled connection task as an error.
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _read(self, reader: asyncio.StreamReader) -> bytes:
        try:
            return await asyncio.wait_for(reader.read(_CHUNK), timeout=self.idle_timeout)
        except TimeoutError:
            log.warning("client silent for %.0f s: disconnected, the simulator is free again", self.idle_timeout)
            return b""

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await self._read(reader):
                replies = self.model.feed(data)
                if replies:
                    writer.write("".join(f"{line}\n" for line in replies).encode("ascii"))
                if self.model.take_drop():
                    writer.transport.abort()  # as a pulled cable: no goodbye, unsent bytes lost
                    break
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._client = None
            self.model.disconnect()
            writer.close()
            log.info("client disconnected")


def _keepalive(sock: socket.socket | None) -> None:
    """TCP keepalive on the client's socket (each option where the platform has it)."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in KEEPALIVE:
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


async def run_server(model: SimulatedStimulator, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Binds, announces `listening HOST:PORT`, then serves until SIGINT or SIGTERM."""
    server = SimulatorServer(model, host, port)
    real_host, real_port = await server.open()
    announce(f"listening {format_address(real_host, real_port)}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.serve(stop)


def serve_forever(host: str, port: int, channels: int = 4, seed: int = 0, clock: Clock | None = None) -> int:
    """The `neurotimer sim` process body; returns its exit status."""
    model = SimulatedStimulator(clock or SystemClock(), channels=channels, seed=seed)

    def announce(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    try:
        asyncio.run(run_server(model, host, port, announce))
    except OSError as exc:
        sys.stderr.write(f"neurotimer sim: error: cannot listen on {format_address(host, port)}: {exc.strerror}\n")
        return 1
    return 0
