"""Conformance of the `neurotimer sim` process over a plain TCP socket, using nothing of neurotimer's code."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

NEUROTIMER = str(Path(sys.executable).with_name("neurotimer"))


class SimProcess:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [NEUROTIMER, "sim", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.proc.stdout.readline()
        if not first.startswith("listening 127.0.0.1:"):
            self.stop(signal.SIGKILL)
            raise AssertionError(f"no listening line: {first!r}")
        self.port = int(first.strip().rsplit(":", 1)[1])
        assert self.port > 0

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            _out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        return self.proc.returncode, err


@pytest.fixture
def spawn() -> Iterator[Callable[..., SimProcess]]:
    """Starts simulator processes and makes sure none outlives the test."""
    started: list[SimProcess] = []

    def start(*args: str) -> SimProcess:
        started.append(SimProcess(*args))
        return started[-1]

    yield start
    for process in started:
        process.stop(signal.SIGKILL)


class Client:
    """A bare line client: the way nc, socat or PyVISA would talk to the device."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=3)
        self.file = self.sock.makefile("rb")

    def send(self, *lines: str) -> None:
        self.sock.sendall("".join(f"{line}\n" for line in lines).encode())

    def line(self) -> str:
        raw = self.file.readline()
        assert raw.endswith(b"\n"), raw
        return raw[:-1].decode("ascii")

    def ask(self, line: str) -> str:
        self.send(line)
        return self.line()

    def errors(self) -> list[str]:
        found = []
        while (reply := self.ask("SYST:ERR?")) != '0,"No error"':
            found.append(reply)
        return found

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def reconnect(port: int) -> Client:
    """Connects once the device has noticed the previous client left (until then it says busy)."""
    deadline = time.monotonic() + 5
    while True:
        client = Client(port)
        try:
            if client.ask("*OPC?") == "1":
                return client
        except (OSError, AssertionError):
            pass  # told busy and closed before the question went through
        client.close()
        assert time.monotonic() < deadline, "still busy"
        time.sleep(0.01)


@pytest.fixture
def sim(spawn: Callable[..., SimProcess]) -> Iterator[SimProcess]:
    process = spawn("--seed", "3")
    yield process
    code, err = process.stop()
    assert code == 0, err


@pytest.fixture
def client(sim: SimProcess) -> Iterator[Client]:
    c = Client(sim.port)
    yield c
    c.close()


def test_one_reply_per_query_none_per_setting(client: Client) -> None:
    client.send("*IDN?", "SOUR1:CURR 2.5", "sour1:curr?", "OUTP1:STAT?", "SYST:CHAN?", "*OPC?")
    replies = [client.line() for _ in range(5)]
    assert replies[0].startswith("NeuroTimer,SIM-4,")
    assert replies[1:] == ["2.5", "0", "4", "1"]
    assert client.ask("SYST:LIM?") == "freq=1..200,width=50..1000,current=0..20,slew=0.1..2"


def test_crlf_and_errors_over_the_wire(client: Client) -> None:
    client.sock.sendall(b"*OPC?\r\nSOURC1:CURR 1\nSOUR1:CURR 99\n\xff\n" + b"A" * 100_000 + b"\n")
    assert client.line() == "1"
    assert client.errors() == [
        '-113,"Undefined header"',
        '-222,"Data out of range"',
        '-101,"Invalid character"',
        '-223,"Too much data"',
    ]


def test_second_client_is_told_busy_and_closed(sim: SimProcess, client: Client) -> None:
    assert client.ask("*OPC?") == "1"
    second = socket.create_connection(("127.0.0.1", sim.port), timeout=3)
    with second, second.makefile("rb") as stream:
        assert stream.readline() == b"ERR busy\n"
        assert stream.readline() == b""  # closed by the device
    assert client.ask("*OPC?") == "1"  # the first client is unaffected


def test_after_the_client_leaves_another_may_connect(sim: SimProcess, client: Client) -> None:
    client.close()
    other = reconnect(sim.port)
    assert other.ask("SYST:CHAN?") == "4"
    other.close()


def test_disconnect_with_output_on_queues_104_for_the_next_client(sim: SimProcess, client: Client) -> None:
    client.send("OUTP2 ON", "SOUR2:CURR 3")
    assert client.ask("STAT:CHAN2?").startswith("1,")
    client.close()
    again = reconnect(sim.port)
    assert again.ask("STAT:CHAN2?").startswith("0,0.00,0.0,")
    assert again.errors() == ['104,"Host disconnected"']
    again.close()


def test_drop_closes_the_link_like_a_pulled_cable(sim: SimProcess, client: Client) -> None:
    client.send("OUTP1 ON", "SOUR1:CURR 1", "SIM:DROP", "*IDN?")
    assert client.file.readline() == b""
    client.close()
    again = reconnect(sim.port)
    assert again.ask("OUTP1?") == "0"
    assert again.errors() == ['104,"Host disconnected"']
    again.close()


def test_watchdog_fires_in_real_time_with_no_traffic(client: Client) -> None:
    client.send("SYST:WATC 0.5", "OUTP3 ON", "SOUR3:CURR 2")
    assert client.ask("OUTP3?") == "1"
    time.sleep(0.8)  # the device's own silence timer: only real time can exercise it here
    assert client.ask("OUTP3?") == "0"
    assert client.errors() == ['103,"Watchdog expired"']


def test_freeze_drops_lines_then_answers_again(client: Client) -> None:
    client.send("OUTP1 ON", "SIM:FRE 0.5", "*IDN?", "ABOR")
    time.sleep(0.7)
    # the next line read is this reply: *IDN? got none, and the lost ABORt did nothing
    assert client.ask("OUTP1?") == "1"


def test_each_line_is_answered_within_50_ms(client: Client) -> None:
    # The protocol's 50 ms contract, judged on the 95th percentile: a loaded 2-core CI machine may stall
    # any one process now and then; the latency figures themselves are in benchmarks/bench_stimulator.py.
    times = []
    for _ in range(300):
        started = time.perf_counter()
        assert client.ask("STAT:CHAN1?").startswith("0,0.00,0.0,")
        times.append(time.perf_counter() - started)
    assert sorted(times)[int(len(times) * 0.95)] < 0.05


def test_eight_channels(spawn: Callable[..., SimProcess]) -> None:
    process = spawn("--channels", "8")
    c = Client(process.port)
    assert c.ask("*IDN?").startswith("NeuroTimer,SIM-8,")
    assert c.ask("SYST:CHAN?") == "8"
    assert c.ask("STAT:CHAN8?").startswith("0,")
    c.close()
    assert process.stop()[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_with_outputs_on(spawn: Callable[..., SimProcess], signum: int) -> None:
    process = spawn()
    c = Client(process.port)
    c.send("OUTP1 ON", "SOUR1:CURR 4")
    assert c.ask("OUTP1?") == "1"
    code, err = process.stop(signum)
    assert code == 0 and "Traceback" not in err
    assert c.file.readline() == b""  # the link is closed
    c.close()


def test_remote_address_needs_allow_remote() -> None:
    result = subprocess.run(
        [NEUROTIMER, "sim", "--listen", "192.0.2.1:5025"], capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--allow-remote" in result.stderr


def test_bad_listen_argument_is_one_line_exit_2() -> None:
    result = subprocess.run([NEUROTIMER, "sim", "--listen", "nowhere"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "HOST:PORT" in result.stderr


def test_several_simulators_on_different_ports_are_separate_devices(spawn: Callable[..., SimProcess]) -> None:
    """One `neurotimer sim` per chair: each its own device, one chair's output never another's."""
    sims = [spawn("--seed", str(n)) for n in range(3)]
    assert len({sim.port for sim in sims}) == 3
    clients = [Client(sim.port) for sim in sims]
    clients[1].send("OUTP2 ON", "SOUR2:CURR 3")
    assert clients[1].ask("OUTP2?") == "1"
    for client in (clients[0], clients[2]):
        assert client.ask("OUTP2?") == "0"
    clients[1].send("ABOR")
    assert clients[1].ask("OUTP2?") == "0"
    for client in clients:
        client.close()
    assert [sim.stop()[0] for sim in sims] == [0, 0, 0]


def test_a_port_already_taken_is_one_clear_line(spawn: Callable[..., SimProcess]) -> None:
    first = spawn()
    second = subprocess.run([NEUROTIMER, "sim", "--listen", f"127.0.0.1:{first.port}"],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 1
    assert second.stderr.startswith(f"neurotimer sim: error: cannot listen on 127.0.0.1:{first.port}:")
    assert first.proc.poll() is None  # the first keeps serving its chair
