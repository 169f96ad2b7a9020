"""The chairs the practitioner works with: names and stimulator URLs, validated, in board order (no Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MAX_CHAIRS = 8  # Ctrl+1 … Ctrl+8
MAX_NAME = 24  # fits a board card across the room
SIM_URL = "sim:"


class ChairError(ValueError):
    """A change the roster refuses; the message is for the practitioner."""


@dataclass(frozen=True)
class Chair:
    name: str
    device: str = SIM_URL

    @property
    def simulated(self) -> bool:
        return self.device.lower().startswith("sim:")


def default_name(number: int) -> str:
    return f"Room {number}"


def normalise_device(text: str) -> str:
    """What the practitioner typed as a device, as the URL the stimulator link opens (`host:port` gets
    `socket://`); refused when empty."""
    from neurotimer.stimulator.transport import normalise_url

    try:
        return normalise_url(text)
    except ValueError as exc:
        raise ChairError(str(exc)) from None


class ChairRoster:
    """The ordered list of chairs. `is_busy(name)` says whether a chair has a session running: such a
    chair can be renamed or shown, never removed or moved to another stimulator under its patient."""

    def __init__(self, chairs: Iterable[Chair] = (), is_busy: Callable[[str], bool] | None = None) -> None:
        self._chairs: list[Chair] = []
        self.is_busy = is_busy or (lambda _name: False)
        for chair in chairs:
            self.add(chair.name, chair.device)

    @classmethod
    def numbered(cls, count: int, device: str = SIM_URL) -> ChairRoster:
        """Room 1 … Room N, each on its own built-in simulator (or the given device)."""
        if not 1 <= count <= MAX_CHAIRS:
            raise ChairError(f"neurotimer runs 1 to {MAX_CHAIRS} chairs, not {count}.")
        return cls(Chair(default_name(n), device) for n in range(1, count + 1))

    # -- reading -----------------------------------------------------------------------------------
    @property
    def chairs(self) -> tuple[Chair, ...]:
        return tuple(self._chairs)

    def __len__(self) -> int:
        return len(self._chairs)

    def __iter__(self):
        return iter(self._chairs)

    def names(self) -> list[str]:
        return [c.name for c in self._chairs]

    def get(self, name: str) -> Chair:
        return self._chairs[self._index(name)]

    # -- changes -----------------------------------------------------------------------------------
    def add(self, name: str | None = None, device: str = SIM_URL) -> Chair:
        if len(self._chairs) >= MAX_CHAIRS:
            raise ChairError(f"There are already {MAX_CHAIRS} chairs, the most neurotimer shows at once.")
        if name is None:
            name = next(default_name(n) for n in range(1, MAX_CHAIRS + 2) if not self._has(default_name(n)))
        chair = Chair(self._valid_name(name), self._valid_device(device))
        self._chairs.append(chair)
        return chair

    def rename(self, old: str, new: str) -> Chair:
        index = self._index(old)
        chair = Chair(self._valid_name(new, ignoring=old), self._chairs[index].device)
        self._chairs[index] = chair
        return chair

    def set_device(self, name: str, device: str) -> Chair:
        index = self._index(name)
        if self.is_busy(name):
            raise ChairError(f"{name} has a session running: end it before choosing another stimulator.")
        chair = Chair(name, self._valid_device(device, ignoring=name))
        self._chairs[index] = chair
        return chair

    def remove(self, name: str) -> None:
        index = self._index(name)
        if self.is_busy(name):
            raise ChairError(f"{name} has a session running: end it before removing the chair.")
        if len(self._chairs) == 1:
            raise ChairError("neurotimer needs at least one chair.")
        del self._chairs[index]

    # -- settings ----------------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, str]]:
        return [{"name": c.name, "device": c.device} for c in self._chairs]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> tuple[ChairRoster, list[str]]:
        """Chairs read back from the settings, and one message per entry that was left out (and why)."""
        roster = cls()
        problems: list[str] = []
        for number, record in enumerate(records, start=1):
            try:
                roster.add(str(record.get("name", "")), str(record.get("device", SIM_URL)))
            except ChairError as exc:
                problems.append(f"Chair {number} in the settings was left out: {exc}")
        return roster, problems

    # -- checks ------------------------------------------------------------------------------------
    def _index(self, name: str) -> int:
        for index, chair in enumerate(self._chairs):
            if chair.name == name:
                return index
        raise ChairError(f"There is no chair called {name!r}.")

    def _has(self, name: str, ignoring: str | None = None) -> str | None:
        """The existing chair's name that `name` clashes with (case aside), if any."""
        folded = name.casefold()
        return next((c.name for c in self._chairs if c.name.casefold() == folded and c.name != ignoring), None)

    def _valid_name(self, name: str, ignoring: str | None = None) -> str:
        name = " ".join(name.split())
        if not name:
            raise ChairError("A chair needs a name, such as Room 2 or Recliner B.")
        if len(name) > MAX_NAME:
            raise ChairError(f"A chair's name has at most {MAX_NAME} characters; {name!r} has {len(name)}.")
        clash = self._has(name, ignoring)
        if clash:
            raise ChairError(f"There is already a chair called {clash}.")
        return name

    def _valid_device(self, device: str, ignoring: str | None = None) -> str:
        url = normalise_device(device)
        if not url.lower().startswith("sim:"):
            # Two chairs on one stimulator would let one chair's stop or fault reach the other's patient.
            for chair in self._chairs:
                if chair.name != ignoring and chair.device.casefold() == url.casefold():
                    raise ChairError(f"{url} is already {chair.name}'s stimulator; each chair needs its own.")
        return url


def roster_to_open(count: int | None, saved: Iterable[Mapping[str, object]]) -> tuple[ChairRoster, list[str]]:
    """The chairs a start opens: those the settings name; else `--chairs N` of them on built-in simulators;
    else one. With the messages for settings entries that were left out."""
    records = list(saved)
    if records:
        roster, problems = ChairRoster.from_records(records)
        if len(roster):
            return roster, problems
        return ChairRoster.numbered(count or 1), problems
    return ChairRoster.numbered(count or 1), []
