"""One chair's card on the board: name, patient, state colour, remaining time, outputs and worst alarm."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from neurotimer.chairs.status import ChairStatus
from neurotimer.gui.shell import theme
from neurotimer.session.session import format_clock

# IEC 60601-1-8 visual alarm rates: high priority flashes at 1.4–2.8 Hz, medium at 0.4–0.8 Hz.
FLASH_HALF_PERIOD_MS = {"high": 250, "medium": 800}
MIN_DIGITS_PX = 30
NAME_PX = 14
CHIP_PX = 10
CHIP_PADDING_PX = 4
MAX_DIGITS_PX = 72


class ChairCard(QFrame):
    """Layout only: renders a ChairStatus; a click asks for this chair to come on screen."""

    clicked = Signal()

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.status = ChairStatus(name="")
        self.on_screen = False
        self._flash_on = False
        self._styled: tuple | None = None
        self.setObjectName("chairCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(150, 78)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(7, 4, 5, 4)  # a narrow column: the name needs the room
        layout.setSpacing(0)

        top = QHBoxLayout()
        top.setSpacing(4)
        self.name_label = QLabel()
        self.name_label.setStyleSheet(f"font-size: {NAME_PX}px; font-weight: bold;")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)  # a chair's name is shown as typed
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        top.addWidget(self.name_label, 1)
        self.state_label = QLabel()
        self.state_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top.addWidget(self.state_label)
        layout.addLayout(top)

        self.digits = QLabel("30:00")
        self.digits.setAccessibleName("Remaining time")
        self._digits_px = MIN_DIGITS_PX
        layout.addWidget(self.digits, 1)

        self.detail = QLabel()
        self.detail.setObjectName("muted")
        self.detail.setStyleSheet("font-size: 12px;")
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.detail)
        self.alarm_label = QLabel()
        self.alarm_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.alarm_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.alarm_label)

        self._flash = QTimer(self)
        self._flash.timeout.connect(self._toggle_flash)

    # -- rendering -------------------------------------------------------------------------------
    def render(self, status: ChairStatus) -> None:
        self.status = status
        key = f" (Ctrl+{self.number})" if self.number <= 8 else ""
        self.setToolTip(f"{status.name}: {status.patient or 'patient unassigned'}. Click to bring it on screen{key}.")
        self.digits.setText(format_clock(status.shown_seconds))
        self._fit_name()
        outputs = f"{status.outputs_on} on" + (f" · {status.peak_ma:.1f} mA" if status.outputs_on else "")
        self.detail.setText(f"{status.patient or 'unassigned'} · {outputs}")
        self.alarm_label.setText(status.alarm)
        self.alarm_label.setToolTip(status.alarm)
        self.alarm_label.setVisible(bool(status.alarm))
        self.setAccessibleName(f"{status.name}, {theme.state_word(status.state).lower()}, "
                               f"{format_clock(status.shown_seconds)}" + (f", {status.alarm}" if status.alarm else ""))
        self._update_flashing()
        self._restyle()

    def set_on_screen(self, on_screen: bool) -> None:
        self.on_screen = on_screen
        self._update_flashing()
        self._restyle()

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def _update_flashing(self) -> None:
        # A chair the practitioner is looking at does not need to call them: its banner does.
        wanted = self.status.alarming and not self.on_screen
        interval = FLASH_HALF_PERIOD_MS.get(self.status.alarm_priority, 0)
        if wanted and (not self._flash.isActive() or self._flash.interval() != interval):
            self._flash.start(interval)
        elif not wanted and self._flash.isActive():
            self._flash.stop()
            self._flash_on = False

    def _toggle_flash(self) -> None:
        self._flash_on = not self._flash_on
        self._restyle()

    def _restyle(self) -> None:
        s = self.status
        key = (s.state, s.alarm_priority if s.alarm else "", self.on_screen, self._flash_on)
        if key == self._styled:
            return  # restyling re-polishes: only when something the style shows has changed
        self._styled = key
        colour = theme.STATE_COLOURS.get(s.state, theme.MUTED)
        alarm_colour = theme.ALARM_COLOURS.get(s.alarm_priority, theme.MUTED) if s.alarm else theme.BORDER
        background = alarm_colour if self._flash_on else theme.CARD
        border = f"4px solid {theme.INK}" if self.on_screen else f"1px solid {theme.BORDER}"
        self.setStyleSheet(
            f"ChairCard {{ background: {background}; border: {border}; border-left: 10px solid {colour};"
            " border-radius: 8px; }")
        self._style_digits()
        self.state_label.setStyleSheet(
            f"background: {colour}; color: white; border-radius: 4px; padding: 0px {CHIP_PADDING_PX}px;"
            f" font-size: {CHIP_PX}px; font-weight: bold;")
        # Over a flashing card the muted grey would vanish: the patient and outputs go white with the alarm.
        self.detail.setStyleSheet("font-size: 12px;" + (" color: white;" if self._flash_on else ""))
        self.alarm_label.setStyleSheet(
            f"color: {'white' if self._flash_on else alarm_colour}; font-size: 12px; font-weight: bold;")

    def _style_digits(self) -> None:
        # The window's style sheet sets every widget's font size: the digits' size must be a style too.
        ink = "white" if self._flash_on else theme.STATE_COLOURS.get(self.status.state, theme.MUTED)
        self.digits.setStyleSheet(
            f"color: {ink}; font-size: {self._digits_px}px; font-weight: bold;"
            ' font-family: "DejaVu Sans Mono", "Consolas", "Menlo", monospace;')

    # -- size and input --------------------------------------------------------------------------
    def _fit_name(self) -> None:
        """The whole name when it fits beside the state, else as much as fits and "…" (the tooltip has it all).
        Measured in the fonts the style sheets give, which a label only takes on once it is shown."""
        name_font, chip_font = QFont(self.font()), QFont(self.font())
        name_font.setPixelSize(NAME_PX)
        name_font.setBold(True)
        chip_font.setPixelSize(CHIP_PX)
        chip_font.setBold(True)
        names, chips = QFontMetrics(name_font), QFontMetrics(chip_font)
        word = theme.state_word(self.status.state)
        # "ENDED EARLY" beside "Room 1" left "Ro…": the chair's name matters more than the state's second word
        # (the card's colour and the chair on screen say the rest), so the state is shortened before the name.
        for state in (word, word.split(" ")[0]):
            room = max(20, self.width() - 34 - chips.horizontalAdvance(state) - 2 * CHIP_PADDING_PX)
            if names.horizontalAdvance(self.status.name) <= room:
                break
        self.state_label.setText(state)
        self.name_label.setText(names.elidedText(self.status.name, Qt.TextElideMode.ElideRight, room))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_name()
        # Fewer chairs, taller cards: the remaining time grows to be read from further away.
        room = self.height() - 52 - (16 if self.status.alarm else 0)
        wide = (self.width() - 24) / 3.7  # six monospace characters ("-01:15") across the card
        size = int(max(MIN_DIGITS_PX, min(MAX_DIGITS_PX, room, wide)))
        if size != self._digits_px:
            self._digits_px = size
            self._style_digits()

    @property
    def digits_px(self) -> int:
        return self._digits_px

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)
