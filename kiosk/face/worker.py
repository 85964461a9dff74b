"""The face worker: a few times a second, the best recent frame → quality gate → embedding.

It runs only while a consented visit is open (``active``), on its own thread, never on the UI
thread; the models load lazily on that thread the first time they are needed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from kiosk.capture.base import Image
from kiosk.face.embed import Embedder, FoundFace, Vector, measure_quality
from kiosk.face.estimates import Estimates, Estimator

log = logging.getLogger(__name__)

PERIOD_S = 0.35


@dataclass(frozen=True)
class FaceSample:
    vector: list[float]
    quality: float                  # higher is better (Quality.score)
    jpeg: bytes                     # the face photo for seed 001
    age: int | None = None
    gender: str | None = None
    emotion: str | None = None
    body_type: str | None = None


def face_photo(bgr: Image, box: tuple[int, int, int, int]) -> bytes:
    """The face with some margin, as JPEG, for the person record."""
    left, top, right, bottom = box
    h, w = bgr.shape[:2]
    m = int(0.4 * max(right - left, bottom - top))
    crop = bgr[max(0, top - m):min(h, bottom + m), max(0, left - m):min(w, right + m)]
    ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("cannot encode the face photo")
    return bytes(buf)


class FaceFinder(Protocol):
    """What the worker asks of kiosk.face.embed.Embedder."""

    def detect(self, bgr: Image) -> list[FoundFace]: ...

    def encode(self, bgr: Image, face: FoundFace) -> Vector: ...

    def close(self) -> None: ...


class FaceEstimator(Protocol):
    """What the worker asks of kiosk.face.estimates.Estimator."""

    def estimate(self, bgr: Image, box: tuple[int, int, int, int]) -> Estimates: ...

    def close(self) -> None: ...


FaceModels = tuple[FaceFinder, FaceEstimator]


def load_models() -> FaceModels:
    """The real models (MediaPipe, dlib, ONNX): seconds to load, so only ever on the worker."""
    return Embedder(), Estimator()


def _known(value: str) -> str | None:
    """Seed 001 fields are left out rather than sent as "Unknown"."""
    return None if value == "Unknown" else value


class FaceWorker(threading.Thread):
    def __init__(self, get_frame: Callable[[], Image | None], on_sample: Callable[[FaceSample], None],
                 models: Callable[[], FaceModels] = load_models):
        super().__init__(name="face", daemon=True)
        self.get_frame, self.on_sample = get_frame, on_sample
        # Called on this thread the first time a frame is wanted; the window may set it until
        # then (tests hand in fakes: no model loads).
        self.models = models
        self.active = threading.Event()
        self._halt = threading.Event()
        self.samples = 0
        self.errors = 0

    def stop(self) -> None:
        self._halt.set()
        self.active.set()

    def run(self) -> None:
        embedder: FaceFinder | None = None
        estimator: FaceEstimator | None = None
        try:
            while not self._halt.is_set():
                self.active.wait()
                if self._halt.wait(PERIOD_S):
                    break
                if not self.active.is_set():
                    continue
                frame = self.get_frame()
                if frame is None:
                    continue
                if embedder is None or estimator is None:
                    embedder, estimator = self.models()     # models load here, off the UI
                try:
                    self._one(np.ascontiguousarray(frame), embedder, estimator)
                except Exception:
                    self.errors += 1
                    log.exception("face worker: a frame failed (%d so far)", self.errors)
        finally:
            if embedder is not None:
                embedder.close()
            if estimator is not None:
                estimator.close()

    def _one(self, frame: Image, embedder: FaceFinder, estimator: FaceEstimator) -> None:
        faces = embedder.detect(frame)
        if not faces:
            return
        face = faces[0]
        quality = measure_quality(frame, face.box)
        if not quality.ok:
            return
        vector = embedder.encode(frame, face)
        est = estimator.estimate(frame, face.box)
        sample = FaceSample(vector=[float(x) for x in vector], quality=quality.score,
                            jpeg=face_photo(frame, face.box), age=est.age, gender=_known(est.gender),
                            emotion=_known(est.emotion), body_type=_known(est.body_type))
        self.samples += 1
        if self.active.is_set():
            self.on_sample(sample)
