"""The kiosk's printed size card held beside the hand, as the hand's scale (issue 22).

The card (assets/sizecard/, print at 100 %: it is a bank card's size) carries one ArUco marker,
40 mm square, which OpenCV finds to a fraction of a pixel on its four corners and which nothing
else in a store looks like (a coin needs its diameter told and a narrow search; the card needs
neither). Its pose from the four corners (a planar square, solvePnP IPPE) gives its distance, so
millimetres at the card's depth hold even with the card tilted: px/mm = fx / depth. A wrong
field of view scales the depth and fx alike and cancels.

Stills look for it on the photo; the live mirror on its side thread, twice a second (CardWatch).
The card measures the hand only if held beside it, at its depth: it must lie within a few
knuckle spans of the hand in the picture, and its scale must agree with the hand's own prior
within that prior's reach (a card held far nearer the camera than the hand would not).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.render.camera import Camera
from kiosk.track.hands import HandTrack
from kiosk.track.headpose import NO_DISTORTION
from kiosk.track.worker import LatestWorker
from kiosk.tryon.sizing import HandScale, prior_px_per_mm

DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_ID = 22
MARKER_MM = 40.0
CARD_MM = (85.6, 54.0)       # ISO/IEC 7810 ID-1, a bank card's size
NEAR_SPANS = 4.0             # the card's centre within this many knuckle spans of the hand's
PRIOR_AGREES = (0.6, 1.7)    # card scale / the hand's prior: beyond, the card is not at the hand
MAX_TILT_DEG = 65.0          # more edge-on than this, the corners are too close to trust
MIN_SIDE_PX = 16.0           # the marker's side: smaller, a corner's pixel is too much of it

# Live, the card is looked for on the side thread twice a second, and a sighting holds this
# long: a card held still beside the hand keeps the scale between looks, one put away lets go.
WATCH_PERIOD_S = 0.5
SIGHTING_S = 1.5

_local = threading.local()      # one detector per thread: the live watch has its own


@dataclass(frozen=True)
class Card:
    corners: npt.NDArray[np.float32]    # (4, 2) the marker's corners, pixels
    px_per_mm: float                    # at the card's depth
    tilt_deg: float                     # between the card's normal and the camera's axis

    @property
    def centre(self) -> tuple[float, float]:
        c = self.corners.mean(axis=0)
        return float(c[0]), float(c[1])

    @property
    def side_px(self) -> float:
        return _side_px(self.corners)

    def scale(self) -> HandScale:
        """The hand's scale from the card (its corners to about half a pixel, held about at
        the finger's depth)."""
        return HandScale.beside(self.px_per_mm, "card", self.side_px)

    def as_json(self) -> dict[str, object]:
        x, y = self.centre
        return {"marker_mm": MARKER_MM, "centre_px": [round(x, 1), round(y, 1)],
                "side_px": round(self.side_px, 2), "px_per_mm": round(self.px_per_mm, 3),
                "tilt_deg": round(self.tilt_deg, 1)}


def _aruco() -> Any:
    detector = getattr(_local, "detector", None)
    if detector is None:
        params = cv2.aruco.DetectorParameters()
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
        detector = _local.detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(DICTIONARY),
                                                             params)
    return detector


def find_card(frame: Image, camera: Camera) -> Card | None:
    """The size card's marker in a BGR frame, with its scale at its depth; None if absent,
    too small or too edge-on."""
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    corners, ids, _ = _aruco().detectMarkers(gray)
    if ids is None:
        return None
    for c, i in zip(corners, ids.ravel(), strict=True):
        if int(i) != MARKER_ID:
            continue
        pts = np.asarray(c, np.float32).reshape(4, 2)
        card = _posed(pts, camera)
        if card is not None:
            return card
    return None


def _side_px(pts: npt.NDArray[np.float32]) -> float:
    """The mean of a quadrilateral's four sides."""
    return float(np.mean(np.linalg.norm(pts - np.roll(pts, 1, axis=0), axis=1)))


def _posed(pts: npt.NDArray[np.float32], camera: Camera) -> Card | None:
    if _side_px(pts) < MIN_SIDE_PX:
        return None
    h = MARKER_MM / 2
    # ArUco's corner order: top-left, top-right, bottom-right, bottom-left (IPPE_SQUARE's own).
    square = np.array([[-h, h, 0], [h, h, 0], [h, -h, 0], [-h, -h, 0]], np.float32)
    ok, rvec, tvec = cv2.solvePnP(square, pts.astype(np.float64), camera.intrinsics(), NO_DISTORTION,
                                  flags=cv2.SOLVEPNP_IPPE_SQUARE)
    if not ok or float(tvec[2, 0]) <= 0:
        return None
    rot, _ = cv2.Rodrigues(rvec)
    tilt = math.degrees(math.acos(min(1.0, abs(float(rot[2, 2])))))
    if tilt > MAX_TILT_DEG:
        return None
    return Card(pts, camera.fx / float(tvec[2, 0]), tilt)


def card_for(card: Card | None, hand: HandTrack) -> Card | None:
    """The card, if it is beside this hand (near it in the picture and at its depth)."""
    if card is None:
        return None
    span = max(hand.knuckle_span_px, 1.0)
    centre = hand.points.mean(axis=0)
    if float(np.hypot(*(np.asarray(card.centre) - centre))) > NEAR_SPANS * span:
        return None
    ratio = card.px_per_mm / max(prior_px_per_mm(hand), 1e-6)
    return card if PRIOR_AGREES[0] <= ratio <= PRIOR_AGREES[1] else None


class CardWatch:
    """Live: the size card looked for on the side thread (nice 19: ArUco on a 720p frame takes
    several ms) twice a second while a hand piece is on; `see` gives the latest sighting."""

    def __init__(self) -> None:
        self._worker: LatestWorker[tuple[Image, Camera, float]] | None = None
        self._sent = -math.inf
        self._seen: tuple[Card, float] | None = None

    def see(self, frame: Image, camera: Camera, t: float) -> Card | None:
        if t - self._sent >= WATCH_PERIOD_S:
            self._sent = t
            if self._worker is None:
                self._worker = LatestWorker("tryon-card", self._look, WATCH_PERIOD_S)
            self._worker.submit((frame.copy(), camera, t))       # (the frame is drawn on next)
        seen = self._seen
        return seen[0] if seen is not None and abs(t - seen[1]) <= SIGHTING_S else None

    def _look(self, item: tuple[Image, Camera, float]) -> None:
        frame, camera, t = item
        card = find_card(frame, camera)
        if card is not None:
            self._seen = (card, t)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
