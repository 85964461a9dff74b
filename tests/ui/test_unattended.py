"""The app on its own in a store: restart-loop safe screen, low-disk banner, heartbeat."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ops import health
from tests.helpers.ui import window_at

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe




def test_restart_loop_opens_the_safe_screen_and_start_normally_recovers(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path) -> None:
    path = make_config()
    path.write_text(path.read_text() + "\n[health]\nrestart_limit = 3\nrestart_window_min = 10\n")
    run = tmp_path / "data" / "run"
    run.mkdir(parents=True)
    now = time.time()
    (run / "app-starts.json").write_text(json.dumps([now - 300, now - 200, now - 100]))  # 3 crashes
    win = window_at(qtbot, path)
    try:
        assert win.current_screen() is win.safe
        assert win.live is None, "the camera stays off in safe mode"
        assert "restarted 4 times in the last 10 minutes" in win.safe.subtitle.text()
        beat = health.read_beats(tmp_path / "data")["app"]
        assert beat["mode"] == "safe"
        win.safe.start_normally.click()
        assert win.current_screen() is win.visit and win.live is not None
        assert health.RestartHistory(tmp_path / "data", 600, 3).starts() == []
        win._beat()
        assert health.read_beats(tmp_path / "data")["app"]["mode"] == "normal"
    finally:
        win.shutdown()
    win.clean_exit()
    assert health.read_beats(tmp_path / "data")["app"]["stopped"]


def test_a_normal_start_is_counted_and_a_clean_exit_is_not(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path) -> None:
    win = window_at(qtbot, make_config())
    hist = health.RestartHistory(tmp_path / "data", 600, 5)
    try:
        assert win.current_screen() is win.visit
        assert hist.starts() == [win.started_at]
        qtbot.waitUntil(lambda: win.live is not None and win.live.stats().capture_fps > 0, timeout=10_000)
        win._beat()
        beat = health.read_beats(tmp_path / "data")["app"]
        assert beat["mode"] == "normal" and beat["camera_fps"] > 0
    finally:
        win.shutdown()
    win.clean_exit()
    assert hist.starts() == []


def test_low_disk_banner_and_no_new_face_records(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = window_at(qtbot, make_config({'data_dir = "': 'min_free_mb = 1000000\ndata_dir = "'}))
    try:
        assert win.low_disk and win.visit is not None and win.visit.service.low_disk
        assert "data disk is nearly full" in win.live_view.banner.text()
        assert not win.live_view.banner.isHidden()
        # A camera banner coming and going leaves the disk banner in place.
        win.live_view.set_banner("Camera disconnected", "camera")
        win.live_view.set_banner(None, "camera")
        assert "nearly full" in win.live_view.banner.text() and not win.live_view.banner.isHidden()
    finally:
        win.shutdown()
