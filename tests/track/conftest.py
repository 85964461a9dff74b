from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk import paths
from kiosk.render.camera import Camera
from kiosk.track.base import IRIS_MM, FaceTrack, Needs
from kiosk.track.headpose import IRIS_CENTRES_MM, HeadPose, canonical_face
from kiosk.track.mediapipe_tracker import MediaPipeTracker, scale_from
from tests.helpers.handref import reference  # noqa: F401  (a fixture the hand tests use)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FPS = 29.97


def fixture_images() -> list[Path]:
    return sorted((FIXTURES / "photos").glob("*.jpg")) + sorted((FIXTURES / "faces").glob("*/*.jpg"))


def image(path: Path) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(path))
    assert img is not None, path
    return np.ascontiguousarray(img)


@dataclass
class Recorded:
    frames: list[npt.NDArray[np.uint8]]
    faces: list[FaceTrack]
    width: int
    height: int


@pytest.fixture(scope="session")
def sample_video() -> Recorded:
    """The bundled 720p video tracked as the live mirror tracks it (smoothed landmarks)."""
    cap = cv2.VideoCapture(str(paths.SAMPLE_VIDEO))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(np.ascontiguousarray(img))
    cap.release()
    tr = MediaPipeTracker(static=False)
    try:
        faces = []
        for i, img in enumerate(frames):
            face = tr.track(img, Needs(), i / FPS).primary
            assert face is not None, f"no face in frame {i}"
            faces.append(face)
    finally:
        tr.close()
    h, w = frames[0].shape[:2]
    return Recorded(frames, faces, w, h)


def synthetic_face(pose: HeadPose, iris_mm: float = IRIS_MM) -> FaceTrack:
    """What a perfect tracker would report for a head at `pose` looking at the camera: the
    canonical vertices projected, and irises of the real (fixed) size facing the camera: a head
    `pose.scale` times the canonical one still has 11.7 mm irises."""
    pts = np.zeros((478, 2), np.float32)
    pts[:468] = pose.project(canonical_face().vertices)
    r = iris_mm / 2
    for start, centre in zip((468, 473), pose.to_camera(IRIS_CENTRES_MM), strict=True):
        # centre, then the ring: right, up, left, down (kiosk.track.base.IRIS_A order); image y
        # is down, so "up" is -y.
        ring = [centre, centre + [r, 0, 0], centre - [0, r, 0], centre - [r, 0, 0], centre + [0, r, 0]]
        pts[start:start + 5] = pose.camera.project(np.asarray(ring, np.float32))
    scale, source = scale_from(pts)
    return FaceTrack(points=pts, z=np.zeros(478, np.float32), px_per_mm=scale, scale_source=source)


def camera_720p() -> Camera:
    return Camera.from_hfov(1280, 720, 60.0)
