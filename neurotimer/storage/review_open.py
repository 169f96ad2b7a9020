"""Opening a log for the review window: refused files get one line and are never written to."""

from __future__ import annotations

from pathlib import Path

from neurotimer.session.clock import Clock
from neurotimer.storage.db import StoreError, check_identity
from neurotimer.storage.location import is_server_url
from neurotimer.storage.store import Store, open_store


def open_for_review(path: Path | str, clock: Clock | None = None) -> tuple[Store | None, str]:
    """(store, '') for a sound neurotimer log; (None, one-line reason) for anything else, untouched.

    The store is writable (notes, amendments and courses are written from the review window); it is
    marked `owned_by_review` so the window closes it.
    """
    if is_server_url(path):
        try:
            store = open_store(str(path), clock=clock, daily_backup=False)
        except StoreError as exc:
            return None, " ".join(str(exc).split())
        from neurotimer.storage.bounded import SERVER_CALL_BOUND_S

        store.bound_gui_calls(SERVER_CALL_BOUND_S)  # a server gone silent never holds the window
        store.owned_by_review = True  # type: ignore[attr-defined]
        return store, ""
    path = Path(path)
    try:
        if not path.is_file():
            return None, f"There is no session log at {path}."
        if path.stat().st_size == 0:
            return None, f"{path.name} is empty: it is not a neurotimer session log."
        check_identity(path)  # another program's file is refused before anything opens it for writing
        # open_store checks the pages too: at once for a small log, in the background for a large one
        # (the first write waits for it, and a damaged file then refuses that write with nothing written).
        store = open_store(path, clock=clock, daily_backup=False)
    except StoreError as exc:
        return None, " ".join(str(exc).split())
    except OSError as exc:
        return None, f"Cannot read {path}: {exc.strerror}."
    store.owned_by_review = True  # type: ignore[attr-defined]
    return store, ""
