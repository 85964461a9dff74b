"""What a tracker reports, in image pixels, and the small interface the pipeline uses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Mask
from kiosk.track.hands import HandTrack

Points = npt.NDArray[np.float32]          # (N, 2) pixel coordinates

# MediaPipe face mesh indices used by the try-on (478 points with refine_landmarks).
NOSE_TIP, CHIN, FOREHEAD_TOP = 1, 152, 10
EDGE_IMAGE_LEFT, EDGE_IMAGE_RIGHT = 234, 454        # face oval at the ears (tragus level)
EYE_OUTER_IMAGE_LEFT, EYE_OUTER_IMAGE_RIGHT = 33, 263
ALA_IMAGE_LEFT, ALA_IMAGE_RIGHT = 98, 327           # sides of the nostrils
IRIS_A, IRIS_B = (468, 469, 470, 471, 472), (473, 474, 475, 476, 477)   # centre + 4 ring points
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)

IRIS_MM = 11.7      # human iris diameter, nearly constant across adults
IPD_MM = 63.0       # mean adult interpupillary distance (fallback scale)


@dataclass(frozen=True)
class Needs:
    """What the current pieces need; the tracker runs nothing else."""

    pose: bool = False            # necklaces (shoulders)
    segmentation: bool = False    # outfits (person mask)
    hands: bool = False           # rings, bangles, bracelets
    hand_watch: bool = False      # face pieces: a hand near the face hides them where it covers


@dataclass
class FaceTrack:
    points: Points                 # (478, 2) smoothed pixels
    z: npt.NDArray[np.float32]     # relative depth per point (MediaPipe units, x-width scaled)
    px_per_mm: float               # smoothed metric scale
    scale_source: str              # "iris" or "ipd"

    @property
    def box(self) -> tuple[float, float, float, float]:
        x0, y0 = self.points.min(axis=0)
        x1, y1 = self.points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return (x1 - x0) * (y1 - y0)

    def pt(self, i: int) -> npt.NDArray[np.float32]:
        return np.asarray(self.points[i], dtype=np.float32)

    def scaled(self, f: float) -> FaceTrack:
        """The same face in a copy of its frame resized by f (a photo at camera resolution)."""
        return replace(self, points=(self.points * f).astype(np.float32), z=self.z * f,
                                   px_per_mm=self.px_per_mm * f)

    @property
    def roll_deg(self) -> float:
        """Head tilt: angle of the eye line from horizontal (positive = clockwise on screen)."""
        a, b = self.points[EYE_OUTER_IMAGE_LEFT], self.points[EYE_OUTER_IMAGE_RIGHT]
        return math.degrees(math.atan2(float(b[1] - a[1]), float(b[0] - a[0])))

    @property
    def yaw_deg(self) -> float:
        """Head turn, positive when the nose points to the image's right.

        From the depth difference between the two face edges at the ears (MediaPipe's z is in
        the same units as x): seen from above, a turn of yaw moves one edge back by
        width * sin(yaw) while their on-screen distance shrinks to width * cos(yaw).
        """
        a, b = EDGE_IMAGE_LEFT, EDGE_IMAGE_RIGHT
        dx = float(np.hypot(*(self.points[b] - self.points[a])))
        dz = float(self.z[b] - self.z[a])
        return math.degrees(math.atan2(dz, dx))

    def axes(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Unit vectors: along the eye line (image-left → image-right) and down the face."""
        ex = (self.points[EDGE_IMAGE_RIGHT] - self.points[EDGE_IMAGE_LEFT]).astype(np.float32)
        ex /= float(np.hypot(*ex)) or 1.0
        down = np.array([-ex[1], ex[0]], dtype=np.float32)
        return ex, down


@dataclass
class PoseTrack:
    shoulder_image_left: npt.NDArray[np.float32]
    shoulder_image_right: npt.NDArray[np.float32]
    visibility: float


@dataclass
class Tracking:
    width: int
    height: int
    faces: list[FaceTrack] = field(default_factory=list)   # largest (primary customer) first
    pose: PoseTrack | None = None
    person_mask: Mask | None = None
    hands: list[HandTrack] = field(default_factory=list)    # biggest first
    ms: dict[str, float] = field(default_factory=dict)

    @property
    def primary(self) -> FaceTrack | None:
        return self.faces[0] if self.faces else None


class Tracker(Protocol):
    def track(self, frame: npt.NDArray[np.uint8], needs: Needs, t: float) -> Tracking: ...

    def close(self) -> None: ...
