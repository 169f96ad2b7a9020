"""A client that vanished without closing (no FIN) must not hold the simulator's one slot for good:
the server sets TCP keepalive on each client and lets a silent one go after its idle timeout."""

from __future__ import annotations

import asyncio
import socket

from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.server import BUSY_REPLY, SimulatorServer


async def _until(condition, timeout: float = 3.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def _scenario() -> dict[str, object]:
    server = SimulatorServer(SimulatedStimulator(SystemClock(), channels=4, seed=0), "127.0.0.1", 0, idle_timeout=0.4)
    host, port = await server.open()
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(stop))
    seen: dict[str, object] = {}
    try:
        silent_reader, silent = await asyncio.open_connection(host, port)  # connects, then says nothing ever
        await _until(lambda: server._client is not None)
        sock = server._client.get_extra_info("socket")
        seen["keepalive"] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
        seen["keepidle"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
        reader, writer = await asyncio.open_connection(host, port)
        seen["second"] = await asyncio.wait_for(reader.read(100), 2)
        writer.close()
        seen["silent_closed"] = await asyncio.wait_for(silent_reader.read(100), 3)  # EOF from the server
        silent.close()
        await _until(lambda: server._client is None)
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"*IDN?\n")
        await writer.drain()
        seen["third"] = await asyncio.wait_for(reader.readline(), 2)
        writer.close()
    finally:
        stop.set()
        await serving
    return seen


def test_a_silent_client_frees_the_slot_after_the_idle_timeout() -> None:
    seen = asyncio.run(_scenario())
    assert seen["keepalive"] == 1 and seen["keepidle"] == 10
    assert seen["second"] == BUSY_REPLY, "while the first client holds the slot, a second is told busy"
    assert seen["silent_closed"] == b"", "the silent client is disconnected"
    assert seen["third"].startswith(b"NeuroTimer,SIM-4,"), "the slot is free again: a new client is served"
