"""Session and course reports for a patient's chart or a referring doctor: STRICTA items from the record, the
timeline and course charts, the practitioner, and each session's last log hash; as PDF or on a printer."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from neurotimer import __version__
from neurotimer.gui.review.course_view import followed, summary_lines
from neurotimer.gui.review.replay_text import pairs_lines
from neurotimer.gui.review.report_charts import course_image, timeline_image
from neurotimer.gui.shell.theme import BACKGROUND, ERROR, INK, MUTED
from neurotimer.session.course import sessions_per_week
from neurotimer.storage.db import StoreError
from neurotimer.storage.deidentify import (
    Pseudonyms,
    SymptomNames,
    listed,
    withheld_course,
    withheld_course_data,
    withheld_details,
    withheld_patient,
)
from neurotimer.storage.practitioners import practitioner_code
from neurotimer.storage.replay import Replay, session_replay
from neurotimer.storage.report_data import CourseData, course_data, effective_scores, peaks
from neurotimer.storage.review_queries import points_text

STYLE = f"""
body {{ font-family: sans-serif; font-size: 7pt; color: {INK}; }}
h1 {{ font-size: 11pt; margin: 0; }} h2 {{ font-size: 8.5pt; margin: 4px 0 1px 0; }}
td, th {{ padding: 0px 3px; vertical-align: top; }} th {{ text-align: left; background: {BACKGROUND}; }}
.muted {{ color: {MUTED}; }} .alarm {{ color: {ERROR}; font-weight: bold; }} .hash {{ font-family: monospace; }}
"""


class Report:
    """A report's HTML and its chart images, ready for a PDF or a printer."""

    def __init__(self, title: str, html: str, images: dict[str, object], *, subject: tuple[str, int] = ("", 0),
                 made_by: int | None = None, deidentified: bool = False) -> None:
        self.title, self.html, self.images = title, html, images
        self.subject, self.made_by, self.deidentified = subject, made_by, deidentified

    def record_in(self, store, made_as: str) -> None:
        """The log keeps that this report was made, of what, and by whom (the practitioner's code)."""
        store.record_report(*self.subject, practitioner_id=self.made_by, deidentified=self.deidentified,
                            made_as=made_as)

    def document(self, width_pt: float) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultStyleSheet(STYLE)
        for name, image in self.images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        doc.setHtml(self.html.replace("{WIDTH}", str(int(width_pt))))
        return doc

    def print_to(self, device: QPagedPaintDevice) -> None:
        layout = device.pageLayout()
        rect = layout.paintRectPoints()
        doc = self.document(rect.width())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        doc.print_(device)

    def write_pdf(self, out: Path) -> None:
        """Drawn in memory, then written through an exclusive temporary file (0600) renamed into place, so
        a failure never leaves half a report and a link planted beside `out` is never followed."""
        from neurotimer.storage.outfile import write_private

        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setTitle(self.title)
        writer.setCreator(f"neurotimer {__version__}")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 12, 15, 12), QPageLayout.Unit.Millimeter))
        writer.setResolution(300)
        self.print_to(writer)
        del writer  # the document is complete once the writer is gone
        data = bytes(buffer.data())
        buffer.close()
        write_private([(out, lambda handle: handle.write(data))])


def _when(text: str | None, deidentify: bool) -> str:
    if not text:
        return "–"
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return str(moment.year) if deidentify else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _row(item: str, words: str, value: str) -> str:
    return f"<tr><td><b>{item}</b></td><td>{words}</td><td>{value}</td></tr>"


def _patient_line(patient, deidentify: bool) -> str:
    if patient is None:
        return "unassigned"
    born = f", born {patient.birth_year}" if patient.birth_year else ""
    if deidentify:
        return f"{escape(patient.code)} (de-identified){born}"
    return f"{escape(patient.code)} {escape(patient.name or '')}{born}"


def _practitioner(store, practitioner_id: int | None, deidentify: bool) -> tuple[str, str]:
    """Name, profession, registration and code (de-identified: the code alone) and background."""
    if practitioner_id is None:
        return "–", "–"
    if deidentify:
        return practitioner_code(practitioner_id), "–"
    try:
        p = store.get_practitioner(practitioner_id)
    except StoreError:
        return practitioner_code(practitioner_id), "–"
    return f"{p.label} · {p.code}", p.background or "–"


def _made_by(store, made_by: int | None, deidentify: bool) -> str:
    who = "no practitioner named" if made_by is None else _practitioner(store, made_by, deidentify)[0]
    return f"Report made by {escape(who)}"


def _variation(store, replay: Replay) -> str:
    """STRICTA 1c: how this session's points differ from the course's previous session."""
    s = replay.record.summary
    if s.course_id is None or not s.number or s.number <= 1:
        return "first session of the course" if s.course_id is not None else "no course"
    row = store.conn.execute("SELECT id FROM sessions WHERE course_id = ? AND number = ?",
                             (s.course_id, s.number - 1)).fetchone()
    if row is None:
        return "–"
    before = {tuple(p) for p in store.get_session(row[0]).effective("points")}
    now = {tuple(p) for p in replay.record.effective("points")}
    if before == now:
        return f"same points as session {s.number - 1}"
    added = ", ".join(f"{c} {d}" for c, d in sorted(now - before)) or "none"
    dropped = ", ".join(f"{c} {d}" for c, d in sorted(before - now)) or "none"
    return f"changed from session {s.number - 1}: added {added}; left out {dropped}"


def session_report(store, session_id: int, deidentify: bool = False, made_by: int | None = None) -> Report:
    """One page: STRICTA items, scores, adverse events, the timeline, the practitioner and the last log hash.
    `made_by`: who makes the report; by default the practitioner at work, else the session's."""
    replay = session_replay(store, session_id)
    record, s = replay.record, replay.record.summary
    patient = store.effective_patient(s.patient_id) if s.patient_id is not None else None
    course = store.get_course(s.course_id) if s.course_id is not None else None
    name, background = _practitioner(store, record.practitioner_id, deidentify)
    if made_by is None:
        made_by = store.current_practitioner_id or record.practitioner_id
    details = {k: record.effective(k) for k in ("needle_type", "depth", "response_sought", "setting")}
    symptom_name, adverse_kind = str, str
    if deidentify:  # what can name a person stays off the page, as in a de-identified export
        symptom_name, adverse_kind = SymptomNames(), lambda kind: listed("kind", kind)
        patient, course = withheld_patient(patient, Pseudonyms()), withheld_course(course, symptom_name)
        details, background = withheld_details(details), "–"
    inserted = next((e["data"].get("inserted") for e in reversed(replay.events) if e["kind"] == "needles.count"),
                    None)
    points = record.effective("points")
    peak = peaks(store.conn, [session_id])[session_id]
    stimulation = "<br>".join(
        escape(line) + (f", peak {peak[c['channel']]:.1f} mA" if c["channel"] in peak else "")
        for line, c in zip(pairs_lines(record.channels), record.channels, strict=True)
    ) or "none"
    pace = "–"
    if course is not None:
        started = [r[0] for r in store.conn.execute("SELECT started_at FROM sessions WHERE course_id = ?"
                                                    " AND number <= ?", (course.id, s.number or 0))]
        actual = sessions_per_week(started)
        pace = f"{course.sessions_per_week:g} a week planned" + (f", {actual:.1f} a week so far" if actual else "")
    rows = [
        _row("1a", "Style", escape(course.style if course else "–") or "–"),
        _row("1b", "Reasoning", escape(course.reasoning if course else "–") or "–"),
        _row("1c", "Variation", escape(_variation(store, replay))),
        _row("2a", "Needle insertions", str(inserted if inserted is not None else len(points))),
        _row("2b", "Points", escape(points_text(",".join(f"{c} {d}" for c, d in points))) or "–"),
        _row("2c", "Depth", escape(details["depth"] or "–")),
        _row("2d", "Response sought", escape(details["response_sought"] or "–")),
        _row("2e", "Stimulation", stimulation),
        _row("2f", "Retention", f"{s.treatment_seconds / 60:.0f} min of {s.planned_minutes} planned"),
        _row("2g", "Needle type", escape(details["needle_type"] or "–")),
        _row("3a", "Sessions", f"session {s.number} of {course.planned_sessions}" if course and s.number else "–"),
        _row("3b", "Frequency, duration", f"{escape(pace)}; {s.planned_minutes} min planned"),
        _row("4a", "Other interventions", "none recorded"),
        _row("4b", "Setting", escape(details["setting"] or "–")),
        _row("5", "Practitioner", f"{escape(name)}; {escape(background)}"),
    ]
    scores = effective_scores(store.conn, [session_id])[session_id]
    symptoms = list(dict.fromkeys(sym for sym, _ in scores))
    score_rows = "".join(f"<tr><td>{escape(symptom_name(sym))}</td><td>{scores.get((sym, 'before'), '–')}</td>"
                         f"<td>{scores.get((sym, 'after'), '–')}</td></tr>" for sym in symptoms)
    adverse = "; ".join(
        f"{escape(adverse_kind(a.kind))} ({a.severity})" + ("" if deidentify or not a.notes else f": {escape(a.notes)}")
        for a in record.adverse_events) or "none"
    verified = "" if replay.chain_ok else '<p class="alarm">⚠ record altered or damaged: the log does not verify</p>'
    images = {"timeline.png": timeline_image(replay, 1100, 330)}
    html = f"""<html><body>
<h1>Electro-acupuncture session {s.id}</h1>
<p>Patient {_patient_line(patient, deidentify)} · {escape(course.condition) if course else 'no course'}<br>
{_when(s.started_at, deidentify)} · {s.state.replace('_', ' ')} · practitioner {escape(name)}</p>{verified}
<h2>Record (STRICTA 2010)</h2><table width="100%">{''.join(rows)}</table>
<h2>Symptom scores (0–10)</h2><table><tr><th>Symptom</th><th>Before</th><th>After</th></tr>{score_rows}</table>
<p><b>Adverse events:</b> {adverse}. <b>Amendments:</b> {len(record.amendments)}.</p>
<h2>Current delivered over the session</h2><img src="timeline.png" width="{{WIDTH}}">
<p class="muted">Log hash of the session's last event (event {s.event_count}):<br>
<span class="hash">{record.last_hash}</span><br>neurotimer {__version__} · check with <i>neurotimer verify</i><br>
{_made_by(store, made_by, deidentify)}</p>
</body></html>"""
    return Report(f"Session {s.id}", html, images, subject=("session", s.id), made_by=made_by,
                  deidentified=deidentify)


def course_report(store, course_id: int, deidentify: bool = False, made_by: int | None = None) -> Report:
    data: CourseData = course_data(store, course_id)
    if deidentify:  # as in a de-identified export: no name, birth year, free text; symptoms by listed names
        data = withheld_course_data(data, SymptomNames())
    c = data.course
    practitioner = escape(_practitioner(store, c.practitioner_id, deidentify)[0])
    if made_by is None:
        made_by = store.current_practitioner_id or c.practitioner_id
    rows = []
    for s in data.sessions:
        scores = data.scores.get(s.id, {})
        text = ", ".join(f"{sym} {scores.get((sym, 'before'), '–')}→{scores.get((sym, 'after'), '–')}"
                         for sym in dict.fromkeys(sym for sym, _ in scores))
        peak = max(data.peaks.get(s.id, {}).values(), default=None)
        last_hash = store.conn.execute("SELECT last_hash FROM sessions WHERE id = ?", (s.id,)).fetchone()[0]
        rows.append(
            f"<tr><td>{s.number}</td><td>{_when(s.started_at, deidentify)}</td>"
            f"<td>{s.treatment_seconds / 60:.0f}</td><td>{'' if peak is None else f'{peak:.1f}'}</td>"
            f"<td>{escape(text)}</td><td class='hash'>{bytes(last_hash).hex()}</td></tr>"
        )
    symptoms = followed(data)[:3]
    images = {f"course-{i}.png": course_image(data, symptom, 1100, 300) for i, symptom in enumerate(symptoms)}
    charts = "".join(f'<p><img src="course-{i}.png" width="{{WIDTH}}"></p>' for i in range(len(symptoms)))
    closed = f"closed {c.closed_on}: {escape(c.outcome)}" if c.closed_on else "open"
    outcome = closed if not deidentify or not c.closed_on else f"closed {c.closed_on.year}"
    html = f"""<html><body>
<h1>Electro-acupuncture course {c.id}</h1>
<p>Patient {_patient_line(data.patient, deidentify)} · {escape(c.condition)} · practitioner {practitioner}<br>
Started {_when(c.started_on.isoformat() + "T00:00:00Z", deidentify)} · {outcome}</p>
<h2>Course (STRICTA 2010)</h2><table width="100%">
{_row("1a", "Style", escape(c.style or "–"))}{_row("1b", "Reasoning", escape(c.reasoning or "–"))}
{_row("3a", "Sessions", f"{len(data.sessions)} done of {c.planned_sessions} planned")}
{_row("3b", "Frequency", f"{c.sessions_per_week:g} a week planned")}
{_row("", "Symptoms followed", escape(", ".join(c.symptoms)))}</table>
<h2>Summary</h2>{''.join(f"<p>{escape(line)}</p>" for line in summary_lines(data))}
{charts}
<h2>Sessions</h2><table width="100%"><tr><th>#</th><th>Date</th><th>Min</th><th>Peak mA</th><th>Scores before→after</th>
<th>Log hash of the last event</th></tr>{''.join(rows)}</table>
<p class="muted">neurotimer {__version__} · each hash can be checked against the log with <i>neurotimer verify</i>
<br>{_made_by(store, made_by, deidentify)}</p>
</body></html>"""
    return Report(f"Course {c.id}", html, images, subject=("course", c.id), made_by=made_by,
                  deidentified=deidentify)
