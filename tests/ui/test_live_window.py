from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from kiosk.capture import LatestSlot
from kiosk.capture.pipeline import Processed
from kiosk.ui.app import MainWindow
from kiosk.ui.camera_control import SourceOverride
from kiosk.ui.live import LivePipeline
from kiosk.ui.live_view import LiveView
from kiosk.ui.qimage import wrap_bgr
from kiosk.ui.screens.needs_technician import ConfigProblemScreen
from tests.fakes.sources import ScriptedSource


def two_colour_image(path: Path) -> Path:
    img = np.zeros((360, 640, 3), np.uint8)
    img[:, :320] = (0, 0, 255)  # BGR red on the left
    img[:, 320:] = (255, 0, 0)  # blue on the right
    cv2.imwrite(str(path), img)
    return path


def test_wrap_bgr_shares_the_numpy_buffer() -> None:
    img = np.zeros((4, 6, 3), np.uint8)
    q = wrap_bgr(img)
    assert (q.width(), q.height()) == (6, 4)
    img[1, 2] = (10, 20, 30)  # written after wrapping: seen through the QImage => no copy
    c = q.pixelColor(2, 1)
    assert (c.red(), c.green(), c.blue()) == (30, 20, 10)


@pytest.mark.slow
def test_window_shows_sample_video_frames(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = MainWindow(make_config(), demo=False)
    qtbot.addWidget(win)
    win.show()
    win.load_and_start()
    try:
        assert win.current_screen() in (win.live_view, win.visit) and win.live_view.isVisibleTo(win)
        qtbot.waitUntil(lambda: win.live_view.painted >= 10, timeout=10_000)
        cur = win.live_view.current()
        assert cur is not None and cur.frame.image.shape == (720, 1280, 3)
        stats = win.live.stats() if win.live else None
        assert stats is not None and stats.state == "live" and stats.displayed >= 10
    finally:
        win.shutdown()


@pytest.mark.slow
def test_window_paints_the_frame_pixels(qtbot: QtBot, make_config: Callable[..., Path],
                                        tmp_path: Path) -> None:
    still = two_colour_image(tmp_path / "still.png")
    for mirror, left_is_red in ((False, True), (True, False)):
        win = MainWindow(make_config(), demo=False, override=SourceOverride("image", str(still)))
        qtbot.addWidget(win)
        win.resize(800, 450)
        win.show()
        win.load_and_start()
        win.live_view.mirror = mirror
        try:
            view = win.live_view
            qtbot.waitUntil(lambda v=view: v.painted >= 3, timeout=10_000)  # type: ignore[misc]
            shot = win.live_view.grab().toImage()
            y = shot.height() // 2
            left = shot.pixelColor(shot.width() // 4, y)
            right = shot.pixelColor(3 * shot.width() // 4, y)
            red, blue = (left, right) if left_is_red else (right, left)
            assert red.red() > 200 and red.blue() < 50
            assert blue.blue() > 200 and blue.red() < 50
        finally:
            win.shutdown()


def test_stats_overlay_toggle(qtbot: QtBot) -> None:
    view = LiveView(show_stats=False)
    qtbot.addWidget(view)
    view.show()
    qtbot.mouseClick(view.stats_button, Qt.MouseButton.LeftButton)
    assert view.show_stats
    qtbot.keyClick(view, "f")
    assert not view.show_stats


@pytest.mark.slow
def test_broken_config_shows_the_technician_screen_naming_the_key(
        qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    bad = make_config({"fps = 30": 'fps = "fast"'})
    win = MainWindow(bad, demo=False)
    qtbot.addWidget(win)
    win.show()
    win.load_and_start()
    assert isinstance(win.current_screen(), ConfigProblemScreen)
    keys = [k.text() for k, _ in win.problems.problem_labels]
    assert keys == ["camera.fps"]
    assert "valid integer" in win.problems.problem_labels[0][1].text()
    assert str(bad) in win.problems.hint.text()
    # The technician fixes the file and taps "Check again": the live view starts.
    bad.write_text(bad.read_text().replace('fps = "fast"', "fps = 30"))
    qtbot.mouseClick(win.problems.recheck, Qt.MouseButton.LeftButton)
    try:
        assert win.current_screen() in (win.live_view, win.visit) and win.live_view.isVisibleTo(win)
        qtbot.waitUntil(lambda: win.live_view.painted >= 2, timeout=10_000)
    finally:
        win.shutdown()


def test_lost_camera_shows_banner_then_clears(qtbot: QtBot) -> None:
    view = LiveView()
    qtbot.addWidget(view)
    view.show()
    src = ScriptedSource(fps=60)
    live = LivePipeline(src, view)
    live.capture.reconnect_s = 0.05
    live.start()
    try:
        qtbot.waitUntil(lambda: view.painted >= 3, timeout=5000)
        assert live.healthy()
        src.plugged.clear()
        qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=5000)
        assert "Camera disconnected" in view.banner.text()
        assert live.healthy()  # reconnecting is healthy: the watchdog must not restart us
        src.plugged.set()
        qtbot.waitUntil(lambda: not view.banner.isVisible(), timeout=5000)
        n = view.painted
        qtbot.waitUntil(lambda: view.painted > n + 3, timeout=5000)
    finally:
        live.stop()


def test_display_drops_are_counted_when_the_ui_is_slow() -> None:
    results: LatestSlot[Processed] = LatestSlot()
    for i in range(3):
        results.put(Processed(frame=None, done_at=float(i)))  # type: ignore[arg-type]
    assert results.dropped == 2


class _Emitter(QObject):
    ping = Signal()


def test_signal_emit_keeps_refcounts(qtbot: QtBot) -> None:
    # PySide6 6.12.0 loses a reference to True on every Signal.emit() and aborts the
    # process after a few thousand frames (bool_dealloc); the lock pins 6.11.3.
    e = _Emitter()
    got: list[int] = []
    e.ping.connect(lambda: got.append(1))
    before = sys.getrefcount(True)
    for _ in range(3000):
        e.ping.emit()
    assert len(got) == 3000
    assert abs(sys.getrefcount(True) - before) < 100
