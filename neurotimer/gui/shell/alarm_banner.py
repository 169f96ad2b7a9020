"""The alarm strip: a fixed-height view of the session's alarms that never moves the layout below it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from neurotimer.gui.shell import theme
from neurotimer.safety.alarms import FLASH_HZ, Alarm, AlarmModel, Change, Priority
from neurotimer.session.clock import Clock, SystemClock

__all__ = ["STRIP_HEIGHT", "Alarm", "AlarmBanner", "Priority"]

TEXT_PX = 15
STRIP_HEIGHT = 44  # the header line's height (the STOP button's): two lines of banner text; kept with or without alarms


class AlarmBanner(QFrame):
    """Shows the alarm that most needs the practitioner, and how many are up. Unacknowledged alarms flash
    (high fast, medium slowly, low steady); Acknowledge silences the one shown, which stays greyed while its
    cause lasts. The strip is there, empty, when no alarm is up, so nothing below it ever moves."""

    acknowledged = Signal(str)  # alarm key
    raised = Signal(str, str, str)  # key, text, priority: for the session record
    cleared = Signal(str)  # alarm key
    changed = Signal()
    listRequested = Signal()
    visibilityChanged = Signal(bool)  # whether an alarm is shown

    def __init__(self, clock: Clock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmStrip")
        self.model = AlarmModel(clock or SystemClock())
        self.model.subscribe(self._on_change)
        self.setFixedHeight(STRIP_HEIGHT)
        # Preferred with a hint of its minimum: the patient's name beside it has its own width first, and the
        # strip takes the rest of the header line (never less than its minimum).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 3, 5, 3)
        layout.setSpacing(8)
        self.count_label = QLabel()
        self.count_label.setObjectName("alarmCount")
        layout.addWidget(self.count_label)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self._text = ""
        self.label.installEventFilter(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        # A long text wraps to two lines and ends in "…" there (the whole text is the tool tip and in the list):
        # it never widens the window nor makes the strip taller.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.label, 1)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setStyleSheet("padding: 6px 10px;")
        self.ack_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.ack_button.clicked.connect(self.acknowledge_current)
        layout.addWidget(self.ack_button)
        self.list_button = QPushButton("List…")
        self.list_button.setStyleSheet("padding: 6px 10px;")
        self.list_button.setToolTip("Every alarm of this session, with raise, acknowledge and clear times")
        self.list_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.list_button.clicked.connect(self.listRequested)
        layout.addWidget(self.list_button)
        self.flash_on = False
        self._flash = QTimer(self)
        self._flash.timeout.connect(self._toggle_flash)
        self._shown_key: tuple[str, bool, int] | None = None
        self._refresh()

    def sizeHint(self) -> QSize:
        return QSize(max(self.minimumWidth(), 200), STRIP_HEIGHT)

    # -- the API the rest of the app uses --------------------------------------------------------
    def raise_alarm(self, key: str, text: str, priority: Priority = Priority.HIGH, *, lasting: bool = True,
                    audible: bool = True) -> None:
        """An alarm with a lasting cause (clear(key) when it ends); lasting=False for a one-off notice."""
        self.model.raise_alarm(key, text, priority, lasting=lasting, audible=audible)

    def notify(self, key: str, text: str, priority: Priority = Priority.LOW, *, audible: bool = True) -> None:
        """A one-off notice: it goes when acknowledged."""
        self.model.raise_alarm(key, text, priority, lasting=False, audible=audible)

    def restate(self, key: str, text: str) -> None:
        """New words for an alarm already up (a count that moved); it does not sound again."""
        self.model.restate(key, text)

    def clear(self, key: str) -> None:
        self.model.clear(key)

    def acknowledge(self, key: str) -> None:
        self.model.acknowledge(key)

    def acknowledge_current(self) -> None:
        """Acknowledges the alarm shown (the worst not yet acknowledged)."""
        alarm = self.model.current()
        if alarm is not None:
            self.model.acknowledge(alarm.key)

    def active(self) -> list[Alarm]:
        return self.model.shown()

    def current(self) -> Alarm | None:
        return self.model.current()

    # -- view ------------------------------------------------------------------------------------
    def _on_change(self, change: Change, alarm: Alarm) -> None:
        if change is Change.RAISED:
            self.raised.emit(alarm.key, alarm.text, alarm.priority.value)
        elif change is Change.ACKNOWLEDGED:
            self.acknowledged.emit(alarm.key)
        elif change is Change.CLEARED:
            self.cleared.emit(alarm.key)
        self._refresh()
        self.changed.emit()

    def _toggle_flash(self) -> None:
        self.flash_on = not self.flash_on
        self._restyle()

    def _refresh(self) -> None:
        alarm = self.model.current()
        shown = self.model.shown()
        if alarm is None:
            self._flash.stop()
            self.flash_on = False
            self.count_label.setText("")
            self._set_text("No alarms")
            self.label.setToolTip("")
            self.ack_button.hide()
            self.list_button.setVisible(bool(self.model.history()))
            self._restyle()
            if self._shown_key is not None:
                self._shown_key = None
                self.visibilityChanged.emit(False)
            return
        # The priority in words too (not only by colour), and how many are up when several are.
        word = alarm.priority.value.upper()
        # Several: the count under the word, so that the badge is no wider than the word alone and the text
        # beside it keeps its room in a header line shared with a chair's name and the practitioner's.
        self.count_label.setText(f"{word}\n{len(shown)} alarms" if len(shown) > 1 else word)
        self.count_label.setProperty("several", len(shown) > 1)
        prefix = "Acknowledged: " if alarm.acknowledged else ""
        self._set_text(prefix + alarm.text)
        self.label.setToolTip(alarm.text)
        self.ack_button.setVisible(not alarm.acknowledged)
        self.list_button.show()
        hz = 0.0 if alarm.acknowledged else FLASH_HZ[alarm.priority]
        key = (alarm.key, alarm.acknowledged, alarm.serial)
        if key != self._shown_key:
            self.flash_on = hz > 0
            if hz > 0:
                self._flash.start(round(500 / hz))  # two toggles per flash period
            else:
                self._flash.stop()
        was_empty = self._shown_key is None
        self._shown_key = key
        self._restyle()
        if was_empty:
            self.visibilityChanged.emit(True)

    def _set_text(self, text: str) -> None:
        self._text = text
        self._fit_text()

    def eventFilter(self, watched, event) -> bool:
        # The label's width changes with the buttons beside it as well as with the strip.
        if watched is self.label and event.type() == QEvent.Type.Resize:
            self._fit_text()
        return False

    def _fit_text(self) -> None:
        """The text as it fits two lines of the label, ending in "…" when it does not (the strip never grows)."""
        text = self._text
        width = self.label.width()
        font = QFont(self.label.font())
        font.setPixelSize(TEXT_PX)
        font.setBold(True)
        metrics = QFontMetrics(font)
        if width > 40 and metrics.boundingRect(0, 0, width, 10_000, Qt.TextFlag.TextWordWrap, text).height() > \
                2 * metrics.lineSpacing():
            words = text.split()
            while words and metrics.boundingRect(0, 0, width, 10_000, Qt.TextFlag.TextWordWrap,
                                                 " ".join(words) + "…").height() > 2 * metrics.lineSpacing():
                words.pop()
            text = " ".join(words) + "…"
        if self.label.text() != text:
            self.label.setText(text)

    def text(self) -> str:
        """The whole text of the alarm shown (the label may end it in "…")."""
        return self._text

    def colour(self) -> str:
        """The strip's background now: the priority colour, its pale phase while flashing, grey once acknowledged."""
        alarm = self.model.current()
        if alarm is None:
            return "transparent"
        if alarm.acknowledged:
            return theme.ACKNOWLEDGED_COLOUR
        if FLASH_HZ[alarm.priority] > 0 and not self.flash_on:
            return theme.ALARM_DIM_COLOURS[alarm.priority.value]
        return theme.ALARM_COLOURS[alarm.priority.value]

    def _restyle(self) -> None:
        alarm = self.model.current()
        if alarm is None:
            self.setStyleSheet(f"QFrame#alarmStrip {{ background: transparent; border: 1px dashed {theme.BORDER};"
                               f" border-radius: 8px; }} QLabel {{ color: {theme.MUTED}; }}")
            return
        ink = theme.ALARM_INK[alarm.priority.value] if not alarm.acknowledged else "white"
        self.setStyleSheet(
            f"QFrame#alarmStrip {{ background: {self.colour()}; border-radius: 8px; }}"
            f"QLabel {{ color: {ink}; font-size: {TEXT_PX}px; font-weight: bold; }}"
            f"QLabel#alarmCount {{ border: 2px solid {ink}; border-radius: 11px; padding: 1px 10px;"
            " font-size: 14px; }"
            "QLabel#alarmCount[several='true'] { font-size: 12px; padding: 0px 8px; border-radius: 8px; }"
        )
