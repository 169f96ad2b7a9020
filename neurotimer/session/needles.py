"""Needle count at the chair: a session is not closed while the needles counted out differ from those put in."""

from __future__ import annotations

from dataclasses import dataclass

MAX_NEEDLES = 200


@dataclass(frozen=True)
class CloseCheck:
    """Whether the session may be closed now, and what to tell the practitioner when it may not."""

    ok: bool
    message: str = ""


def _needles(n: int) -> str:
    return f"{n} needle" if n == 1 else f"{n} needles"


def validate_count(value: int) -> int:
    """Refuses a count that cannot be a number of needles (never clips)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"A needle count is a whole number, not {value!r}.")
    if not 0 <= value <= MAX_NEEDLES:
        raise ValueError(f"A needle count is 0 to {MAX_NEEDLES}, not {value}.")
    return value


def close_check(needles_in: int, needles_out: int | None) -> CloseCheck:
    """needles_out is None until the practitioner has counted the needles out."""
    validate_count(needles_in)
    if needles_out is None:
        if needles_in == 0:
            return CloseCheck(True)
        verb = "is" if needles_in == 1 else "are"
        return CloseCheck(False, f"{_needles(needles_in)} {verb} still in: count them out before ending.")
    validate_count(needles_out)
    if needles_out == needles_in:
        return CloseCheck(True)
    if needles_out < needles_in:
        left = needles_in - needles_out
        verb = "is" if left == 1 else "are"
        return CloseCheck(False, f"{_needles(left)} {verb} still in: count them out before ending.")
    # More out than in: the count going in was wrong, or a needle was counted twice; either way recount.
    return CloseCheck(
        False,
        f"{_needles(needles_out)} counted out but {needles_in} put in: count again before ending.",
    )
