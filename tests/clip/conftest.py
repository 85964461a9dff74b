from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk import paths
from kiosk.capture.base import Image
from kiosk.clip.encoder import Clip, ClipEncoder


def sample_frames() -> list[Image]:
    """The bundled sample video's frames (1280x720, 115 of them)."""
    cap = cv2.VideoCapture(str(paths.SAMPLE_VIDEO))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(np.asarray(frame, np.uint8))
    cap.release()
    return frames


def encode(path: Path, frames: list[Image], fps: float, seconds: float, **kw: object) -> ClipEncoder:
    """Feeds `seconds` of frames at `fps` (timestamps as the mirror would give), waiting for room
    rather than dropping: the tests measure the encoder, not this machine's speed."""
    enc = ClipEncoder(path, **kw)  # type: ignore[arg-type]
    enc.start()
    n = int(round(seconds * fps))
    for i in range(n):
        while not enc.feed(frames[i % len(frames)], 100.0 + i / fps):
            if not enc.is_alive():
                break
            enc.dropped -= 1
            enc.join(0.005)
    enc.finish()
    assert enc.wait(60)
    return enc


@pytest.fixture(scope="session")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """A real 1.5 s clip, 640 px wide, to share and serve."""
    frames = [np.asarray(cv2.resize(f, (640, 360)), np.uint8) for f in sample_frames()[:45]]
    enc = encode(tmp_path_factory.mktemp("clip") / "small.mp4", frames, 30, 1.5)
    assert enc.clip is not None, enc.error
    return enc.clip
