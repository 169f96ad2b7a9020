"""Chairs: the rooms or recliners one practitioner treats at once, each with its own stimulator (no Qt)."""
