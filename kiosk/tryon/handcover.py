"""Where the customer's hand is in front of the face pieces.

A hand raised to the face (touching an earring, at the chin) is in front of the earrings, the
nose ring and the necklace, so they are hidden where it covers them, as in a real mirror. The
hand's outline is drawn from its 21 landmarks: the palm's hull, each finger a stroke as wide as
a finger, the forearm continuing below the wrist (what the landmarks give are joints, so the
widths come from the hand's own knuckle span). The cover is soft at the edge by a pixel or so,
like the edge of a real finger, so pieces do not end in a staircase.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Mask
from kiosk.track.hands import FINGERS, MIDDLE_MCP, THUMB, WRIST, HandTrack

# Widths as fractions of the knuckle span (index to little knuckle, ~66 mm on an adult hand,
# kiosk/tryon/sizing.py): a finger ~17 mm, the thumb ~20 mm, the forearm by the wrist ~55 mm.
FINGER_W, THUMB_W, FOREARM_W = 0.26, 0.30, 0.85
FOREARM_PALMS = 2.5            # how far the forearm is drawn below the wrist, in palm lengths
PALM = (WRIST, 1, 2, 5, 9, 13, 17)
SHIFT = 4                      # OpenCV's fixed-point bits: outlines placed to 1/16 px
EDGE_PX = 1.0                  # the soft edge's blur (sigma)
MARGIN_PX = 4                  # a window is drawn this much wider, so its soft edge is the frame's
ISLAND_AREA = 0.05             # a speck: under this part of the piece's largest visible part
ISLAND_COVERED = 0.2           # the hand's cover somewhere on the speck: it touches the outline


def _fixed(points: npt.NDArray[np.float32]) -> npt.NDArray[np.int32]:
    return np.asarray(np.round(points * (1 << SHIFT)), np.int32)


class HandCover:
    """The hands' cover (1 where a hand or its forearm is, 0 elsewhere, soft at the edge),
    drawn only over the windows asked for: a frame's pieces need a few small ones. `scale`: the
    hands were tracked on a frame `scale` times smaller (a photo at the camera's full size)."""

    def __init__(self, hands: list[HandTrack], scale: float = 1.0) -> None:
        self.hands = hands
        self.scale = scale

    def crop(self, x0: int, y0: int, x1: int, y1: int) -> Mask:
        m = MARGIN_PX
        out = np.zeros((y1 - y0 + 2 * m, x1 - x0 + 2 * m), np.uint8)
        origin = np.array([x0 - m, y0 - m], np.float32)
        for hd in self.hands:
            _draw(out, np.asarray(hd.points, np.float32) * np.float32(self.scale) - origin,
                  max(hd.knuckle_span_px * self.scale, 1.0))
        cover = np.asarray(out, np.float32) * np.float32(1 / 255)
        return np.asarray(cv2.GaussianBlur(cover, (0, 0), EDGE_PX)[m:-m, m:-m], np.float32)


def _draw(m: npt.NDArray[np.uint8], pts: npt.NDArray[np.float32], span: float) -> None:
    cv2.fillConvexPoly(m, np.asarray(cv2.convexHull(_fixed(pts[list(PALM)])), np.int32), (255,),
                       cv2.LINE_AA, SHIFT)
    for chain, width in ((THUMB, THUMB_W), *((f, FINGER_W) for f in FINGERS.values())):
        # From the wrist: the palm's edge by the thumb and the little finger is flesh too.
        line = _fixed(pts[[WRIST, *chain]])
        cv2.polylines(m, [line], False, (255,), max(1, round(width * span)), cv2.LINE_AA, SHIFT)
    wrist, knuckle = pts[WRIST], pts[MIDDLE_MCP]
    palm = float(np.hypot(*(wrist - knuckle)))
    if palm > 1.0:
        elbow = wrist + (wrist - knuckle) / palm * FOREARM_PALMS * palm
        a, b = (tuple(int(v) for v in _fixed(q)) for q in (wrist, elbow))
        cv2.line(m, a, b, (255,), max(1, round(FOREARM_W * span)), cv2.LINE_AA, SHIFT)


def hand_cover(hands: list[HandTrack], shape: tuple[int, ...], scale: float = 1.0) -> Mask | None:
    """The cover over a whole frame of `shape`; None without a hand."""
    if not hands:
        return None
    return HandCover(hands, scale).crop(0, 0, int(shape[1]), int(shape[0]))


def drop_islands(rgba: npt.NDArray[np.float32], cover: Mask) -> None:
    """A bangle or bracelet (one closed loop) seen round the wrist is whole or cut by the hand
    into a few long parts. The hand's occluder is a few cylinders and a slab fitted from the
    landmarks in 3D, and where that fit says the hand is seen edge-on while the camera sees its
    back, a proud stone of the hidden part of the loop showed through, a speck floating on the
    back of the hand. Such specks (small, and on the hand's outline in the picture, which is
    drawn from the landmarks and so a little inside the real hand's edge) are hidden. `rgba`:
    the piece's premultiplied layer, changed in place; `cover`: the hand's cover over the same
    rectangle."""
    seen = np.asarray(rgba[:, :, 3] > 0.02, np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(seen, connectivity=8)
    if n <= 2:
        return
    areas = stats[1:, cv2.CC_STAT_AREA]
    biggest = float(areas.max())
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] >= ISLAND_AREA * biggest:
            continue
        part = labels == k
        if float(cover[part].max()) > ISLAND_COVERED:
            rgba[part] = 0.0
