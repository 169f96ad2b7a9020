"""Colours, fonts and the style sheet: calm, high-contrast, legible from across the room."""

from __future__ import annotations

from PySide6.QtGui import QFont

from neurotimer.session.session import SessionState

BACKGROUND = "#eef1f3"
CARD = "#ffffff"
INK = "#1f2a30"
MUTED = "#5b6b73"
BORDER = "#d3dade"

STATE_COLOURS = {
    "planned": "#546e7a",
    "running": "#2e7d32",
    "paused": "#b26a00",
    "overdue": "#c62828",
    "completed": "#1565c0",
    "ended_early": "#455a64",
    "interrupted": "#6d4c41",
}

# IEC 60601-1-8 colours: high red, medium yellow, low cyan; a flashing alarm alternates with the darker shade.
ALARM_COLOURS = {"high": "#c62828", "medium": "#fbc02d", "low": "#4dd0e1"}
ALARM_DIM_COLOURS = {"high": "#7f0000", "medium": "#c49000", "low": "#4dd0e1"}
ALARM_INK = {"high": "white", "medium": "#1f2a30", "low": "#1f2a30"}
ACKNOWLEDGED_COLOUR = "#78909c"

# What a colour means wherever it shows: text, bars, badges, table cells.
OK = "#2e7d32"
ERROR = "#c62828"
WARNING = "#b26a00"
INFO = "#1565c0"
FAINT = "#8a979d"  # an entry superseded by a later one
GRID = "#e3e8eb"
HEADER = "#f5f7f8"
PAPER = "#fbfcfc"  # a pane of text to read
OFF_RATE_WEEK = "#fff3e0"  # a course week with fewer or more sessions than planned
# A safety finding's (strong, tint) by what it says.
FINDING_COLOURS = {
    "error": (ERROR, "#fdecea"),
    "warning": (WARNING, "#fff4e0"),
    "info": (INFO, "#e8f1fb"),
    "ok": (OK, "#e8f5e9"),
    "idle": (MUTED, CARD),
}
# The body chart: ink, points not for electrical stimulation, caution, hover, background, plain marker fill.
CHART_INK = "#1d3557"
CHART_NO_ELECTRO = "#c1121f"
CHART_CAUTION = "#9a6700"
CHART_HOVER = "#ffd166"
CHART_BACKGROUND = "#f7f9fb"
CHART_PLAIN_FILL = (255, 255, 255, 235)  # RGBA: the chart shows through a little
CAUTION_CHIP = ("#fff3e0", "#8a3b00", "#e0a060")  # a patient's screening flag: background, ink, edge
SIMULATOR_COLOUR = "#6a1b9a"  # the simulator's own colour: never the green of a connected device
# One colour a stimulator channel: Okabe–Ito (colour-blind safe), its yellow swapped for Tol's wine, as
# yellow is unreadable on white.
CHANNEL_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255")

DIGITS_PX = 150


def state_key(state: SessionState, overdue: bool) -> str:
    """The word the display uses: overdue is a running or paused session past its planned time."""
    if state is SessionState.RUNNING and overdue:
        return "overdue"
    return state.value


def state_word(key: str) -> str:
    return key.replace("_", " ").upper()


def digits_font() -> QFont:
    font = QFont()
    font.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "Liberation Mono", "monospace"])
    font.setPixelSize(DIGITS_PX)
    font.setWeight(QFont.Weight.Bold)
    return font


STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {BACKGROUND}; }}
QWidget {{ color: {INK}; font-size: 15px; }}
QFrame#card {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLabel#digits {{
    font-family: "DejaVu Sans Mono", "Consolas", "Menlo", monospace;
    font-size: {DIGITS_PX}px; font-weight: bold;
}}
QLabel#muted {{ color: {MUTED}; }}
QLabel#cardTitle {{ color: {MUTED}; font-size: 13px; font-weight: bold; letter-spacing: 1px; }}
QPushButton {{
    background: {CARD}; border: 1px solid #b8c3c9; border-radius: 6px;
    padding: 8px 18px; font-size: 16px;
}}
QPushButton:hover {{ background: #f3f6f7; }}
QPushButton:disabled {{ color: #9aa7ad; border-color: #dde3e6; }}
QPushButton#primary {{ background: #2e7d32; color: white; border-color: #2e7d32; font-weight: bold; }}
QPushButton#primary:disabled {{ background: #a5c8a7; border-color: #a5c8a7; }}
QPushButton#stop {{ background: #c62828; color: white; border-color: #b71c1c; font-weight: bold; }}
QPushButton#preset {{ padding: 8px 12px; }}
QPushButton#preset:checked {{ background: #e3f2e4; border: 2px solid #2e7d32; font-weight: bold; }}
QProgressBar {{ border: none; background: #e3e8eb; border-radius: 5px; height: 10px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; border-radius: 6px; background: {CARD}; }}
QTabBar::tab {{ padding: 5px 14px; }}
"""
