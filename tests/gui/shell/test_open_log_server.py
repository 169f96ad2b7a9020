"""Opening a server log at start: a refused connection offers to try again, and trying again opens it."""

from __future__ import annotations

from neurotimer.gui.shell.open_log import Choice, open_log


def test_an_unreachable_server_offers_retry_then_opens(pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        import pytest

        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    asked: list[tuple[str, list[Choice]]] = []

    def ask(text: str, choices: list[Choice]) -> Choice:
        asked.append((text, choices))
        pg_server.cluster.start()  # the practitioner phones the front desk; the server comes back
        return Choice.RETRY

    pg_server.cluster.stop("fast")
    store, note = open_log(pg_url, clock, ask, lambda: None)
    assert store is not None and note == ""
    assert len(asked) == 1 and "refused the connection" in asked[0][0]
    assert asked[0][1] == [Choice.RETRY, Choice.OTHER_FILE, Choice.QUIT]
    store.close()


def test_a_foreign_server_database_offers_another_log_not_read_only(pg_url: str, clock) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    asked: list[list[Choice]] = []
    store, _ = open_log(pg_url, clock, lambda text, choices: asked.append(choices) or Choice.QUIT, lambda: None)
    assert store is None and asked == [[Choice.OTHER_FILE, Choice.QUIT]]


def test_the_start_dialog_says_what_failed_once_and_calls_a_database_a_database(pg_url: str, clock) -> None:
    import socket

    import psycopg

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nobody = probe.getsockname()[1]
    asked: list[str] = []
    quit_ = lambda text, choices: asked.append(text) or Choice.QUIT  # noqa: E731
    open_log(f"postgresql://room1@127.0.0.1:{nobody}/neurotimer", clock, quit_, lambda: None)
    assert asked[0].lower().count("cannot") == 1, asked[0]  # not "cannot be opened: Cannot open the session log"
    assert "refused the connection" in asked[0]

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    open_log(pg_url, clock, quit_, lambda: None)
    assert "another program" in asked[1]
    assert "has not changed this database" in asked[1] and "file" not in asked[1]
