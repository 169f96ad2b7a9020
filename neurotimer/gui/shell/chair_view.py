"""The at-the-chair view of one chair: its big clock, its working tabs and its stimulator column."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.session.timer_panel import TimerPanel
from neurotimer.gui.shell.alarm_banner import Priority
from neurotimer.session.session import EventKind, Milestone, SessionState, format_clock

Confirm = Callable[[str, str], bool]

MILESTONE_TEXT = {
    Milestone.HALFWAY.value: "Halfway",
    Milestone.MINUTES_LEFT.value: "{minutes} minutes left",
    Milestone.PLANNED_END.value: "Planned time reached: remove the needles or extend",
}

SIDE_WIDTH = 410


class ChairView(QWidget):
    """Layout and this chair's session intents; alarms go to the chair's alarms (the strip's API)."""

    endBlocked = Signal(str)
    patientTextChanged = Signal(str)

    def __init__(self, presenter: SessionPresenter, alarms, confirm: Confirm, name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.alarms = alarms
        self.name = name
        self.patient_text = "unassigned"
        self.patient_flags: list[str] = []
        self._confirm = confirm
        self._end_guard: Callable[[], tuple[bool, str]] = lambda: (True, "")
        self._last_tab: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.timer_panel = TimerPanel()
        # The practitioner can drag the boundary: more chart while planning, more clock at the chair.
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self.timer_panel)
        self.tabs = QTabWidget()
        # The widest page (the session record) must not make the window wider than a 1366-px screen: the tabs
        # have a minimum of their own, and the page gets whatever room the window has.
        self.tabs.setMinimumWidth(560)
        self.tabs.hide()
        left.addWidget(self.tabs)
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 1)
        self._side_dragged = False
        self.left_splitter = left

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self._side = QWidget()
        self._side_layout = QVBoxLayout(self._side)
        self._side_layout.setContentsMargins(0, 0, 0, 0)
        self._side_layout.addStretch(1)
        self._side.hide()
        self.splitter.addWidget(self._side)
        # The stimulator column keeps its width (every channel card whole); the work gets the rest.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_side_dragged", True))
        layout.addWidget(self.splitter)
        self._connect_presenter()

    # -- what the app adds -----------------------------------------------------------------------
    def add_side_panel(self, panel: QWidget) -> None:
        """Panels arrive after the first paint, so the clock shows before anything heavy loads."""
        self._side_layout.insertWidget(self._side_layout.count() - 1, panel)
        if self._side.isHidden():
            self._side.show()
        self._size_side()

    def _size_side(self) -> None:
        side = max(SIDE_WIDTH, self._side.minimumSizeHint().width())
        total = sum(self.splitter.sizes())
        if total > side + 200:
            self.splitter.setSizes([total - side, side])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._side_dragged and not self._side.isHidden():
            # The column keeps its width as the window or the board changes, until the practitioner drags it.
            self._size_side()

    def add_tab(self, title: str, widget: QWidget, keep_last: bool = False) -> None:
        """Adds a tab; one added with keep_last stays the last tab whatever is added after it."""
        last = self._last_tab
        if last is not None and self.tabs.indexOf(last) >= 0:
            self.tabs.insertTab(self.tabs.indexOf(last), widget, title)
        else:
            self.tabs.addTab(widget, title)
        if keep_last:
            self._last_tab = widget
        self.tabs.setCurrentIndex(0)
        self.tabs.show()

    def open_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def set_patient_text(self, text: str, flags: list[str] | None = None) -> None:
        """The patient's description, and their screening flags (keys) shown as chips beside it."""
        self.patient_text = text
        self.patient_flags = list(flags or [])
        self.patientTextChanged.emit(text)

    # -- the session -----------------------------------------------------------------------------
    def _connect_presenter(self) -> None:
        p = self.presenter
        panel = self.timer_panel
        panel.startClicked.connect(p.start)
        panel.pauseClicked.connect(p.toggle_pause)
        panel.extendClicked.connect(p.extend)
        panel.endClicked.connect(self.request_end)
        panel.plannedMinutesChosen.connect(p.set_planned_minutes)
        p.updated.connect(self._render)
        p.milestone.connect(self.on_milestone)
        p.sessionEvent.connect(self._on_session_event)
        p.stateChanged.connect(self.on_state_changed)
        p.refused.connect(lambda text: self.alarms.notify("refused", text, Priority.LOW))
        panel.render(p.snapshot())

    def _render(self, snapshot) -> None:
        # A chair off screen keeps its time in its session; its big clock is drawn again when it is shown.
        if not self.isHidden():
            self.timer_panel.render(snapshot)

    def showEvent(self, event) -> None:
        self.timer_panel.render(self.presenter.snapshot())
        super().showEvent(event)

    def set_end_guard(self, guard: Callable[[], tuple[bool, str]]) -> None:
        """guard() says whether the session may close now (e.g. every needle counted out), and why not."""
        self._end_guard = guard

    def end_check(self) -> tuple[bool, str]:
        """Whether the session may close now and why not (the same check End makes, used by Quit too)."""
        return self._end_guard()

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
        where = f"{self.name}: " if self.name else ""
        if remaining > 0 and not self._confirm(
            "End the session early?",
            f"{where}{format_clock(remaining)} of the planned time remain. End the session now?",
        ):
            return
        self.presenter.end()

    def on_milestone(self, name: str, remaining: float) -> None:
        text = MILESTONE_TEXT[name].format(minutes=max(1, round(remaining / 60)))
        self.timer_panel.show_milestone(text)
        # Milestones have their own chime. The planned end is a medium alarm (prompt response: the needles come
        # out) that sounds until acknowledged and stays, greyed, until the session ends or is extended; halfway
        # and minutes-left are silent notices that go when acknowledged.
        if name == Milestone.PLANNED_END.value:
            self.alarms.raise_alarm("milestone", text, Priority.MEDIUM)
        else:
            self.alarms.notify("milestone", text, Priority.LOW, audible=False)

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
            self.timer_panel.show_milestone("")  # "Planned time reached: … extend" is no instruction after End
