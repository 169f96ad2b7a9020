"""The tables the record shows, rebuilt from the chained events and compared row by row (for `verify`).

A table joins the replay by `register_table(...)` and handlers `@on("kind")` that say what an event
does to its rows; `verify` then names table, row and field of any row that differs from the events.
Plain SELECTs and Python only, so another database engine can reuse it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Key = tuple[Any, ...]
Row = dict[str, Any]


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    json_columns: frozenset[str] = frozenset()
    # The column naming the session a row belongs to ("id" for sessions), None for patient records:
    # the migration snapshots a session's rows of every table that has one.
    session_column: str | None = None


TABLES: dict[str, TableSpec] = {}
HANDLERS: dict[str, list[Callable[[Replay, Event], None]]] = {}


def register_table(
    name: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    *,
    json_columns: tuple[str, ...] = (),
    session_column: str | None = None,
) -> None:
    """Puts a table under the replay: `verify` compares its key and columns with what the events say."""
    TABLES[name] = TableSpec(name, key, columns, frozenset(json_columns), session_column)


def on(*kinds: str) -> Callable[[Callable[[Replay, Event], None]], Callable[[Replay, Event], None]]:
    """Registers what an event of these kinds does to the replayed rows."""

    def register(handler: Callable[[Replay, Event], None]) -> Callable[[Replay, Event], None]:
        for kind in kinds:
            HANDLERS.setdefault(kind, []).append(handler)
        return handler

    return register


@dataclass(slots=True)
class Event:
    n: int
    session_id: int | None
    seq: int | None
    at: str
    offset: float
    kind: str
    payload: str
    hash: bytes
    _data: Any = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = parse_payload(self.payload)
        return self._data


def parse_payload(text: object) -> dict[str, Any]:
    """An event's payload as a dict ({} when it is not a JSON object)."""
    try:
        parsed = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


class PayloadCache:
    """Parsed payloads by their text, for the many events that repeat one (a current setting of 2.5 mA on
    channel 1): parsed once per replay. Only flat payloads (no list or object inside) are kept, and the
    handlers only read what they are given, so a dict shared by two events is never changed."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._parsed: dict[str, dict[str, Any]] = {}

    def __call__(self, text: str) -> dict[str, Any]:
        found = self._parsed.get(text)
        if found is not None:
            return found
        parsed = parse_payload(text)
        if len(self._parsed) < self.LIMIT and not any(isinstance(v, dict | list) for v in parsed.values()):
            self._parsed[text] = parsed
        return parsed


@dataclass(frozen=True)
class RowProblem:
    table: str
    key: Key
    field: str | None
    message: str

    def __str__(self) -> str:
        spec = TABLES.get(self.table)
        names = spec.key if spec else tuple(f"key{i}" for i in range(len(self.key)))
        row = ", ".join(f"{k}={v}" for k, v in zip(names, self.key, strict=False))
        where = f"table {self.table}, row {row}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class Replay:
    """The rows the events say each table holds, built up event by event."""

    rows: dict[str, dict[Key, Row]] = field(default_factory=dict)
    # table -> session id -> keys of that session's rows, so that a session's rows are replaced cheaply
    by_session: dict[str, dict[Any, set[Key]]] = field(default_factory=dict)
    migrated_sessions: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    _payloads: PayloadCache = field(default_factory=PayloadCache, repr=False)
    # What a handler worked out from an event's kind and payload alone, for the next event that repeats them.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> dict[Key, Row]:
        return self.rows.setdefault(name, {})

    def put(self, table: str, row: Row) -> None:
        spec = TABLES[table]
        key = tuple(row.get(k) for k in spec.key)
        self.table(table)[key] = {c: row.get(c) for c in spec.columns}
        if spec.session_column is not None:
            self.by_session.setdefault(table, {}).setdefault(row.get(spec.session_column), set()).add(key)

    def get(self, table: str, *key: Any) -> Row | None:
        rows = self.rows.get(table)
        return None if rows is None else rows.get(key)

    def drop_session(self, table: str, session_id: int) -> None:
        spec = TABLES[table]
        if spec.session_column is None:
            return
        rows = self.table(table)
        for key in self.by_session.get(table, {}).pop(session_id, ()):
            rows.pop(key, None)

    def feed_row(self, row: tuple) -> None:
        """One row of EVENT_COLUMNS (n, session, seq, at, offset, kind, payload, prev_hash, hash) replayed."""
        handlers = HANDLERS.get(row[5])
        if handlers:
            n, session_id, seq, at, offset, kind, payload, _, digest = row
            data = self._payloads(payload) if type(payload) is str else None  # else parsed (or not) as asked
            event = Event(n, session_id, seq, at, offset, kind, payload, digest, data)
            for handler in handlers:
                try:
                    handler(self, event)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    self._cannot_replay(event, exc)

    def feed(self, event: Event) -> None:
        self._apply(HANDLERS.get(event.kind, ()), event)

    def _apply(self, handlers: list[Callable[[Replay, Event], None]] | tuple, event: Event) -> None:
        for handler in handlers:
            try:
                handler(self, event)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self._cannot_replay(event, exc)

    def _cannot_replay(self, event: Event, exc: Exception) -> None:
        self.problems.append(RowProblem("events", (event.n,), "payload", f"the event cannot be replayed ({exc!r})"))

    def compare(self, conn: sqlite3.Connection) -> list[RowProblem]:
        """Every difference between the tables as stored and as the events say, table by table."""
        problems = list(self.problems)
        for spec in TABLES.values():
            problems += compare_table(conn, spec, self.table(spec.name))
        return problems


def _same(spec: TableSpec, column: str, expected: Any, found: Any) -> bool:
    if column in spec.json_columns and isinstance(found, str):
        try:
            return json.loads(found) == expected
        except ValueError:
            return False
    if isinstance(expected, bytes) or isinstance(found, bytes):
        return isinstance(found, bytes) and expected == found
    if type(expected) is bool:
        expected = int(expected)
    return expected == found and (expected is None) == (found is None) and type(found) is not bool


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()[:16] + "…"
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _order(key: Key) -> tuple:
    return tuple((0, x, "") if isinstance(x, int | float) else (1, 0, str(x)) for x in key)


def compare_table(conn: sqlite3.Connection, spec: TableSpec, expected: dict[Key, Row]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    names = spec.key + tuple(c for c in spec.columns if c not in spec.key)
    try:
        stored = conn.execute(f"SELECT {', '.join(names)} FROM {spec.name}").fetchall()
    except sqlite3.DatabaseError as exc:
        return [RowProblem(spec.name, (), None, f"cannot be read ({exc})")]
    width = len(spec.key)
    seen: set[Key] = set()
    for values in stored:
        key = tuple(values[:width])
        row = dict(zip(names, values, strict=True))
        if key in seen:
            problems.append(RowProblem(spec.name, key, None, "is there twice"))
            continue
        seen.add(key)
        want = expected.get(key)
        if want is None:
            problems.append(RowProblem(spec.name, key, None, "is not in the chained events (inserted or re-keyed)"))
            continue
        for column in spec.columns:
            if column in spec.key:
                continue
            if not _same(spec, column, want.get(column), row[column]):
                problems.append(
                    RowProblem(
                        spec.name,
                        key,
                        column,
                        f"holds {_show(row[column])} but the chained events say {_show(want.get(column))}",
                    )
                )
    for key in expected.keys() - seen:
        problems.append(RowProblem(spec.name, key, None, "is missing (the chained events record it)"))
    problems.sort(key=lambda p: (_order(p.key), p.field or ""))
    return problems
