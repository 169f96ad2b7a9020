"""Subcommands of the storage package (`demo-data`, `export`, `verify`)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Adds the storage subcommands to the `neurotimer` parser."""
