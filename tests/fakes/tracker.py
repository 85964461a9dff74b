"""A tracker that reports what the test scripts instead of running MediaPipe.

The face it reports by default is MediaPipe's own answer for the sample video's first frame
(sample_face.json, made once with MediaPipeTracker(static=True)), scaled to each frame's size,
so pieces are placed, sized and lit as on a real face while a UI test loads no model."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kiosk.track.base import FaceTrack, Needs, Tracking

SAMPLE_FACE = Path(__file__).with_name("sample_face.json")


@cache
def _recorded() -> tuple[tuple[int, int], FaceTrack]:
    d = json.loads(SAMPLE_FACE.read_text())
    face = FaceTrack(points=np.asarray(d["points"], np.float32), z=np.asarray(d["z"], np.float32),
                     px_per_mm=float(d["px_per_mm"]), scale_source=str(d["scale_source"]))
    return (int(d["width"]), int(d["height"])), face


def sample_face(width: int = 1280, height: int = 720) -> FaceTrack:
    """The recorded face in a frame of this size (scaled by the width: the aspect is kept)."""
    (w, h), face = _recorded()
    k = width / w
    offset = np.array([0.0, (height - h * k) / 2], np.float32)      # a taller frame: centred
    return FaceTrack(points=face.points * k + offset, z=face.z * k, px_per_mm=face.px_per_mm * k,
                     scale_source=face.scale_source)


class FakeTracker:
    """`script` is played in order, one entry per frame, the last one kept for the rest: True
    is the recorded face, False no face, a FaceTrack that face. Thread-safe: the try-on calls
    it on its worker thread while the test reads `calls`."""

    def __init__(self, script: Sequence[bool | FaceTrack] = (True,)) -> None:
        if not script:
            raise ValueError("a FakeTracker needs at least one scripted frame")
        self.script = list(script)
        self.calls = 0
        self.needs: list[Needs] = []
        self.closed = False
        self._lock = threading.Lock()

    def track(self, frame: npt.NDArray[np.uint8], needs: Needs, t: float) -> Tracking:
        h, w = frame.shape[:2]
        with self._lock:
            step = self.script[min(self.calls, len(self.script) - 1)]
            self.calls += 1
            self.needs.append(needs)
            del self.needs[:-10]                # the latest few, for a test to check
        if isinstance(step, FaceTrack):
            faces = [step]
        else:
            faces = [sample_face(w, h)] if step else []
        return Tracking(width=w, height=h, faces=faces)

    def close(self) -> None:
        self.closed = True
