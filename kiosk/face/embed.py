"""Face boxes from MediaPipe, 128-d encodings from dlib (face_recognition), quality gate.

MediaPipe's full-range detector finds faces fast, including small ones. dlib's encoder was
trained on its own HOG detector's boxes, and its alignment (5-point shape predictor) follows
the box: on the labelled fixtures MediaPipe boxes handed straight to it give same-person
distances up to 0.71 against different-person distances from 0.58 (they overlap). So the
MediaPipe box only says where to look: HOG runs on that crop scaled so the face is ~170 px wide
(no upsampling of the frame), and its box is used for the encoding; if HOG finds nothing there,
the MediaPipe box is used as it is.

Calibration on tests/fixtures/faces (10 identities, 21 photos, 210 pairs, one encoding pass):
same person <= 0.614, different people >= 0.623. MATCH_THRESHOLD = 0.6 keeps dlib's
convention and errs towards "not recognised" (a returning customer seen as new is harmless,
a stranger shown someone else's history is not); pairs at 0.60-0.62 count as different.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float64]

MATCH_THRESHOLD = 0.6
HOG_FACE_PX = 170.0
MIN_FACE_PX = 60          # quality gate: smaller faces give unstable encodings
MIN_SHARPNESS = 40.0      # variance of the Laplacian on the face, 150 px wide
MAX_YAW_DEG = 25.0
EXPOSURE = (50.0, 210.0)  # mean grey level of the face


@dataclass
class Quality:
    size_px: float
    sharpness: float
    brightness: float
    frontal: float            # 1 = looking straight at the camera
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def score(self) -> float:
        """Higher is better: used to keep the best frame of a session."""
        size = min(self.size_px / 200.0, 1.0)
        sharp = min(self.sharpness / 300.0, 1.0)
        light = 1.0 - min(abs(self.brightness - 128.0) / 128.0, 1.0)
        return round(0.3 * size + 0.3 * sharp + 0.2 * light + 0.2 * self.frontal, 4)

    def as_json(self) -> dict[str, Any]:
        return {"size_px": round(self.size_px, 1), "sharpness": round(self.sharpness, 1),
                "brightness": round(self.brightness, 1), "frontal": round(self.frontal, 2),
                "score": self.score, "ok": self.ok, "problems": self.problems}


@dataclass
class FoundFace:
    box: tuple[int, int, int, int]        # left, top, right, bottom (px)
    score: float                          # detector confidence
    vector: Vector | None = None
    quality: Quality | None = None

    @property
    def area(self) -> int:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


def distance(a: Vector, b: Vector) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def measure_quality(bgr: Image, box: tuple[int, int, int, int], yaw_deg: float | None = None) -> Quality:
    left, top, right, bottom = box
    h, w = bgr.shape[:2]
    crop = bgr[max(0, top):min(h, bottom), max(0, left):min(w, right)]
    size = float(min(right - left, bottom - top))
    if crop.size == 0:
        return Quality(size, 0.0, 0.0, 0.0, ["face outside the image"])
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    grey = cv2.resize(grey, (150, max(1, int(150 * grey.shape[0] / max(grey.shape[1], 1)))),
                      interpolation=cv2.INTER_AREA)
    sharp = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    bright = float(grey.mean())
    frontal = 1.0 if yaw_deg is None else max(0.0, 1.0 - abs(yaw_deg) / 45.0)
    problems = []
    if size < MIN_FACE_PX:
        problems.append(f"face too small ({size:.0f} px < {MIN_FACE_PX})")
    if sharp < MIN_SHARPNESS:
        problems.append(f"blurred (sharpness {sharp:.0f} < {MIN_SHARPNESS:.0f})")
    if not EXPOSURE[0] <= bright <= EXPOSURE[1]:
        problems.append(f"badly lit (brightness {bright:.0f})")
    if yaw_deg is not None and abs(yaw_deg) > MAX_YAW_DEG:
        problems.append(f"not facing the camera (turned {abs(yaw_deg):.0f} degrees)")
    return Quality(size, sharp, bright, frontal, problems)


class Embedder:
    """Finds faces and encodes them. Thread-safe; meant for a worker thread, never the UI."""

    def __init__(self) -> None:
        import face_recognition
        import mediapipe as mp

        self._fr = face_recognition
        self._detector = mp.solutions.face_detection.FaceDetection(model_selection=1,
                                                                   min_detection_confidence=0.5)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._detector.close()

    def detect(self, bgr: Image) -> list[FoundFace]:
        """Faces, largest first."""
        h, w = bgr.shape[:2]
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        with self._lock:
            res = self._detector.process(rgb)
        faces = []
        for d in res.detections or []:
            b = d.location_data.relative_bounding_box
            x0, y0 = int(max(0, b.xmin * w)), int(max(0, b.ymin * h))
            x1, y1 = int(min(w, (b.xmin + b.width) * w)), int(min(h, (b.ymin + b.height) * h))
            if x1 - x0 > 4 and y1 - y0 > 4:
                faces.append(FoundFace((x0, y0, x1, y1), float(d.score[0])))
        faces.sort(key=lambda f: -f.area)
        return faces

    def _dlib_box(self, rgb: Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """(top, right, bottom, left) as dlib's HOG detector would draw it around this face."""
        left, top, right, bottom = box
        h, w = rgb.shape[:2]
        bw, bh = right - left, bottom - top
        m = 0.6 * max(bw, bh)
        x0, y0 = int(max(0, left - m)), int(max(0, top - m))
        x1, y1 = int(min(w, right + m)), int(min(h, bottom + m))
        f = HOG_FACE_PX / max(bw, 1)
        crop = rgb[y0:y1, x0:x1]
        interp = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
        small = cv2.resize(crop, None, fx=f, fy=f, interpolation=interp)
        locs = self._fr.face_locations(small, number_of_times_to_upsample=0)
        if not locs:
            return top, right, bottom, left
        t, r, b, lft = max(locs, key=lambda q: (q[2] - q[0]) * (q[1] - q[3]))
        return (int(y0 + t / f), int(x0 + r / f), int(y0 + b / f), int(x0 + lft / f))

    def encode(self, bgr: Image, face: FoundFace) -> Vector:
        rgb: Image = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        loc = self._dlib_box(rgb, face.box)
        vectors = self._fr.face_encodings(rgb, [loc], num_jitters=1, model="small")
        return np.asarray(vectors[0], np.float64)

    def analyse(self, bgr: Image, encode_all: bool = False) -> list[FoundFace]:
        """Detect, measure quality and encode (the largest face, or every face)."""
        faces = self.detect(bgr)
        for i, f in enumerate(faces):
            f.quality = measure_quality(bgr, f.box)
            if i == 0 or encode_all:
                f.vector = self.encode(bgr, f)
        return faces


def same_person(a: Vector, b: Vector, threshold: float = MATCH_THRESHOLD) -> bool:
    return distance(a, b) <= threshold
