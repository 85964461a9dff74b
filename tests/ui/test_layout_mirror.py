"""The mirror first, measured on screenshots of the real window: on the catalogue at 1024x768
and 768x1024 the customer's face is >= 30% of the screen's height (a customer standing back,
framed by the auto-framing) and under 3% of the screen is pure black (no letterbox bars)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from kiosk.track.base import Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.ui.app import MainWindow
from kiosk.ui.camera_control import SourceOverride
from kiosk.ui.mirror import KEYS_MAX_SHARE, MIRROR_SHARE, panel_size
from tests.helpers.ui import FRAME_FACE_SHARE, screenshot, standing_customer, to_catalogue

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe







@pytest.fixture(scope="module")
def tracker() -> Iterator[MediaPipeTracker]:
    t = MediaPipeTracker(static=True)
    yield t
    t.close()


def face_height(tracker: MediaPipeTracker, shot: np.ndarray) -> float:
    face = tracker.track(shot, Needs(), 0.0).primary
    assert face is not None, "no face on the screenshot"
    x0, y0, x1, y1 = face.box
    return y1 - y0




@pytest.mark.parametrize("size", [(1024, 768), (768, 1024), (1366, 1024)])
def test_catalogue_mirror_frames_the_face_without_bars(qtbot: QtBot, make_config: Callable[..., Path],
                                                       tmp_path: Path, tracker: MediaPipeTracker,
                                                       size: tuple[int, int]) -> None:
    frame = standing_customer(tmp_path / "customer.png")
    raw = cv2.imread(str(frame))
    assert face_height(tracker, raw) / 720 == pytest.approx(FRAME_FACE_SHARE, abs=0.03)
    win = MainWindow(make_config(), demo=False, override=SourceOverride("image", str(frame)))
    qtbot.addWidget(win)
    win.resize(*size)
    win.load_and_start()
    win.show()
    try:
        qtbot.waitUntil(lambda: win.live_view.painted >= 3, timeout=20_000)
        to_catalogue(qtbot, win)
        view = win.live_view
        qtbot.waitUntil(lambda: view.crop is not None and view.crop.h < 500, timeout=10_000)
        qtbot.wait(2500)                      # the framing glides in
        shot = screenshot(win)
        assert shot.shape[:2] == (size[1], size[0])
        share = face_height(tracker, shot) / size[1]
        assert share >= 0.30, f"the face is {share:.0%} of the screen's height"
        black = float((shot.max(axis=2) == 0).mean())
        assert black < 0.03, f"{black:.1%} of the screen is pure black"
        # the mirror's share of the window: beside the panel in landscape, above it in portrait
        portrait = size[1] > size[0]
        mirror = view.height() / size[1] if portrait else view.width() / size[0]
        assert mirror >= MIRROR_SHARE - 0.01 and view.isVisible()
    finally:
        win.shutdown()


def test_panel_never_shrinks_the_trying_on_mirror() -> None:
    for w, h in ((1024, 768), (1366, 1024), (768, 1024)):
        portrait = h > w
        for state in ("catalogue", "cloud"):
            size = panel_size(state, w, h, (900, 900))          # a panel that would like more
            assert size is not None
            left = (h - size[1]) / h if portrait else (w - size[0]) / w
            assert left >= MIRROR_SHARE - 0.005
        # screens with keys get what they need, yet the mirror stays in view
        keys = panel_size("start", w, h, (540, 735))
        assert keys is not None
        left = (h - keys[1]) / h if portrait else (w - keys[0]) / w
        assert left >= 1 - KEYS_MAX_SHARE - 0.005
        assert panel_size("review", w, h, (0, 0)) is None
        # the seller's end-of-visit form: its width, or the whole window when it is too tall
        end = panel_size("end", w, h, (320, 812))
        assert end is None if portrait else end == (600, h)
