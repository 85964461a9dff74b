"""Drawing the live 3D pieces ahead of the frame that shows them.

On the 2-core kiosk a frame's two big stages each keep about one core busy: MediaPipe's face
mesh ~5-9 ms (its graph runs with the GIL released) and the renderer ~8-11 ms (llvmpipe shades
the vertices in the calling thread). So once a frame is done, its pieces are drawn again at its
poses on the renderer's own thread (kiosk/render/thread.py), in the time until the next frame
comes; the next frame is tracked on a thread of its own meanwhile should it come before the
drawing is done. Once the new poses are known, each layer is moved by the shift of its hook,
in whole pixels (a still head is neither resampled nor blurred, so it does not shimmer). A
piece that turned or came nearer by more than a frame's worth is drawn again at its new pose,
as is one whose layer was cut by the frame's edge. What the customer sees is one frame late
only in a piece's turn and swing (a degree or two, a 33 ms lag of the pendulum), never in where
it hangs; a frame waits for tracking and compositing, not for drawing.

Stills and the first frame after a change (a piece chosen, the face found again) are drawn after
tracking, as before.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from kiosk.capture.base import Mat
from kiosk.render.camera import Camera
from kiosk.render.renderer import Layer
from kiosk.track.base import Tracking
from kiosk.tryon.scene3d import Drawing, PosedPiece

# Beyond these a layer drawn for the last frame is drawn again: a turn of 3 degrees is what a
# head turning fast (90 deg/s) does in a frame, and about where a jhumka's outline would visibly
# differ; 3 % nearer is a step towards the mirror in a frame.
TURN_TOL_DEG = 3.0
DEPTH_TOL = 0.03
SHIFT_TOL_PX = 48


def _turn_deg(a: Mat, b: Mat) -> float:
    """The angle between two poses' orientations, ignoring their scale."""
    ra = a[:3, :3] / np.linalg.norm(a[:3, :3], axis=0)
    rb = b[:3, :3] / np.linalg.norm(b[:3, :3], axis=0)
    c = (float(np.trace(ra.T @ rb)) - 1.0) / 2.0
    return math.degrees(math.acos(min(1.0, max(-1.0, c))))


def moved(before: PosedPiece, layer: Layer, now: PosedPiece, was: Camera, cam: Camera) -> Layer | None:
    """The layer drawn at `before` placed for `now`, or None when it must be drawn again."""
    if now.item.model is not before.item.model or (was.width, was.height) != (cam.width, cam.height):
        return None
    z0, z1 = float(before.hook_cam[2]), float(now.hook_cam[2])
    if z0 <= 0 or abs(z1 / z0 - 1.0) > DEPTH_TOL:
        return None
    turn = _turn_deg(np.asarray(before.item.pose, np.float64), np.asarray(now.item.pose, np.float64))
    if turn > TURN_TOL_DEG:
        return None
    h0 = was.project(before.hook_cam.reshape(1, 3).astype(np.float32))[0]
    h1 = cam.project(now.hook_cam.reshape(1, 3).astype(np.float32))[0]
    dx, dy = (int(round(float(v))) for v in h1 - h0)
    if max(abs(dx), abs(dy)) > SHIFT_TOL_PX:
        return None
    x0, y0, w, h = layer.rect
    cut = x0 <= 0 or y0 <= 0 or x0 + w >= cam.width or y0 + h >= cam.height
    if cut and (dx or dy):
        return None                   # the part beyond the edge would be missing
    return Layer(layer.rgba, x0 + dx, y0 + dy)


class TrackAhead:
    """The tracker's thread for frames whose pieces are drawn meanwhile."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def start(self, track: Callable[[], Tracking]) -> Future[tuple[Tracking, float]]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="track-ahead")

        def timed() -> tuple[Tracking, float]:
            t0 = time.perf_counter()
            return track(), (time.perf_counter() - t0) * 1000

        return self._pool.submit(timed)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def reuse(ahead: list[Drawing], was: Camera, posed: list[PosedPiece],
          cam: Camera) -> tuple[dict[tuple[str, str], Drawing], list[PosedPiece]]:
    """Each newly posed piece's layer drawn ahead, moved to its new place; and the pieces that
    must be drawn again."""
    drawn = {(p.piece.id, p.side): (p, layer, ms) for p, layer, ms in ahead}
    out: dict[tuple[str, str], Drawing] = {}
    again = []
    for p in posed:
        key = (p.piece.id, p.side)
        hit = drawn.get(key)
        if hit is None:
            again.append(p)
            continue
        before, layer, ms = hit
        if layer is None:
            again.append(p)        # it was out of view: it may not be now
            continue
        placed = moved(before, layer, p, was, cam)
        if placed is None:
            again.append(p)
        else:
            out[key] = (p, placed, ms)
    return out, again
