"""Face models that answer what the test scripts instead of loading MediaPipe, dlib and ONNX:
the face worker's `FaceFinder` and `FaceEstimator` (kiosk/face/worker.py).

By default they find the face the fake tracker reports (tests/fakes/tracker.py) and give it
the 128-d vector and estimates of one of the simulator's bundled customers, so the face
worker's own quality gate and the visit's gallery match run on real numbers."""

from __future__ import annotations

import threading

import numpy as np

from kiosk.face.embed import FoundFace, Image, Vector
from kiosk.face.estimates import Estimates
from kiosk.face.worker import FaceModels
from kiosk.harness.simulate import bundled_faces
from kiosk.session.visit import FaceSample
from tests.fakes.tracker import sample_face


def bundled_customer(index: int = 0) -> FaceSample:
    return bundled_faces()[index].sample


class FakeEmbedder:
    """Finds one face (`box`, else the sample face's box in that frame) or none
    (`found=False`); every face it encodes gets `sample`'s vector."""

    def __init__(self, sample: FaceSample | None = None, box: tuple[int, int, int, int] | None = None,
                 found: bool = True) -> None:
        self.sample = sample or bundled_customer()
        self.box, self.found = box, found
        self.detects = self.encodes = 0
        self.closed = False
        self._lock = threading.Lock()

    def detect(self, bgr: Image) -> list[FoundFace]:
        with self._lock:
            self.detects += 1
        if not self.found:
            return []
        h, w = bgr.shape[:2]
        box = self.box or tuple(int(v) for v in sample_face(w, h).box)
        return [FoundFace((box[0], box[1], box[2], box[3]), 0.99)]

    def encode(self, bgr: Image, face: FoundFace) -> Vector:
        with self._lock:
            self.encodes += 1
        return np.asarray(self.sample.vector, np.float64)

    def close(self) -> None:
        self.closed = True


class FakeEstimator:
    """Age, gender, emotion and body type of `sample`, whatever the frame."""

    def __init__(self, sample: FaceSample | None = None) -> None:
        self.sample = sample or bundled_customer()
        self.closed = False

    def estimate(self, bgr: Image, box: tuple[int, int, int, int]) -> Estimates:
        s = self.sample
        return Estimates(s.age, s.gender or "Unknown", s.emotion or "Unknown", s.body_type or "Unknown")

    def close(self) -> None:
        self.closed = True


def fake_face_models() -> FaceModels:
    """For `Wiring(face_models=...)`: a fresh pair each time the worker asks."""
    return FakeEmbedder(), FakeEstimator()
