"""The sync daemon's wake-up: another connection's commit changes what ChangeWatcher reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.store import DeviceIds, EventStore, StoreError
from kiosk.store.db import ChangeWatcher
from kiosk.store.events import AttireChanged


def test_a_commit_by_another_connection_changes_the_version(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    watcher = ChangeWatcher(store.db.path)
    try:
        before = watcher.version()
        assert watcher.version() == before          # nothing committed meanwhile
        store.record(AttireChanged(attire_id="a", attire_name="A", is_original=True),
                     session_id="0b6a3f0e-3c1e-4c41-9a62-0c4f3e8a1d11", ids=DeviceIds("s", "p", "d"))
        assert watcher.version() != before
    finally:
        watcher.close()
        store.close()


def test_a_closed_watcher_says_why_in_one_line(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    watcher = ChangeWatcher(store.db.path)
    watcher.close()
    with pytest.raises(StoreError, match="closed database"):
        watcher.version()
    store.close()
