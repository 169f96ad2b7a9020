"""The timer card: state word, remaining time in large digits, progress and session buttons."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.session.presenter import Snapshot
from neurotimer.gui.shell import theme
from neurotimer.session.session import MAX_MINUTES, MIN_MINUTES, PRESET_MINUTES, SessionState, format_clock

MIN_DIGITS_PX = 64  # the smallest the clock gets (a compact clock beside the board): still read from the door


class TimerPanel(QFrame):
    """Layout only: emits intents, renders snapshots."""

    startClicked = Signal()
    pauseClicked = Signal()
    extendClicked = Signal()
    endClicked = Signal()
    plannedMinutesChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._styled_key: str | None = None
        self._resync = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 8, 18, 8)
        outer.setSpacing(4)

        # Top row: state word, then either the plan chooser (before the start) or the last milestone.
        top = QHBoxLayout()
        top.setSpacing(6)
        self.state_label = QLabel("PLANNED")
        self.state_label.setObjectName("stateWord")
        top.addWidget(self.state_label)
        self.milestone_label = QLabel("")
        self.milestone_label.setObjectName("muted")
        self.milestone_label.setStyleSheet("font-size: 17px;")
        # A long milestone gives way (its whole text is the tool tip and in the alarm strip), never the window.
        self.milestone_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.milestone_label, 1)
        top.addStretch(0)  # before the start (no milestone yet) the room goes here, not into the preset buttons
        self.plan_label = QLabel("Planned time:")
        top.addWidget(self.plan_label)
        # Not exclusive: when the typed time matches no preset, every preset button must be able to go dark.
        self.preset_group = QButtonGroup(self)
        self.preset_group.setExclusive(False)
        self.preset_buttons: dict[int, QPushButton] = {}
        for minutes in PRESET_MINUTES:
            button = QPushButton(f"{minutes} min")
            button.setObjectName("preset")
            button.setCheckable(True)
            # No minimum width below the text: a squeezed row must never cut "30 min" to "30 mi".
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, m=minutes: self._choose(m))
            self.preset_group.addButton(button)
            self.preset_buttons[minutes] = button
            top.addWidget(button)
        self.minutes_spin = QSpinBox()
        # The box takes any number, so that 9999 arrives as typed and is refused with a message (the session
        # checks 1–120) instead of being cut to 99 by the box as it is typed.
        self.minutes_spin.setRange(0, 9999)
        self.minutes_spin.setToolTip(f"{MIN_MINUTES} to {MAX_MINUTES} minutes")
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setValue(30)
        self.minutes_spin.setMinimumWidth(96)
        self.minutes_spin.setAccessibleName("Planned minutes")
        self.minutes_spin.editingFinished.connect(lambda: self._choose(self.minutes_spin.value()))
        top.addWidget(self.minutes_spin)
        self.plan_widgets = [*self.preset_buttons.values(), self.minutes_spin]
        outer.addLayout(top)

        # The digits take whatever room the card has (they grow and shrink with it); the buttons sit beside them
        # two by two, so the clock costs the working tab below as little height as it can.
        middle = QHBoxLayout()
        middle.setSpacing(12)
        self.digits = FitDigits("30:00")
        self.digits.setObjectName("digits")
        self.digits.setAccessibleName("Remaining time")
        middle.addWidget(self.digits, 1)

        buttons = QGridLayout()
        buttons.setHorizontalSpacing(8)
        buttons.setVerticalSpacing(6)
        self.start_button = QPushButton("Start  (Ctrl+Enter)")
        self.start_button.setObjectName("primary")
        self.pause_button = QPushButton("Pause  (Space)")
        self.extend_button = QPushButton("+5 min")
        self.end_button = QPushButton("End  (Ctrl+E)")
        for n, (button, signal) in enumerate((
            (self.start_button, self.startClicked),
            (self.pause_button, self.pauseClicked),
            (self.extend_button, self.extendClicked),
            (self.end_button, self.endClicked),
        )):
            button.setMinimumHeight(38)
            button.setStyleSheet("padding: 6px 10px;")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(signal)
            buttons.addWidget(button, n // 2, n % 2)
        # "New session  (Ctrl+Enter)" is the longest text the start button shows: the column never changes width.
        self.start_button.setMinimumWidth(
            self.start_button.fontMetrics().horizontalAdvance("New session  (Ctrl+Enter)") + 28)
        column = QVBoxLayout()  # centred beside the digits whatever height the practitioner gives the clock
        column.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(1)
        middle.addLayout(column)
        outer.addLayout(middle, 1)

        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 1000)
        self.progress.setFixedHeight(10)
        bottom.addWidget(self.progress, 1)
        self.detail = QLabel("Treatment 00:00 of 30:00")
        self.detail.setObjectName("muted")
        self.detail.setStyleSheet("font-size: 17px;")
        bottom.addWidget(self.detail)
        outer.addLayout(bottom)

    def _choose(self, minutes: int) -> None:
        self._resync = True  # whatever the session makes of it, the controls then show the session's time
        self.plannedMinutesChosen.emit(minutes)

    def render(self, snap: Snapshot) -> None:
        key = theme.state_key(snap.state, snap.overdue)
        if key != self._styled_key:
            # Restyling re-polishes the widgets: do it when the state changes, not on every 200 ms tick.
            self._styled_key = key
            colour = theme.STATE_COLOURS[key]
            self.state_label.setText(theme.state_word(key))
            self.state_label.setStyleSheet(
                f"background: {colour}; color: white; border-radius: 6px; padding: 4px 14px;"
                "font-size: 22px; font-weight: bold; letter-spacing: 2px;"
            )
            self.digits.set_colour(colour)
            self.progress.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; border-radius: 5px; }}")
        shown = snap.remaining_seconds
        if snap.state.is_closed:
            shown = snap.treatment_seconds
        self.digits.setText(format_clock(shown))
        done = 0 if snap.planned_seconds <= 0 else snap.treatment_seconds / snap.planned_seconds
        self.progress.setValue(int(min(1.0, done) * 1000))

        detail = f"Treatment {format_clock(snap.treatment_seconds)} of {format_clock(snap.planned_seconds)}"
        if snap.paused_seconds >= 1:
            detail += f"   ·   paused {format_clock(snap.paused_seconds)}"
        if snap.overdue and snap.state.is_active:
            detail += f"   ·   overdue by {format_clock(-snap.remaining_seconds).lstrip('-')}"
        if snap.state.is_closed:
            detail = f"Session {snap.state.value.replace('_', ' ')}: " + detail.lower()
        self.detail.setText(detail)

        planned = snap.state is SessionState.PLANNED
        for widget in [self.plan_label, *self.plan_widgets]:
            widget.setVisible(planned)
        self.milestone_label.setVisible(not planned)
        minutes = int(snap.planned_seconds // 60)
        if planned:
            # One source of truth: the session's planned time lights its preset (or none) and fills the box.
            for m, button in self.preset_buttons.items():
                button.setChecked(m == minutes)
            if self._resync or not self.minutes_spin.hasFocus():
                self.minutes_spin.setValue(minutes)
        self._resync = False
        self.start_button.setEnabled(planned or snap.state.is_closed)
        closed = snap.state.is_closed
        self.start_button.setText("New session  (Ctrl+Enter)" if closed else "Start  (Ctrl+Enter)")
        self.pause_button.setEnabled(snap.state.is_active)
        self.pause_button.setText("Resume  (Space)" if snap.state is SessionState.PAUSED else "Pause  (Space)")
        self.extend_button.setEnabled(snap.state is SessionState.RUNNING)
        self.end_button.setEnabled(snap.state.is_active)

    def show_milestone(self, text: str) -> None:
        self.milestone_label.setText(text)
        self.milestone_label.setToolTip(text)


class FitDigits(QLabel):
    """The remaining time as large as its room allows: the font follows the label's size, never the reverse."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumHeight(MIN_DIGITS_PX)
        font = theme.digits_font()
        font.setPixelSize(100)
        metrics = QFontMetrics(font)
        # Per pixel of font size: the height of a line of digits, and the width of the widest text shown.
        self._height_per_px = metrics.height() / 100
        self._width_per_px = metrics.horizontalAdvance("-00:00") / 100
        self._colour = theme.INK
        self.pixel_size = theme.DIGITS_PX
        self._restyle()

    def set_colour(self, colour: str) -> None:
        self._colour = colour
        self._restyle()

    def sizeHint(self) -> QSize:
        return QSize(round(self._width_per_px * MIN_DIGITS_PX), round(self._height_per_px * MIN_DIGITS_PX))

    def resizeEvent(self, event) -> None:
        size = event.size()
        fit = int(min(size.height() / self._height_per_px, size.width() / self._width_per_px, theme.DIGITS_PX))
        if fit != self.pixel_size:
            self.pixel_size = max(fit, 24)
            self._restyle()
        super().resizeEvent(event)

    def _restyle(self) -> None:
        # The label's own style sheet wins over the window's QLabel#digits rule, whatever the specificity.
        font = theme.digits_font()
        font.setPixelSize(self.pixel_size)
        self.setFont(font)
        self.setStyleSheet(f"color: {self._colour}; font-size: {self.pixel_size}px;")
