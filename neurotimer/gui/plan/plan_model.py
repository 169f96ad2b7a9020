"""Today's plan, owned in one place: the points chosen and the needle pair on each stimulator channel."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from neurotimer.plan.plan import Lead, NeedlePair, Plan, PlannedPoint


class PlanModel(QObject):
    """The one owner of the plan. The point picker, the needle pairs and the record edit it only through
    these methods and follow it through the signals; every change gives a new immutable Plan."""

    pointsChanged = Signal(object)  # Plan: the points changed (the pairs may have too)
    changed = Signal(object)  # Plan: anything changed, points or pairs

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plan = Plan()

    def plan(self) -> Plan:
        return self._plan

    def set_points(self, points: Plan | Iterable[PlannedPoint]) -> None:
        """Today's points; the pairs stay as they are (a pair whose needle went is flagged, not dropped)."""
        points = tuple(points.points if isinstance(points, Plan) else points)
        self._set(Plan(points=points, pairs=self._plan.pairs))

    def set_pairs(self, pairs: Iterable[NeedlePair]) -> None:
        """The pairs per channel, replacing all of them; empty pairs are left out."""
        self._set(self._plan.with_pairs(pair for pair in pairs if not pair.empty))

    def set_lead(self, channel: int, which: str, lead: Lead | None) -> None:
        """One clip of one channel: lead `a` or `b`, or None to take it off."""
        pair = self._plan.pair(channel)
        pair = NeedlePair(channel, lead, pair.b) if which == "a" else NeedlePair(channel, pair.a, lead)
        self.set_pairs([*(p for p in self._plan.pairs if p.channel != channel), pair])

    def load(self, plan: Plan) -> None:
        """A whole plan at once (a template that gives pairs): points and pairs together."""
        self._set(Plan(points=plan.points).with_pairs(pair for pair in plan.pairs if not pair.empty))

    def _set(self, plan: Plan) -> None:
        if plan == self._plan:
            return
        points_moved = plan.points != self._plan.points
        self._plan = plan
        if points_moved:
            self.pointsChanged.emit(plan)
        self.changed.emit(plan)
