"""The anchor file: the head written outside the log at every start and session end catches what the chain
alone cannot (a chain recomputed after an edit, a log cut back to an earlier state)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from storage_helpers import copy_log, raw, run_session, write_rich_log

from neurotimer.cli import main as cli_main
from neurotimer.storage.anchor import anchor_path, read_anchors
from neurotimer.storage.chain import GENESIS, event_hash
from neurotimer.storage.store import open_store


def _log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "data" / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    write_rich_log(store, clock)
    store.close()
    return path


def recompute_chain(conn) -> None:
    """What someone who knows the format does after an edit: every hash after it recomputed."""
    prev = GENESIS
    rows = conn.execute("SELECT n, session_id, seq, at, offset_s, kind, payload FROM events ORDER BY n").fetchall()
    for n, session_id, seq, at, offset, kind, payload in rows:
        digest = event_hash(prev, n, session_id, seq, at, offset, kind, payload)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE n = ?", (prev, digest, n))
        if session_id is not None:
            conn.execute("UPDATE sessions SET last_hash = ? WHERE id = ?", (digest, session_id))
        prev = digest


def test_the_head_is_anchored_at_every_start_and_session_end(tmp_path: Path, clock) -> None:
    path = _log(tmp_path, clock)
    anchors, bad = read_anchors(anchor_path(path))
    assert not bad and len(anchors) == 3, "opened, then sessions 1 and 2 ended (3 is still open)"
    assert stat.S_IMODE(anchor_path(path).stat().st_mode) == 0o600
    assert anchor_path(path).parent == path.parent / "backups"
    store = open_store(path, clock=clock, daily_backup=False)
    head = store.head_text()
    store.close()
    last = read_anchors(anchor_path(path))[0][-1]
    assert f"{last.n}:{last.hash.hex()}" == head and "opened" in anchor_path(path).read_text().splitlines()[-1]


def test_verify_checks_the_anchor_beside_the_log(tmp_path: Path, clock, capsys) -> None:
    path = _log(tmp_path, clock)
    assert cli_main(["verify", "--db", str(path)]) == 0
    assert "Anchors: all 3 head(s)" in capsys.readouterr().out


def test_a_recomputed_chain_passes_alone_but_not_against_the_anchor(tmp_path: Path, clock, capsys) -> None:
    path = _log(tmp_path, clock)
    kept = tmp_path / "elsewhere.anchors"
    kept.write_bytes(anchor_path(path).read_bytes())
    conn = raw(path)
    conn.execute("UPDATE scores SET value = 0 WHERE id = 1")
    conn.execute("UPDATE events SET payload = replace(payload, '\"value\":6', '\"value\":0')"
                 " WHERE kind = 'score.recorded' AND payload LIKE '%\"id\":1,%'")
    recompute_chain(conn)
    conn.close()
    anchor_path(path).unlink()  # the tamperer also removes the anchor beside the log
    assert cli_main(["verify", "--db", str(path)]) == 0, "the limit the threat model states"
    capsys.readouterr()
    assert cli_main(["verify", "--db", str(path), "--anchor", str(kept)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ANCHOR MISMATCH") and "rewritten after this head was anchored" in out


def test_a_log_cut_back_to_an_earlier_state_is_caught_by_the_anchor(tmp_path: Path, clock, capsys) -> None:
    path = tmp_path / "data" / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    patient = store.create_patient("P-0001")
    run_session(store, clock, patient_id=patient)
    earlier = copy_log(path, tmp_path / "earlier.sqlite3")
    run_session(store, clock, patient_id=patient)
    store.close()
    assert cli_main(["verify", "--db", str(earlier)]) == 0, "the earlier file is a sound log on its own"
    capsys.readouterr()
    assert cli_main(["verify", "--db", str(earlier), "--anchor", str(anchor_path(path))]) == 1
    assert "it was cut back" in capsys.readouterr().out


def test_a_missing_or_garbled_anchor_file_is_said(tmp_path: Path, clock, capsys) -> None:
    path = _log(tmp_path, clock)
    assert cli_main(["verify", "--db", str(path), "--anchor", str(tmp_path / "none")]) == 2
    assert "no anchor file" in capsys.readouterr().err
    garbled = tmp_path / "garbled.anchors"
    garbled.write_text("not an anchor\n")
    assert cli_main(["verify", "--db", str(path), "--anchor", str(garbled)]) == 1
    assert "line 1 is not an anchor line" in capsys.readouterr().out


def test_exports_carry_the_head_and_verify_help_states_the_threat_model(tmp_path: Path, clock, capsys) -> None:
    path = _log(tmp_path, clock)
    out = tmp_path / "out.json"
    assert cli_main(["export", "--db", str(path), "--format", "json", "--out", str(out)]) == 0
    head = json.loads(out.read_text())["log_head"]
    assert f"log head {head}" in capsys.readouterr().out
    store = open_store(path, clock=clock, daily_backup=False, anchor_at_open=False)
    assert head == store.head_text()
    store.close()
    with pytest.raises(SystemExit):
        cli_main(["verify", "--help"])
    text = capsys.readouterr().out
    assert "not caught" in text and "plain SHA-256" in text and "exit codes" in text
