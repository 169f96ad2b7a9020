"""Allows `python -m neurotimer`."""

from neurotimer.cli import main

raise SystemExit(main())
