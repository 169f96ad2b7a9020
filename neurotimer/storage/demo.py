"""Made-up patients and courses written through the real path: domain Session, ManualClock, Recorder."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from neurotimer.session.clock import ManualClock, rfc3339
from neurotimer.session.session import Session
from neurotimer.storage.db import StoreError
from neurotimer.storage.location import describe, is_server_url
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store, open_store

NAMES = (
    "Alma Brandt",
    "Bernard Okafor",
    "Carmen Ruiz",
    "Dieter Hahn",
    "Elif Demir",
    "Frances Doyle",
    "Gustav Lind",
    "Hana Novak",
    "Ivo Marek",
    "Joan Whitfield",
    "Kofi Mensah",
    "Lena Sorensen",
    "Marta Silva",
    "Nils Berg",
    "Olga Petrova",
    "Pedro Alves",
    "Rosa Fischer",
    "Sam Adeyemi",
)
CONDITIONS = (
    "Painful diabetic peripheral neuropathy",
    "Chemotherapy-induced peripheral neuropathy",
    "Idiopathic small-fibre neuropathy",
)
SYMPTOMS = ("pain", "burning", "numbness", "prickling")
READING_INTERVAL_S = 60.0  # the stimulator's readings kept in the log, once a minute per channel
NOTES = (
    "Slept better the two nights after the last session.",
    "Feet warmer today; less burning at night.",
    "Asked for a shorter session next time (40 % of the way through felt long).",
    "Tingling in the toes after removal, gone within 10 minutes.",
    "Walked to the clinic without a stick.",
)
BILATERAL = ("L", "R")


@dataclass(frozen=True)
class Protocol:
    name: str
    reasoning: str
    points: tuple[tuple[str, str], ...]
    pairs: tuple[tuple[str, str, str], ...]  # (a, b, side): both needles on one side of the body
    mode: str
    freq: str


def _both(*codes: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, side) for code in codes for side in BILATERAL)


PROTOCOLS = (
    Protocol(
        "Painful diabetic neuropathy trial protocol",
        "Trials 2013;14:225: bilateral ST36, GB39, SP9, SP6, LR3, GB41; 2/120 Hz at 80 % of bearable "
        "intensity, 30 min, twice weekly; pairs on the same side.",
        _both("ST36", "GB39", "SP9", "SP6", "LR3", "GB41"),
        (("ST36", "GB39", "L"), ("ST36", "GB39", "R"), ("SP9", "SP6", "L"), ("SP9", "SP6", "R")),
        "dense-disperse",
        "2/120",
    ),
    Protocol(
        "Dimitrova 2017 neuropathy protocol",
        "Dimitrova 2017 (Med Acupunct 29(6):352): LR4 and LU5 on the left; bilateral LI11, KI27, ST36, "
        "GB34, SP6, SP9, LI4, TE5 and Bafeng; 100 Hz continuous on KI3–KI1 and ST41–LR3.",
        (
            ("LR4", "L"),
            ("LU5", "L"),
            *_both("LI11", "KI27", "ST36", "GB34", "SP6", "SP9", "LI4", "TE5", "EX-LE10", "KI3", "KI1", "ST41", "LR3"),
        ),
        (("KI3", "KI1", "L"), ("KI3", "KI1", "R"), ("ST41", "LR3", "L"), ("ST41", "LR3", "R")),
        "continuous",
        "100",
    ),
)


def make_demo_database(
    path: Path | str, patients: int = 8, sessions: int = 60, seed: int = 1, today: dt.date | None = None
) -> Path | str:
    """Writes a demo log: `sessions` sessions in all, shared among `patients` made-up patients.

    Refuses a file that already holds records. Deterministic for a given seed and `today`.
    """
    if patients < 1 or sessions < 0:
        raise StoreError("A demo log needs at least one patient and zero or more sessions.")
    path = path if is_server_url(path) else Path(path)
    store = open_store(path, durable=False, daily_backup=False)
    try:
        if store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]:
            instead = "a new, empty database on the server" if is_server_url(path) else "a new file"
            raise StoreError(f"{describe(path)} already holds patients; choose {instead} for demo data.")
        _fill(store, random.Random(seed), patients, sessions, today or dt.datetime.now(dt.UTC).date())
        store.checkpoint()
    finally:
        store.close()
    return path


def _fill(store: Store, rng: random.Random, patients: int, sessions: int, today: dt.date) -> None:
    store.clock = ManualClock(wall_start=dt.datetime.combine(today, dt.time(8, 0), tzinfo=dt.UTC))
    practitioner = store.create_practitioner(
        "Dr Demo Practitioner", "Medical doctor; accredited in medical acupuncture (made-up demo record)",
        profession="medical doctor", registration="DEMO 0001",
    )
    store.current_practitioner_id = practitioner  # the demo's scores and amendments name them, as the app's do
    people = []
    for index in range(patients):
        name = NAMES[index % len(NAMES)] + ("" if index < len(NAMES) else f" {index // len(NAMES) + 1}")
        screening = {
            "reduced_sensation": rng.random() < 0.5,
            "bleeding_risk": rng.random() < 0.15,
            "heart_disease": rng.random() < 0.1,
        }
        people.append(store.create_patient(f"P-{index + 1:04d}", name, rng.randint(1940, 1975), screening))
    remaining = sessions
    round_no = 0
    while remaining > 0:
        for patient_id in people:
            if remaining <= 0:
                break
            planned = rng.randint(6, 12)
            done = planned if rng.random() < 0.5 else rng.randint(1, planned)
            done = min(done, remaining)
            remaining -= done
            _course(store, rng, practitioner, patient_id, planned, done, today, round_no)
        round_no += 1


def _course(
    store: Store,
    rng: random.Random,
    practitioner: int,
    patient_id: int,
    planned: int,
    done: int,
    today: dt.date,
    round_no: int,
) -> None:
    per_week = rng.choice((1, 2, 2, 3))
    spacing = 7 / per_week
    # Later rounds are older courses, so a patient's newest course is the one still going on.
    start = today - dt.timedelta(days=round(done * spacing) + rng.randint(1, 10) + round_no * 120)
    protocol = rng.choice(PROTOCOLS)
    store.clock = ManualClock(wall_start=dt.datetime.combine(start, dt.time(8, 0), tzinfo=dt.UTC))
    course = store.create_course(
        patient_id,
        rng.choice(CONDITIONS),
        planned,
        per_week,
        style="Western medical acupuncture",
        reasoning=protocol.reasoning,
        started_on=start,
        practitioner_id=practitioner,
    )
    improves = rng.random() < 0.75
    symptoms = rng.sample(SYMPTOMS, 2)
    baseline = {s: rng.randint(5, 8) for s in symptoms}
    channels = rng.randint(2, 4)
    for number in range(done):
        day = start + dt.timedelta(days=round(number * spacing))
        begins = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=dt.UTC)
        progress = number / max(planned - 1, 1)
        drop = rng.uniform(0.4, 0.65) if improves else rng.uniform(-0.1, 0.1)
        before = {
            s: max(0, min(10, round(b * (1 - drop * progress)) + rng.choice((-1, 0, 0, 1))))
            for s, b in baseline.items()
        }
        _session(store, rng, begins, practitioner, patient_id, course, protocol, channels, before)


def _session(
    store: Store,
    rng: random.Random,
    begins: dt.datetime,
    practitioner: int,
    patient_id: int,
    course: int,
    protocol: Protocol,
    channels: int,
    before: dict[str, int],
) -> None:
    clock = ManualClock(wall_start=begins)
    store.clock = clock
    planned = rng.choice((30, 30, 30, 40, 45))
    session = Session(clock, planned)
    recorder = Recorder(store, clock)
    recorder.attach(
        session,
        patient_id=patient_id,
        course_id=course,
        practitioner_id=practitioner,
        details={
            "needle_type": "0.25 × 40 mm stainless steel, single use",
            "depth": "10–25 mm, to the nerve's vicinity",
            "response_sought": "de qi; paraesthesia in the nerve's territory",
            "setting": "outpatient clinic, patient lying supine",
        },
    )
    session.start()
    session_id = recorder.session_id
    assert session_id is not None
    pairs = protocol.pairs[:channels]
    store.save_plan(
        session_id,
        list(protocol.points),
        [
            {
                "channel": i + 1,
                "a": (a, side),
                "b": (b, side),
                "mode": protocol.mode,
                "freq_hz": protocol.freq,
                "pulse_us": 400,
            }
            for i, (a, b, side) in enumerate(pairs)
        ],
    )
    for symptom, value in before.items():
        store.add_score(session_id, symptom, value, "before")
    # Draws for what older demo logs did not hold come from their own generator, so the courses stay the same.
    extra = random.Random(begins.timestamp() * 7919 + patient_id)
    if store.get_patient(patient_id).screening.get("bleeding_risk"):
        recorder.record("safety.acknowledged", _acknowledgement(clock))
    targets: dict[int, float] = {}
    for channel in range(1, channels + 1):
        recorder.record(
            "stim.settings", {"channel": channel, "mode": protocol.mode, "freq_hz": protocol.freq, "pulse_us": 400}
        )
        recorder.record("stim.command", {"command": "output_on", "args": [channel]})
        targets[channel] = rng.choice((3.0, 3.5, 4.0, 4.5, 5.0, 6.0))
        _ramp(recorder, clock, session, rng, channel, 0.0, targets[channel])
    ends_early = rng.random() < 0.08
    stop_at = planned * 60 * (rng.uniform(0.5, 0.9) if ends_early else 1.0)
    pause_at = planned * 60 * rng.uniform(0.3, 0.7) if rng.random() < 0.15 else None
    lead_off_at = planned * 60 * extra.uniform(0.2, 0.8) if extra.random() < 0.06 else None
    emergency = ends_early and extra.random() < 0.3  # some early ends were an emergency stop
    raised = False
    while session.treatment_seconds < stop_at:
        _wait(clock, session, max(0.001, min(READING_INTERVAL_S, stop_at - session.treatment_seconds)))
        recorder.progress()
        _readings(recorder, extra, targets)
        if not raised and session.treatment_seconds > planned * 30:
            raised = True  # Accommodation: the current feels weaker mid-session, so it is raised.
            for channel in targets:
                _ramp(recorder, clock, session, rng, channel, targets[channel], targets[channel] + 0.5)
                targets[channel] += 0.5
        if lead_off_at is not None and session.treatment_seconds >= lead_off_at:
            lead_off_at = None
            _lead_off(recorder, clock, session, extra, targets)
        if pause_at is not None and session.treatment_seconds >= pause_at:
            pause_at = None
            session.pause()  # the app switches every output off on a pause
            for channel in targets:
                recorder.record("stim.command", {"command": "output_off", "args": [channel]})
            recorder.record("patient.request", {"reason": "repositioning"})
            _wait(clock, session, rng.uniform(30, 120))
            session.resume()
            for channel in targets:
                recorder.record("stim.command", {"command": "output_on", "args": [channel]})
                _ramp(recorder, clock, session, extra, channel, 0.0, targets[channel])
    if emergency:
        recorder.record("stim.emergency_stop", {})
        recorder.record("stim.command", {"command": "emergency_stop", "args": []})
        recorder.record("alarm.raised", {"key": "estop", "text": "Emergency stop: every output is off.",
                                         "priority": "high"})
    else:
        for channel in targets:
            recorder.record("stim.command", {"command": "set_current", "args": [channel, 0.0]})
    session.end()
    recorder.record("needles.count", {"inserted": len(protocol.points), "removed": len(protocol.points)})
    for symptom, value in before.items():
        store.add_score(session_id, symptom, max(0, value - rng.choice((0, 1, 1, 2))), "after")
    if rng.random() < 0.1:
        store.add_adverse_event(session_id, rng.choice(("bruising", "soreness")), "mild", "at one needle site")
    if extra.random() < 0.1:
        store.add_note(session_id, extra.choice(NOTES), "Dr Demo Practitioner")


def _readings(recorder: Recorder, rng: random.Random, targets: dict[int, float]) -> None:
    """What the stimulator reported: delivered current a little under the target, as real loads do."""
    for channel, target in targets.items():
        recorder.record("stim.status", {
            "channel": channel, "output": True, "measured_mA": round(target * rng.uniform(0.86, 1.02), 2),
            "target_mA": target, "impedance_ohm": round(rng.uniform(900, 2200)), "lead_ok": True,
        })


def _lead_off(recorder: Recorder, clock: ManualClock, session: Session, rng: random.Random,
              targets: dict[int, float]) -> None:
    channel = rng.choice(sorted(targets))
    recorder.record("stim.lead_off", {"channel": channel, "code": 301, "message": f"Channel {channel}: lead off."})
    recorder.record("alarm.raised", {"key": f"lead_off.{channel}", "text": f"Channel {channel}: lead off",
                                     "priority": "high"})
    recorder.record("stim.status", {"channel": channel, "output": False, "measured_mA": 0.0, "target_mA": 0.0,
                                    "impedance_ohm": 0, "lead_ok": False})
    _wait(clock, session, rng.uniform(20, 60))
    recorder.record("alarm.acknowledged", {"key": f"lead_off.{channel}"})
    recorder.record("stim.command", {"command": "output_on", "args": [channel]})
    _ramp(recorder, clock, session, rng, channel, 0.0, targets[channel])


def _acknowledgement(clock: ManualClock) -> dict:
    return {
        "kind": "safety.acknowledged", "rule": "screening_bleeding", "title": "Bleeding disorder or anticoagulants",
        "severity": "warning", "channel": None, "subject": "patient",
        "message": "Bleeding risk: press each needle site for longer after removal.",
        "key": "screening_bleeding:patient", "by": "Dr Demo Practitioner", "at": rfc3339(clock.wall()),
        "clock": round(clock.now(), 3),
    }


def _wait(clock: ManualClock, session: Session, seconds: float) -> None:
    """Lets time pass as the UI would, reading the session often enough (2 s unread looks like a suspend)."""
    end = clock.now() + seconds
    while clock.now() < end:
        clock.advance(min(1.9, end - clock.now()))
        session.tick()


def _ramp(
    recorder: Recorder,
    clock: ManualClock,
    session: Session,
    rng: random.Random,
    channel: int,
    start: float,
    target: float,
) -> None:
    level = start
    while level < target:
        level = min(target, level + 0.5)
        _wait(clock, session, rng.uniform(3, 8))
        recorder.record("stim.command", {"command": "set_current", "args": [channel, level]})
    factor = rng.uniform(0.8, 1.05)
    recorder.record("stim.status", {
        "channel": channel, "output": True, "measured_mA": round(level * factor, 2), "target_mA": level,
        "impedance_ohm": round(1000 + 1000 * factor), "lead_ok": True,
    })
