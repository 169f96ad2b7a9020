"""The History tab: a patient's course and sessions."""
