"""The main window: emergency stop, the alarm strip, the board of chairs and the chair on screen."""

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
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from neurotimer import __version__
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.alarm_banner import AlarmBanner, Priority
from neurotimer.gui.shell.alarm_list import AlarmListDialog
from neurotimer.gui.shell.chair_view import MILESTONE_TEXT, ChairView, Confirm
from neurotimer.gui.shell.escape_stop import EscapeStop
from neurotimer.gui.shell.flag_chips import FlagChips
from neurotimer.gui.shell.shortcuts import help_text, key_for

__all__ = ["MILESTONE_TEXT", "Confirm", "MainWindow"]

MAX_CHAIR_KEYS = 8  # Ctrl+1 … Ctrl+8
STRIP_MIN_WIDTH = 380  # an alarm's words stay readable on the strip, whatever the patient's name and flags
WHO_MAX_WIDTH = 440  # the name and the flag chips; chips that do not fit are counted in "+N more"


def _typing_widget(widget: QWidget | None) -> bool:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()


class MainWindow(QMainWindow):
    """Layout and shortcuts only; every decision is a presenter's or the app's.

    The window holds one view per chair (a stack: the chair on screen is shown, the others keep running) and,
    once there are several, the board beside them. `presenter`, `timer_panel`, `tabs` and the rest are the
    chair on screen's.
    """

    emergencyStopRequested = Signal()
    choosePatientRequested = Signal()
    endBlocked = Signal(str)
    quitWithNeedlesIn = Signal(str)  # why: quitting anyway with needles not counted out (before the session ends)
    chairShown = Signal(int)  # index of the chair now on screen

    def __init__(
        self,
        presenter: SessionPresenter,
        confirm: Confirm,
        side_panels: Sequence[QWidget] = (),
        tabs: Sequence[tuple[str, QWidget]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._confirm = confirm
        # Asked last at quit: whether the log can be left now (events not yet written are asked about).
        self.may_quit: Callable[[], bool] = lambda: True
        self.setWindowTitle("neurotimer")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1280, 720)

        central = QWidget()
        root = QVBoxLayout(central)
        self._root = root
        root.setContentsMargins(12, 6, 12, 6)
        root.setSpacing(4)

        header = QHBoxLayout()
        header.setSpacing(10)
        who = QVBoxLayout()
        who.setContentsMargins(0, 0, 0, 0)
        who.setSpacing(2)
        self.patient_label = QLabel("Patient: unassigned")
        self.patient_label.setStyleSheet("font-size: 18px;")
        self.patient_label.setTextFormat(Qt.TextFormat.PlainText)  # a name is shown as typed, never as markup
        # The name takes the room it needs, up to a limit, and the alarm strip beside it the rest: a long name
        # must not push the window wider than the screen (it gives way, never the chips) nor starve the strip.
        self.patient_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.patient_label.setMinimumWidth(160)
        self.patient_label.setMaximumWidth(420)
        who.addWidget(self.patient_label)
        self.flag_chips = FlagChips()
        self.flag_chips.hide()
        who.addWidget(self.flag_chips)
        who_box = QWidget()
        who_box.setLayout(who)
        who_box.setMaximumWidth(WHO_MAX_WIDTH)
        header.addWidget(who_box)
        self.patient_button = QPushButton("Patient…")
        self.patient_button.setToolTip("Choose or add the patient for this session (Ctrl+P)")
        self.patient_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.patient_button.clicked.connect(self.choosePatientRequested)
        header.addWidget(self.patient_button)
        # The alarm strip is in the header line, at a fixed size, there with or without alarms: a banner never
        # pushes what is below it down under the practitioner's cursor, nor widens the window, and it costs the
        # chair no row of its own.
        self.alarms = AlarmBanner(presenter.clock)
        self.alarms.listRequested.connect(self.show_alarm_list)
        self.alarm_list: AlarmListDialog | None = None
        self.alarms.setMinimumWidth(STRIP_MIN_WIDTH)
        header.addWidget(self.alarms, 1)
        # Who works here (chosen at the start): every acknowledgement, override and entry is recorded under them.
        # Compact, beside the strip: a long name gives way in the middle, never the code nor the strip.
        self.practitioner_label = QLabel()
        self.practitioner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.practitioner_label.setMaximumWidth(240)
        self.practitioner_label.hide()
        header.addWidget(self.practitioner_label)
        self.stop_button = QPushButton("STOP ALL OUTPUTS  (Esc)")
        self.stop_button.setObjectName("stop")
        self.stop_button.setMinimumHeight(44)
        self.stop_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stop_button.clicked.connect(self.emergencyStopRequested)
        header.addWidget(self.stop_button)
        root.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(10)
        self._board_slot = QVBoxLayout()
        self._board_slot.setContentsMargins(0, 0, 0, 0)
        body.addLayout(self._board_slot)
        self.stack = QStackedWidget()
        body.addWidget(self.stack, 1)
        root.addLayout(body, 1)
        self.board: QWidget | None = None
        self.views: list[ChairView] = []
        self.add_chair_view(ChairView(presenter, self.alarms, confirm))
        for title, widget in tabs:
            self.add_tab(title, widget)
        for panel in side_panels:
            self.add_side_panel(panel)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"neurotimer {__version__}")

        self._build_menus()
        self._build_shortcuts()

    # -- chairs ----------------------------------------------------------------------------------
    def add_chair_view(self, view: ChairView) -> int:
        """Another chair's view (the first is made with the window); returns its index."""
        self.views.append(view)
        self.stack.addWidget(view)
        view.endBlocked.connect(self.endBlocked)
        view.patientTextChanged.connect(lambda _text, v=view: v is self.view and self._show_patient(v))
        return len(self.views) - 1

    def remove_chair_view(self, view: ChairView) -> None:
        """A chair removed (Settings → Chairs): its view goes; the chair on screen stays, or the first comes."""
        shown = self.view
        self.views.remove(view)
        self.stack.removeWidget(view)
        view.deleteLater()
        if shown is view:
            self.stack.setCurrentIndex(0)
            self._show_patient(self.view)
        self.chairShown.emit(self.stack.currentIndex())

    def set_board(self, board: QWidget) -> None:
        """The board column, left of the chair on screen (only shown when there is more than one chair)."""
        self.board = board
        self._board_slot.addWidget(board)
        # With a board beside the chair every pixel of width goes to the work, none to the frame.
        self._root.setContentsMargins(8, 6, 8, 6)

    @property
    def view(self) -> ChairView:
        """The chair on screen."""
        return self.stack.currentWidget()  # type: ignore[return-value]

    @property
    def current_chair(self) -> int:
        return self.stack.currentIndex()

    def show_chair(self, index: int) -> None:
        """Brings a chair on screen; the others go on exactly as they were (only their drawing waits)."""
        if not 0 <= index < len(self.views) or index == self.stack.currentIndex():
            return
        view, shown = self.views[index], self.view
        self.stack.setCurrentIndex(index)
        # Every chair is laid out as the one the practitioner was just looking at (a view built while hidden
        # never had the window's width; a boundary dragged at one chair holds at the next).
        if shown.splitter.count() == view.splitter.count():
            view.splitter.setSizes(shown.splitter.sizes())
        if shown.left_splitter.count() == view.left_splitter.count():
            view.left_splitter.setSizes(shown.left_splitter.sizes())
        self._show_patient(view)
        view.timer_panel.render(view.presenter.snapshot())
        self.chairShown.emit(index)

    def refresh_header(self) -> None:
        """The header again for the chair on screen (after the chairs were renamed)."""
        self._show_patient(self.view)

    @property
    def confirm(self) -> Confirm:
        return self._confirm

    def _show_patient(self, view: ChairView) -> None:
        where = f"{view.name}  ·  " if view.name else ""
        self.patient_label.setText(f"{where}Patient: {view.patient_text}")
        self.patient_label.setToolTip(view.patient_text)
        if view.patient_flags:
            from neurotimer.storage.people import SCREENING_FLAGS  # loaded by then: the patient came from the log

            self.flag_chips.set_flags(view.patient_flags, [SCREENING_FLAGS.get(f, f) for f in view.patient_flags])
        else:
            self.flag_chips.set_flags([])

    # The chair on screen's parts, by the names the app and its tests have always used.
    @property
    def presenter(self) -> SessionPresenter:
        return self.view.presenter

    @property
    def timer_panel(self):
        return self.view.timer_panel

    @property
    def tabs(self):
        return self.view.tabs

    @property
    def splitter(self):
        return self.view.splitter

    @property
    def left_splitter(self):
        return self.view.left_splitter

    def add_side_panel(self, panel: QWidget) -> None:
        self.view.add_side_panel(panel)

    def add_tab(self, title: str, widget: QWidget, keep_last: bool = False) -> None:
        self.view.add_tab(title, widget, keep_last)

    def set_end_guard(self, guard: Callable[[], tuple[bool, str]]) -> None:
        self.view.set_end_guard(guard)

    def request_end(self) -> None:
        self.view.request_end()

    def on_milestone(self, name: str, remaining: float) -> None:
        self.view.on_milestone(name, remaining)

    def set_patient_text(self, text: str, flags: list[str] | None = None) -> None:
        self.view.set_patient_text(text, flags)

    def set_practitioner_text(self, text: str, detail: str = "") -> None:
        """"Dr Ana Lee · PR-001" in the header line (a long name gives way in the middle, never the code)."""
        label = self.practitioner_label
        shown = label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, label.maximumWidth())
        label.setText(shown)
        label.setToolTip(f"Practitioner: {detail or text}. Acknowledgements, overrides, scores and amendments "
                         "are recorded under them")
        label.show()

    # -- wiring ----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(key_for("quit")))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = self.menuBar().addMenu("&View")
        alarm_list = QAction("&Alarm list…", self)
        alarm_list.triggered.connect(self.show_alarm_list)
        self.view_menu.addAction(alarm_list)
        self.session_menu = self.menuBar().addMenu("&Session")
        self.settings_menu = self.menuBar().addMenu("Se&ttings")
        self.settings_menu.menuAction().setVisible(False)  # shown once the app adds something to it
        # The menu shows each action's key; the window-wide shortcuts below do the work (on the chair on screen).
        for text, action, slot in (
            ("&Start", "start", lambda: self.presenter.start()),
            ("&Pause or resume", "pause", self._space_pressed),
            ("Add &5 minutes", "extend", lambda: self.presenter.extend()),
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

    def add_settings_action(self, action: QAction) -> None:
        self.settings_menu.addAction(action)
        self.settings_menu.menuAction().setVisible(True)

    def _build_shortcuts(self) -> None:
        bindings = {
            "start": lambda: self.presenter.start(),
            "pause": self._space_pressed,
            "extend": lambda: self.presenter.extend(),
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
            tab_key.activated.connect(lambda n=number: self.view.open_tab(n - 1))
        # Ctrl+1 … Ctrl+8 bring a chair on screen.
        for number in range(1, MAX_CHAIR_KEYS + 1):
            chair_key = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            chair_key.activated.connect(lambda n=number: self.show_chair(n - 1))
        # Keypad Enter is the other Enter key on a clinic keyboard.
        enter = QShortcut(QKeySequence("Ctrl+Enter"), self)
        enter.activated.connect(lambda: self.presenter.start())

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

    def show_sound_note(self, text: str) -> None:
        """Said once and kept in view: alarms beep instead of sounding their bursts."""
        note = QLabel(text)
        note.setObjectName("muted")
        self.statusBar().addPermanentWidget(note)

    def show_alarm_list(self) -> None:
        if self.alarm_list is None:
            self.alarm_list = AlarmListDialog(self.alarms.model, self)
        self.alarm_list.show()
        self.alarm_list.raise_()

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

    def active_chairs(self) -> list[ChairView]:
        return [v for v in self.views if v.presenter.session.state.is_active]

    def closeEvent(self, event: QCloseEvent) -> None:
        active = self.active_chairs()
        uncounted = [(view, why) for view in active for ok, why in [view.end_check()] if not ok]
        if uncounted:
            # Quit counts the needles as End does: count them now, or quit with them recorded as not counted.
            view, why = uncounted[0]
            where = f"{view.name}: " if view.name else ""
            if not self._confirm("Quit with needles not counted out?",
                                 f"{where}{why}\n\nQuit anyway? The session is recorded with its needles not "
                                 "counted out, and neurotimer reminds you at the next start. Choose No to count "
                                 "them now."):
                event.ignore()
                self.show_chair(self.views.index(view))
                view.alarms.raise_alarm("end-blocked", why, Priority.HIGH)
                view.endBlocked.emit(why)
                return
            for view, why in uncounted:
                self.quitWithNeedlesIn.emit(f"{view.name}: {why}" if view.name else why)
        elif active:
            which = ("A session is still running" if len(self.views) == 1 else
                     "Sessions are still running in " + ", ".join(v.name for v in active))
            if not self._confirm("Quit neurotimer?",
                                 f"{which}. Quitting ends {'it' if len(active) == 1 else 'them'} now and "
                                 "switches every output off. Quit?"):
                event.ignore()
                return
        for view in active:
            view.presenter.end()
        if not self.may_quit():
            event.ignore()
            return
        event.accept()
