"""The main window at the chair: timer, alarms, emergency stop and the panels the app adds."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from neurotimer import __version__
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.session.timer_panel import TimerPanel
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.alarm_banner import AlarmBanner, Priority
from neurotimer.gui.shell.escape_stop import EscapeStop
from neurotimer.gui.shell.shortcuts import help_text, key_for
from neurotimer.session.session import EventKind, Milestone, SessionState, format_clock

Confirm = Callable[[str, str], bool]

MILESTONE_TEXT = {
    Milestone.HALFWAY.value: "Halfway",
    Milestone.MINUTES_LEFT.value: "{minutes} minutes left",
    Milestone.PLANNED_END.value: "Planned time reached: remove the needles or extend",
}


def _typing_widget(widget: QWidget | None) -> bool:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()


class MainWindow(QMainWindow):
    """Layout and shortcuts only; every decision is the presenter's or the app's."""

    emergencyStopRequested = Signal()
    choosePatientRequested = Signal()
    endBlocked = Signal(str)

    def __init__(
        self,
        presenter: SessionPresenter,
        confirm: Confirm,
        side_panels: Sequence[QWidget] = (),
        tabs: Sequence[tuple[str, QWidget]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self._confirm = confirm
        self._end_guard: Callable[[], tuple[bool, str]] = lambda: (True, "")
        self.setWindowTitle("neurotimer")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1280, 720)

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(16, 12, 16, 12)
        root.setSpacing(10)

        header = QHBoxLayout()
        self.patient_label = QLabel("Patient: unassigned")
        self.patient_label.setStyleSheet("font-size: 18px;")
        # A long name or many cautions must not push the window wider than the screen.
        self.patient_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.patient_label.setMinimumWidth(200)
        header.addWidget(self.patient_label, 1)
        self.patient_button = QPushButton("Choose patient…  (Ctrl+P)")
        self.patient_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.patient_button.clicked.connect(self.choosePatientRequested)
        header.addWidget(self.patient_button)
        header.addStretch(1)
        self.stop_button = QPushButton("STOP ALL OUTPUTS  (Esc)")
        self.stop_button.setObjectName("stop")
        self.stop_button.setMinimumHeight(44)
        self.stop_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stop_button.clicked.connect(self.emergencyStopRequested)
        header.addWidget(self.stop_button)
        root.addLayout(header)
        # The alarm strip has its own full-width row of fixed height, there with or without alarms: a banner
        # never pushes what is below it down under the practitioner's cursor, nor widens the window.
        self.alarms = AlarmBanner(presenter.clock)
        root.addWidget(self.alarms)

        self.timer_panel = TimerPanel()
        # The practitioner can drag the boundary: more chart while planning, more clock at the chair.
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self.timer_panel)
        self.tabs = QTabWidget()
        self.tabs.hide()
        left.addWidget(self.tabs)
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 1)
        self.left_splitter = left
        for title, widget in tabs:
            self.add_tab(title, widget)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self._side = QWidget()
        self._side_layout = QVBoxLayout(self._side)
        self._side_layout.setContentsMargins(0, 0, 0, 0)
        self._side_layout.addStretch(1)
        self._side.hide()
        self.splitter.addWidget(self._side)
        for panel in side_panels:
            self.add_side_panel(panel)
        root.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"neurotimer {__version__}")

        self._build_menus()
        self._build_shortcuts()
        self._connect_presenter()

    def add_side_panel(self, panel: QWidget) -> None:
        """Panels arrive after the first paint, so the clock shows before anything heavy loads."""
        self._side_layout.insertWidget(self._side_layout.count() - 1, panel)
        if self._side.isHidden():
            self._side.show()
            self.splitter.setSizes([self.width() - 460, 460])

    def _open_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def add_tab(self, title: str, widget: QWidget, keep_last: bool = False) -> None:
        """Adds a tab; one added with keep_last stays the last tab whatever is added after it."""
        last = getattr(self, "_last_tab", None)
        if last is not None and self.tabs.indexOf(last) >= 0:
            self.tabs.insertTab(self.tabs.indexOf(last), widget, title)
        else:
            self.tabs.addTab(widget, title)
        if keep_last:
            self._last_tab = widget
        self.tabs.setCurrentIndex(0)
        self.tabs.show()

    # -- wiring ----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(key_for("quit")))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = self.menuBar().addMenu("&View")
        self.session_menu = self.menuBar().addMenu("&Session")
        p = self.presenter
        # The menu shows each action's key; the window-wide shortcuts below do the work.
        for text, action, slot in (
            ("&Start", "start", p.start),
            ("&Pause or resume", "pause", self._space_pressed),
            ("Add &5 minutes", "extend", p.extend),
            ("&End", "end", self.request_end),
            ("Choose &patient…", "patient", self.choosePatientRequested.emit),
            ("Emergency &stop", "stop", self.emergencyStopRequested.emit),
        ):
            item = QAction(f"{text}\t{key_for(action).replace('Return', 'Enter')}", self)
            item.triggered.connect(slot)
            self.session_menu.addAction(item)
        help_menu = self.menuBar().addMenu("&Help")
        shortcuts_action = QAction("&Keyboard shortcuts", self)
        shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts_action)
        about_action = QAction("&About neurotimer", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(about_action)

    def _build_shortcuts(self) -> None:
        p = self.presenter
        bindings = {
            "start": p.start,
            "pause": self._space_pressed,
            "extend": p.extend,
            "end": self.request_end,
            "patient": self.choosePatientRequested.emit,
            "minutes": self._edit_minutes,
        }
        self.shortcut_objects: dict[str, QShortcut] = {}
        for action, slot in bindings.items():
            shortcut = QShortcut(QKeySequence(key_for(action)), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self.shortcut_objects[action] = shortcut
        # Escape (the stop) is no shortcut: an open drop-down list or menu would swallow it. An event filter on
        # the whole application catches it in every window, list, menu and dialog of the app.
        self.escape_stop = EscapeStop(self)
        self.escape_stop.triggered.connect(self.emergencyStopRequested)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.escape_stop)
        # Alt+1 … Alt+9 open the tabs in order, for keyboard use at the chair.
        for number in range(1, 10):
            tab_key = QShortcut(QKeySequence(f"Alt+{number}"), self)
            tab_key.activated.connect(lambda n=number: self._open_tab(n - 1))
        # Keypad Enter is the other Enter key on a clinic keyboard.
        enter = QShortcut(QKeySequence("Ctrl+Enter"), self)
        enter.activated.connect(p.start)

    def _connect_presenter(self) -> None:
        p = self.presenter
        panel = self.timer_panel
        panel.startClicked.connect(p.start)
        panel.pauseClicked.connect(p.toggle_pause)
        panel.extendClicked.connect(p.extend)
        panel.endClicked.connect(self.request_end)
        panel.plannedMinutesChosen.connect(p.set_planned_minutes)
        p.updated.connect(panel.render)
        p.milestone.connect(self.on_milestone)
        p.sessionEvent.connect(self._on_session_event)
        p.stateChanged.connect(self.on_state_changed)
        p.refused.connect(lambda text: self.alarms.notify("refused", text, Priority.LOW))
        panel.render(p.snapshot())

    # -- slots -----------------------------------------------------------------------------------
    def _edit_minutes(self) -> None:
        spin = self.timer_panel.minutes_spin
        if spin.isVisible():
            spin.setFocus()
            spin.selectAll()

    def _space_pressed(self) -> None:
        if _typing_widget(QApplication.focusWidget()):
            return
        if self.presenter.session.state.is_active:
            self.presenter.toggle_pause()

    def set_end_guard(self, guard: Callable[[], tuple[bool, str]]) -> None:
        """guard() says whether the session may close now (e.g. every needle counted out), and why not."""
        self._end_guard = guard

    def request_end(self) -> None:
        session = self.presenter.session
        if not session.state.is_active:
            return
        allowed, why = self._end_guard()
        if not allowed:
            self.alarms.raise_alarm("end-blocked", why, Priority.HIGH)
            self.endBlocked.emit(why)
            return
        self.alarms.clear("end-blocked")
        remaining = session.remaining_seconds
        if remaining > 0 and not self._confirm(
            "End the session early?",
            f"{format_clock(remaining)} of the planned time remain. End the session now?",
        ):
            return
        self.presenter.end()

    def on_milestone(self, name: str, remaining: float) -> None:
        text = MILESTONE_TEXT[name].format(minutes=max(1, round(remaining / 60)))
        self.timer_panel.show_milestone(text)
        if name == Milestone.PLANNED_END.value:
            # Lasting: it stays (greyed once acknowledged) until the session ends or is extended.
            self.alarms.raise_alarm("milestone", text, Priority.HIGH)
        else:
            self.alarms.notify("milestone", text, Priority.LOW)

    def _on_session_event(self, event) -> None:
        if event.kind is EventKind.EXTENDED and self.presenter.session.remaining_seconds > 0:
            self.alarms.clear("milestone")
            self.timer_panel.show_milestone(f"Extended by {event.data['minutes']} min")

    def on_state_changed(self, state: SessionState) -> None:
        if state is SessionState.PLANNED:
            self.timer_panel.show_milestone("")
            self.alarms.clear("milestone")
        if state.is_closed:
            self.alarms.clear("milestone")

    def set_patient_text(self, text: str) -> None:
        self.patient_label.setText(f"Patient: {text}")
        self.patient_label.setToolTip(text)

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", help_text(), parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About neurotimer",
            f"neurotimer {__version__}\nSession timer, stimulator control and treatment log "
            "for medical electro-acupuncture.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.presenter.session.state.is_active and not self._confirm(
            "Quit neurotimer?",
            "A session is still running. Quitting ends it now and switches every output off. Quit?",
        ):
            event.ignore()
            return
        if self.presenter.session.state.is_active:
            self.presenter.end()
        event.accept()
