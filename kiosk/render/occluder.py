"""What the renderer draws into the depth buffer only, before the pieces: the customer's head
and neck, so a piece behind them is hidden the way the real one would be."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kiosk.render.camera import Camera


@dataclass(frozen=True)
class Occluder:
    """A triangle mesh in camera space (kiosk/render/camera.py axes, millimetres).

    Winding is not meaningful: occluders are drawn without face culling, depth only.
    """

    vertices: npt.NDArray[np.float32]    # (N, 3)
    faces: npt.NDArray[np.int32]         # (M, 3) indices into vertices
    push_mm: float = 0.0                 # moved away along the view ray: a depth tolerance


class OccluderBounds:
    """Which of an occluder's triangles can cover a rectangle of the frame. A head mesh spans
    the whole face while an earring's rectangle holds a few dozen of its 1,400 triangles, and
    llvmpipe shades and sets up every triangle it is given, clipped away or not: drawn behind
    each of three pieces the whole mesh was a fifth of the frame's triangles. The projected
    bounds are computed once per occluder and camera (the frame's few are kept)."""

    KEEP = 8

    def __init__(self, near_mm: float, margin_px: int):
        self.near, self.margin = near_mm, margin_px
        self._got: dict[int, tuple[Occluder, Camera, npt.NDArray[np.float32], npt.NDArray[np.float32]]] = {}

    def faces_in(self, occ: Occluder, cam: Camera, rect: tuple[int, int, int, int]) -> npt.NDArray[np.uint32]:
        hit = self._got.get(id(occ))
        if hit is None or hit[0] is not occ or hit[1] != cam:
            v = np.asarray(occ.vertices, np.float32)
            tri = np.asarray(occ.faces, np.int64)
            z = v[:, 2]
            corners = cam.project(np.where(z[:, None] > self.near, v, np.float32(1.0)))[tri]   # (M, 3, 2)
            lo, hi = corners.min(axis=1), corners.max(axis=1)
            # A corner behind the camera: its projection is not its extent, so it is kept.
            behind = (z[tri] <= self.near).any(axis=1)
            lo[behind], hi[behind] = -np.inf, np.inf
            if len(self._got) >= self.KEEP:
                self._got.clear()
            hit = self._got[id(occ)] = (occ, cam, lo, hi)
        _, _, lo, hi = hit
        x, y, w, h = rect
        m = self.margin
        inside = (hi[:, 0] >= x - m) & (lo[:, 0] <= x + w + m) & (hi[:, 1] >= y - m) & (lo[:, 1] <= y + h + m)
        return np.ascontiguousarray(np.asarray(occ.faces)[inside], np.uint32)

    def clear(self) -> None:
        self._got.clear()
