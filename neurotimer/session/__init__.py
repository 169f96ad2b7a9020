"""The session at the chair: its clock, its states and milestones, needles and course progress."""
