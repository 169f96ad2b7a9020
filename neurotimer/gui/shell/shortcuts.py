"""The keyboard shortcuts, in one table shared by the window, the Help menu and the README."""

from __future__ import annotations

SHORTCUTS: tuple[tuple[str, str, str], ...] = (
    # (action id, key sequence, what it does)
    ("start", "Ctrl+Return", "Start the session (or prepare the next one after it ends)"),
    ("minutes", "Ctrl+M", "Type the planned minutes (before the start), then Enter"),
    ("pause", "Space", "Pause or resume (when no text field has focus)"),
    ("extend", "Ctrl+=", "Add 5 minutes to a running session"),
    ("end", "Ctrl+E", "End the session"),
    ("patient", "Ctrl+P", "Choose or add the patient for this session"),
    ("stop", "Escape", "Emergency stop: every output off at once, whatever is open (a list, a menu, a dialog)"),
    ("review", "Ctrl+R", "Open the review window: every session, courses, notes, reports"),
    ("quit", "Ctrl+Q", "Quit (asks first while a session runs, and for the needle count as End does)"),
    ("tabs", "Alt+1 … Alt+9", "Open the tabs in order (Points, Body chart, Needle pairs, …)"),
    ("chairs", "Ctrl+1 … Ctrl+8", "Bring a chair on screen, in board order (the others go on as they are)"),
)


def key_for(action: str) -> str:
    return next(key for name, key, _ in SHORTCUTS if name == action)


def help_text() -> str:
    rows = "".join(
        f"<tr><td style='padding:4px 16px 4px 0'><b>{key.replace('Return', 'Enter')}</b></td>"
        f"<td>{text}</td></tr>"
        for _, key, text in SHORTCUTS
    )
    return f"<table>{rows}</table>"
