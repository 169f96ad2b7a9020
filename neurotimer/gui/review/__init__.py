"""The review window: every session in the log, a session replayed, courses, notes, amendments, reports."""
