"""Subcommands of the stimulator package (`neurotimer sim`)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Adds the stimulator subcommands to the `neurotimer` parser."""
