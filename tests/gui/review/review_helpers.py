"""Waiting for the review window's list, shared by its tests."""

from __future__ import annotations


def wait_loaded(qtbot, window) -> None:
    """Until the query thread has answered the window's latest request."""
    qtbot.waitUntil(lambda: window.model is not None and not window.model.busy, timeout=10_000)
