"""Issue 21, share screen: "waiting for the sync daemon" (its heartbeat is missing or stale)
is told apart from "offline" (the daemon runs, the cloud does not answer it)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.ops import health
from kiosk.store.syncstate import set_blocked, set_state
from tests.helpers.screens import LANDSCAPE, fully_visible, launch_at
from tests.helpers.ui import click


def test_no_sync_daemon_is_not_called_offline(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = launch_at(qtbot, make_config(), LANDSCAPE)
    v = win.visit
    assert v is not None and win.cfg is not None
    data = Path(win.cfg.store.data_dir)
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    v.take_photo()
    click(qtbot, v.review.share_button)
    assert v.state == "share"
    note = v.share_screen.qr_note
    # No sync daemon has ever run with this data dir: nothing will take the photo online.
    v.share_screen.update_view()
    assert "sync" in note.text().lower() and "offline" not in note.text().lower(), note.text()
    assert "Wi-Fi" in note.text() and fully_visible(note)      # the QR code works on the store Wi-Fi
    # A daemon that stopped beating a while ago is the same.
    beat = health.Heartbeat(data, "sync")
    beat.beat()
    stale = json.loads(beat.path.read_text())
    stale["updated_at"] = time.time() - 3600
    beat.path.write_text(json.dumps(stale))
    v.share_screen.update_view()
    assert "sync" in note.text().lower() and "offline" not in note.text().lower(), note.text()
    # It runs, and the cloud does not answer it: that is offline.
    beat.beat()
    with sqlite3.connect(data / "kiosk.db") as conn:
        set_blocked(conn, "images", "connection refused", time.time())
    v.share_screen.update_view()
    assert "offline" in note.text().lower() and "sync" not in note.text().lower(), note.text()
    # It runs and nothing failed yet: the photo is on its way, not offline.
    with sqlite3.connect(data / "kiosk.db") as conn:
        conn.execute("DELETE FROM sync_state WHERE key LIKE 'blocked%'")
    v.share_screen.update_view()
    assert "offline" not in note.text().lower() and "sync" not in note.text().lower(), note.text()
    # Its last image upload failed to connect (no answer at all): offline again.
    with sqlite3.connect(data / "kiosk.db") as conn:
        set_state(conn, "last_error", "image.upload: connection refused")
        set_state(conn, "last_error_at", time.time())
    v.share_screen.update_view()
    assert "offline" in note.text().lower(), note.text()
