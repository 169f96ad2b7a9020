"""Start-up order: a part that fails is said and the next is built, unless the rest need it."""

from __future__ import annotations

from neurotimer.gui.shell.startup import Step, build_in_order


def test_a_failing_part_is_reported_and_the_next_is_still_built() -> None:
    built: list[str] = []
    reported: list[tuple[str, str]] = []

    def plot() -> None:
        raise RuntimeError("no OpenGL")

    steps = (Step(plot, "the plot"), Step(lambda: built.append("history"), "the course history"))
    assert not build_in_order(steps, lambda step, exc: reported.append((step.what, str(exc))))
    assert built == ["history"]
    assert reported == [("the plot", "no OpenGL")]


def test_a_failing_part_the_rest_need_stops_start_up_there() -> None:
    built: list[str] = []

    def build_points() -> None:
        raise ValueError("points.json is not valid")

    steps = (
        Step(build_points, "the point catalogue", needed_by_the_rest=True),
        Step(lambda: built.append("stimulator"), "the stimulator"),
    )
    keys: list[str] = []
    assert not build_in_order(steps, lambda step, exc: keys.append(step.key))
    assert built == []
    assert keys == ["setup-build_points"]
