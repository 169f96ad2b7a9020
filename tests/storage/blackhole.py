"""A TCP relay to the test server that can go silent: it keeps every socket open and answers nothing, as a
network that drops packets looks to a client whose kernel still acknowledges (a hung server, a broken NAT)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class Blackhole:
    """relay = Blackhole(port); relay.port; relay.silence(); relay.speak(); relay.close()."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._silent = threading.Event()
        self._closing = threading.Event()
        self._held: list[socket.socket] = []
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._run, name="blackhole", daemon=True)
        self._thread.start()

    def silence(self) -> None:
        self._silent.set()

    def speak(self) -> None:
        """Answers again, for connections made from now on (the silent ones stay silent, as after a real outage)."""
        self._silent.clear()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(5)
        for sock in self._held:
            sock.close()
        self._listener.close()

    def _run(self) -> None:
        pairs: dict[socket.socket, socket.socket] = {}
        while not self._closing.is_set():
            for key, _ in self._selector.select(0.05):
                sock = key.fileobj
                if sock is self._listener:
                    client, _ = self._listener.accept()
                    if self._silent.is_set():
                        self._held.append(client)  # accepted, never answered
                        continue
                    upstream = socket.create_connection(self._target)
                    pairs[client], pairs[upstream] = upstream, client
                    self._selector.register(client, selectors.EVENT_READ, None)
                    self._selector.register(upstream, selectors.EVENT_READ, None)
                    continue
                if self._silent.is_set():
                    # Nothing read, nothing sent: the bytes wait in the kernel, acknowledged and unanswered.
                    self._selector.unregister(sock)
                    self._held.append(sock)
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                other = pairs.get(sock)
                if not data or other is None:
                    for one in (sock, other):
                        if one is not None:
                            with contextlib.suppress(KeyError, ValueError):
                                self._selector.unregister(one)
                            one.close()
                    continue
                other.sendall(data)
        for sock in pairs:
            sock.close()
