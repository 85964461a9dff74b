"""Where posed pieces land on screen: the projection of a frame rectangle, each swing segment's
camera-space matrix, and the rectangle a set of items covers (see renderer.py's pixel convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.camera import Camera
from kiosk.render.model import Model
from kiosk.render.segments import segment_matrices

NEAR_MM, FAR_MM = 50.0, 5000.0
MARGIN_PX = 2                    # around the projected bounds: MSAA edge pixels, rounding


@dataclass
class DrawItem:
    model: Model
    pose: Array                                        # 4x4 model (mm) -> camera (mm, OpenCV)
    joints: dict[str, Array] = field(default_factory=dict)   # swing name -> 3x3, parent space
    opacity: float = 1.0


def projection(cam: Camera, x0: float, y0: float, w: float, h: float,
               near: float = NEAR_MM, far: float = FAR_MM) -> Array:
    """Camera space -> clip space of the frame rectangle (x0, y0, w, h), pixel-exact with
    `Camera.project`: x_ndc = 2 (u - x0) / w - 1 where u = fx x / z + cx (same for y)."""
    p = np.zeros((4, 4), np.float64)
    p[0, 0], p[0, 2] = 2 * cam.fx / w, 2 * (cam.cx - x0) / w - 1
    p[1, 1], p[1, 2] = 2 * cam.fy / h, 2 * (cam.cy - y0) / h - 1
    p[2, 2], p[2, 3] = (far + near) / (far - near), -2 * far * near / (far - near)
    p[3, 2] = 1.0
    return np.asarray(p, np.float32)


def posed_segments(item: DrawItem) -> list[Array]:
    """Camera-space matrix of each swing segment of an item: [0] the rigid body, [i + 1] the
    i-th swing (its frame, swings applied)."""
    pose = np.asarray(item.pose, np.float32)
    return [pose, *(pose @ segment_matrices(item.model, item.joints))]


def _corners(model: Model) -> tuple[Array, npt.NDArray[np.intp]]:
    """Each part's bounding-box corners (P, 8, 4) and its segment slot, kept on the model."""
    got: tuple[Array, npt.NDArray[np.intp]] | None = getattr(model, "_corners_cache", None)
    if got is None:
        lo = np.stack([p.lo for p in model.parts])
        hi = np.stack([p.hi for p in model.parts])
        pick = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])      # (8, 3)
        both = np.stack([lo, hi], axis=1)                                                  # (P, 2, 3)
        corners = both[:, pick, np.arange(3)]                                               # (P, 8, 3)
        corners = np.concatenate([corners, np.ones(corners.shape[:2] + (1,), np.float32)], axis=2)
        got = (np.asarray(corners, np.float32), np.array([p.segment + 1 for p in model.parts], np.intp))
        model._corners_cache = got  # type: ignore[attr-defined]
    return got


def screen_rect(items: Sequence[DrawItem], cam: Camera, posed: list[list[Array]] | None = None,
                margin: int = MARGIN_PX) -> tuple[int, int, int, int] | None:
    """The frame rectangle the items cover (their parts' boxes projected, plus a margin),
    clipped to the frame; None when nothing is in view."""
    posed = posed if posed is not None else [posed_segments(it) for it in items]
    pts = []
    for item, segs in zip(items, posed, strict=True):
        if not item.model.parts:
            continue
        corners, slot = _corners(item.model)
        mats = np.stack(segs)[slot]                                   # (P, 4, 4)
        pts.append(np.einsum("pij,pkj->pki", mats, corners)[:, :, :3].reshape(-1, 3))
    if not pts:
        return None
    p = np.concatenate(pts)
    p = p[p[:, 2] > NEAR_MM] if np.any(p[:, 2] > NEAR_MM) else p[:0]
    if not len(p):
        return None
    uv = cam.project(p)
    x0, y0 = np.floor(uv.min(axis=0)).astype(int) - margin
    x1, y1 = np.ceil(uv.max(axis=0)).astype(int) + margin
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), cam.width), min(int(y1), cam.height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0, y1 - y0


def clip_rect(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The intersection of two (x0, y0, w, h) rectangles, None when empty."""
    x0, y0 = max(int(a[0]), int(b[0])), max(int(a[1]), int(b[1]))
    x1, y1 = min(int(a[0] + a[2]), int(b[0] + b[2])), min(int(a[1] + a[3]), int(b[1] + b[3]))
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def union_rect(rects: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | None:
    if not rects:
        return None
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    return x0, y0, x1 - x0, y1 - y0
