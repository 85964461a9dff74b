"""The pinhole camera the pieces are rendered through, matched to the real camera's field of view.

Camera space is OpenCV's: x to the image's right, y down, z forward (away from the camera,
towards the customer), in millimetres. A point (x, y, z) lands on pixel (fx x / z + cx,
fy y / z + cy) of the frame the tracker saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DEFAULT_HFOV_DEG = 60.0     # a typical 720p webcam (C920-class: ~70 deg diagonal, ~60 horizontal)


@dataclass(frozen=True)
class Camera:
    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int

    @classmethod
    def from_hfov(cls, width: int, height: int, hfov_deg: float = DEFAULT_HFOV_DEG) -> Camera:
        f = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
        return cls(f, f, width / 2.0, height / 2.0, int(width), int(height))

    def scaled(self, factor: float) -> Camera:
        """The same camera for a frame `factor` times the size (a still at full resolution)."""
        return Camera(self.fx * factor, self.fy * factor, self.cx * factor, self.cy * factor,
                      int(round(self.width * factor)), int(round(self.height * factor)))

    def project(self, points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(N, 3) camera-space mm -> (N, 2) pixels."""
        p = np.asarray(points, np.float32).reshape(-1, 3)
        z = np.maximum(p[:, 2:3], 1e-3)
        return np.concatenate([self.fx * p[:, 0:1] / z + self.cx, self.fy * p[:, 1:2] / z + self.cy], axis=1)

    def intrinsics(self) -> npt.NDArray[np.float64]:
        """OpenCV's 3x3 camera matrix (solvePnP's), no distortion."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    def depth_for_scale(self, px_per_mm: float) -> float:
        """How far (mm) an object is when 1 mm on it spans `px_per_mm` pixels."""
        return self.fx / max(px_per_mm, 1e-6)

    @property
    def hfov_deg(self) -> float:
        return math.degrees(2.0 * math.atan((self.width / 2.0) / self.fx))
