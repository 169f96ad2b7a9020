"""Choosing today's points: search as you type, pick the side, load a template or last session's set."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.plan.plan_list import PlanList, point_line, point_tooltip
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.plan.template_bar import TemplateBar
from neurotimer.gui.shell.log_reach import plain
from neurotimer.plan.plan import Plan, SideChoice, parse_side, plan_from_sides
from neurotimer.plan.template_store import TemplateLibrary
from neurotimer.plan.templates import TemplateError, apply_template, template_from_plan
from neurotimer.points.catalogue import Catalogue, Point, Side

log = logging.getLogger(__name__)

SEARCH_LIMIT = 60
LastPoints = Callable[[int], list[tuple[str, str]]]
AskName = Callable[[str], str | None]
Confirm = Callable[[str, str], bool]
ReplaceOrAdd = Callable[[str], str | None]  # the question; "replace", "add", or None to leave the plan alone


def _default_ask_name(parent: QWidget) -> AskName:
    def ask(suggestion: str) -> str | None:
        name, ok = QInputDialog.getText(parent, "Save as template", "Template name:", text=suggestion)
        return name if ok else None

    return ask


class PointPicker(QWidget):
    """Edits the plan model's points (and, loading a template that gives them, its pairs). Collaborators
    come in: the plan model, the catalogue, the template library, and optionally `last_points(patient_id)`
    from the store, `ask_name` and `confirm` for the save dialogue."""

    waveformSuggested = Signal(object)  # Waveform from a template that prescribes one
    message = Signal(str)  # the text shown in the status line, for the lead's log or banner

    def __init__(
        self,
        plans: PlanModel,
        catalogue: Catalogue,
        templates: TemplateLibrary,
        last_points: LastPoints | None = None,
        ask_name: AskName | None = None,
        confirm: Confirm | None = None,
        replace_or_add: ReplaceOrAdd | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._plans = plans
        self._catalogue = catalogue
        self._templates = templates
        self._last_points = last_points
        self._ask_name = ask_name or _default_ask_name(self)
        self._confirm = confirm or (lambda _title, _text: True)
        self._replace_or_add = replace_or_add or (lambda _question: "replace")
        self._patient_id: int | None = None
        self._build()
        self.reload_templates()
        self._run_search()
        self._refresh_plan()
        plans.pointsChanged.connect(self._refresh_plan)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        # Tighter buttons than the window's defaults: this panel lives in a tab of about 800 x 380.
        self.setStyleSheet("QPushButton { padding: 5px 12px; font-size: 15px; }")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 6)
        outer.setSpacing(6)

        self.template_bar = TemplateBar()
        self.template_combo = self.template_bar.combo
        self.load_button = self.template_bar.load_button
        self.load_button.clicked.connect(self.load_selected_template)
        self.save_button = self.template_bar.save_button
        self.save_button.clicked.connect(self.save_as_template)
        self.last_button = self.template_bar.last_button
        self.last_button.clicked.connect(self.load_last_session)
        outer.addWidget(self.template_bar)

        columns = QHBoxLayout()
        columns.setSpacing(12)
        left = QVBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: code, name, nerve or region (st36, zusanli, peroneal)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._run_search)
        self.search.returnPressed.connect(self.add_current)
        left.addWidget(self.search)
        self.results = QListWidget()
        self.results.setAlternatingRowColors(True)
        self.results.setSpacing(1)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.itemDoubleClicked.connect(lambda _item: self.add_current())
        self.results.currentItemChanged.connect(lambda *_: self._update_side_buttons())
        left.addWidget(self.results, 1)

        sides = QHBoxLayout()
        sides.addWidget(QLabel("Side"))
        self.side_group = QButtonGroup(self)
        self.side_buttons: dict[SideChoice, QPushButton] = {}
        for choice, text in ((SideChoice.LEFT, "Left"), (SideChoice.BOTH, "Both"), (SideChoice.RIGHT, "Right")):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setObjectName("preset")
            self.side_group.addButton(button)
            self.side_buttons[choice] = button
            sides.addWidget(button)
        self.side_buttons[SideChoice.BOTH].setChecked(True)
        sides.addStretch(1)
        self.add_button = QPushButton("Add ▸")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_current)
        sides.addWidget(self.add_button)
        left.addLayout(sides)
        columns.addLayout(left, 11)

        self.plan_view = PlanList()
        self.plan_list = self.plan_view.list
        self.count_label = self.plan_view.count_label
        self.remove_button = self.plan_view.remove_button
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button = self.plan_view.clear_button
        self.clear_button.clicked.connect(self.clear)
        columns.addWidget(self.plan_view, 9)
        outer.addLayout(columns, 1)

        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.hide()  # shown when it has something to say: the result list gets the line otherwise
        outer.addWidget(self.status)
        self._update_last_button()

    # -- public API ------------------------------------------------------------------------------
    def set_catalogue(self, catalogue: Catalogue) -> None:
        """A reloaded catalogue: points are looked up again by code; any now unknown are listed."""
        self._catalogue = catalogue
        plan, unknown = plan_from_sides(catalogue.get, self._plans.plan().point_sides())
        self._run_search()
        self._plans.set_points(plan)
        if unknown:
            self._say(f"No longer in the point catalogue, so left out: {', '.join(unknown)}.")

    def set_patient(self, patient_id: int | None) -> None:
        self._patient_id = patient_id
        self._update_last_button()

    def select_point(self, code: str, side: str | Side | SideChoice = SideChoice.BOTH) -> bool:
        """Adds a point (e.g. from the body chart's pointClicked(code, side)); False if unknown."""
        point = self._catalogue.get(code)
        if point is None:
            self._say(f"{code} is not in the point catalogue.")
            return False
        if isinstance(side, Side) or str(side).upper() in ("L", "R", "M"):
            side = parse_side(side)
            choice = {Side.LEFT: SideChoice.LEFT, Side.RIGHT: SideChoice.RIGHT}.get(side, SideChoice.BOTH)
        else:
            choice = SideChoice.parse(side)
        self._add(point, choice)
        return True

    def reload_templates(self) -> None:
        problems = self.template_bar.fill(self._templates)
        if problems:
            self._say(" ".join(problems))

    # -- actions ---------------------------------------------------------------------------------
    def side_choice(self) -> SideChoice:
        for choice, button in self.side_buttons.items():
            if button.isChecked():
                return choice
        return SideChoice.BOTH

    def set_side_choice(self, choice: SideChoice | str) -> None:
        self.side_buttons[SideChoice.parse(choice)].setChecked(True)

    def current_point(self) -> Point | None:
        item = self.results.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def add_current(self) -> None:
        point = self.current_point()
        if point is None and self.results.count():
            point = self.results.item(0).data(Qt.ItemDataRole.UserRole)
        if point is not None:
            self._add(point, self.side_choice())

    def remove_selected(self) -> None:
        plan = self._plans.plan()
        for code in self.plan_view.selected_codes():
            plan = plan.remove(code)
        self._plans.set_points(plan)

    def clear(self) -> None:
        if self._plans.plan().points and not self._confirm(
            "Clear today's needles", "Remove every point from the plan?"
        ):
            return
        self._plans.set_points(Plan())

    def load_selected_template(self) -> None:
        template = self.template_bar.current()
        if template is None:
            return
        applied = apply_template(template, self._catalogue.get)
        current = self._plans.plan()
        how = "replace"
        if current.points:
            # Points picked by hand are never dropped without asking.
            how = self._replace_or_add(
                f"Today's plan already has {current.needle_count} needles. Replace them with "
                f"'{template.name}' ({applied.plan.needle_count} needles), or add its points to them?")
            if how is None:
                return
        if how == "add":
            added = tuple(p for p in applied.plan.points if not current.has_point(p.code, p.side))
            self._plans.set_points(current.points + added)  # the pairs already chosen stay
        elif applied.plan.pairs:
            self._plans.load(applied.plan)
        else:
            self._plans.set_points(applied.plan)  # the pairs already chosen stay
        if template.waveform is not None:
            self.waveformSuggested.emit(template.waveform)
        words = [f"Loaded '{template.name}': {applied.plan.needle_count} needles."]
        if template.stimulation:
            words.append(f"Stimulation: {template.stimulation}.")
        if applied.unknown:
            words.append(applied.message)
        self._say(" ".join(words))

    def save_as_template(self) -> None:
        name = self._ask_name("")
        if name is None:
            return
        try:
            template = template_from_plan(name, self._plans.plan())
            try:
                self._templates.save(template)
            except TemplateError as exc:
                if "already exists" not in str(exc) or not self._confirm("Replace template", f"{exc} Replace it?"):
                    raise
                self._templates.save(template, overwrite=True)
        except TemplateError as exc:
            self._say(str(exc))
            return
        except OSError as exc:
            self._say(f"The template could not be saved: {exc}.")
            return
        self.reload_templates()
        self.template_bar.choose(template.name)
        self._say(f"Saved template '{template.name}'.")

    def load_last_session(self) -> None:
        if self._last_points is None or self._patient_id is None:
            self._say("Choose a patient first: their last session's points are loaded from the record.")
            return
        try:
            entries = self._last_points(self._patient_id)
        except Exception as exc:  # a store failure must not take the picker down; say it and go on
            log.warning("last session's points could not be read: %s", type(exc).__name__)
            self._say(plain(exc, "The last session's points could not be read", "Press it again in a moment."))
            return
        if not entries:
            self._say("This patient has no earlier session with points recorded.")
            return
        plan, unknown = plan_from_sides(self._catalogue.get, entries)
        self._plans.set_points(plan)
        text = f"Loaded the last session's points: {plan.needle_count} needles."
        if unknown:
            text += f" Not in the point catalogue, so left out: {', '.join(unknown)}."
        self._say(text)

    # -- internals -------------------------------------------------------------------------------
    def _add(self, point: Point, choice: SideChoice) -> None:
        self._plans.set_points(self._plans.plan().add(point, choice))

    def _say(self, text: str) -> None:
        self._show_status(text)
        self.message.emit(text)

    def _run_search(self) -> None:
        query = self.search.text().strip()
        found = self._catalogue.search(query, limit=SEARCH_LIMIT) if query else list(self._catalogue)
        self.results.clear()
        for point in found:
            item = QListWidgetItem(point_line(point))
            item.setData(Qt.ItemDataRole.UserRole, point)
            item.setToolTip(point_tooltip(point))
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        elif query:
            self._show_status(f"No point matches '{query}'.")
        self._update_side_buttons()

    def _show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _update_side_buttons(self) -> None:
        point = self.current_point()
        one_sided = point is not None and not point.bilateral
        self.side_buttons[SideChoice.LEFT].setEnabled(not one_sided)
        self.side_buttons[SideChoice.RIGHT].setEnabled(not one_sided)
        self.add_button.setEnabled(point is not None)
        self.add_button.setText("Add (midline) ▸" if one_sided else "Add ▸")

    def _update_last_button(self) -> None:
        self.last_button.setEnabled(self._last_points is not None and self._patient_id is not None)

    def _refresh_plan(self, _plan: Plan | None = None) -> None:
        plan = self._plans.plan()
        self.plan_view.show_plan(plan)
        self.save_button.setEnabled(bool(plan.points))
