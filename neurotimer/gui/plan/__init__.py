"""Choosing today's plan: point picker, body chart, needle pairs and their findings."""
