"""Typed driver errors, each carrying a message a practitioner understands, and the device codes in words."""

from __future__ import annotations

# The device's SCPI error numbers in plain words (see the NTS-1 protocol).
PLAIN_WORDS = {
    -101: "the stimulator received a character it does not accept",
    -102: "the stimulator did not understand the command",
    -104: "the stimulator expected a number",
    -108: "the stimulator did not expect a value there",
    -109: "the stimulator expected a value that was missing",
    -113: "the stimulator does not know this command (different firmware?)",
    -114: "this stimulator does not have that channel",
    -221: "the setting conflicts with the channel's present state",
    -222: "the value is outside the stimulator's range",
    -223: "the command was too long",
    -224: "the stimulator does not accept that choice",
    -350: "the stimulator's error list overflowed; some messages were lost",
    101: "a lead came off",
    102: "the current went too high for the load",
    103: "the stimulator stopped hearing from this computer",
    104: "the stimulator lost the connection to this computer",
}


def plain_words(code: int, device_text: str) -> str:
    return PLAIN_WORDS.get(code, f"the stimulator reported error {code} ({device_text})")


class StimulatorError(Exception):
    """Base of every driver error; `str(error)` is the practitioner's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutOfRange(StimulatorError):
    """A value outside the device's limits, refused before anything was sent."""

    def __init__(self, message: str, *, channel: int | None, quantity: str, value: float) -> None:
        super().__init__(message)
        self.channel = channel
        self.quantity = quantity
        self.value = value


class DeviceRefused(StimulatorError):
    """The device put an error in its queue for the command just sent."""

    def __init__(self, message: str, *, code: int, device_text: str, command: str) -> None:
        super().__init__(message)
        self.code = code
        self.device_text = device_text
        self.command = command


class NotConnected(StimulatorError):
    """No working link to a stimulator (never connected, lost, or reconnecting)."""


class LinkDown(NotConnected):
    """The link failed during this command (closed, or the device stopped answering)."""


class UnexpectedDevice(StimulatorError):
    """The other end did not identify itself as an NTS-1 stimulator, or is busy with another host."""
