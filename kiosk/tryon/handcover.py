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


def _fixed(points: npt.NDArray[np.float32]) -> npt.NDArray[np.int32]:
    return np.asarray(np.round(points * (1 << SHIFT)), np.int32)


def hand_cover(hands: list[HandTrack], shape: tuple[int, ...], scale: float = 1.0) -> Mask | None:
    """1 where a hand (or its forearm) covers the frame, 0 elsewhere, soft at the edge; None
    without a hand. `scale`: the hands were tracked on a frame `scale` times smaller (a photo
    taken at the camera's full size)."""
    if not hands:
        return None
    h, w = shape[:2]
    m = np.zeros((h, w), np.uint8)
    for hd in hands:
        pts = np.asarray(hd.points, np.float32) * np.float32(scale)
        span = max(hd.knuckle_span_px * scale, 1.0)
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
    cover = np.asarray(m, np.float32) * np.float32(1 / 255)
    return np.asarray(cv2.GaussianBlur(cover, (0, 0), EDGE_PX), np.float32)

