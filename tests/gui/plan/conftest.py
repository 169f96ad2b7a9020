"""The plan model the plan widgets share, one per test."""

from __future__ import annotations

import pytest

from neurotimer.gui.plan.plan_model import PlanModel


@pytest.fixture
def plans(qapp) -> PlanModel:
    return PlanModel()
