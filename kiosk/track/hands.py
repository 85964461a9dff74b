"""Hands for rings and bangles: MediaPipe Hands (the models inside the mediapipe wheel), run
only while a hand piece is on.

Live it runs in video mode (landmarks tracked frame to frame, the palm detector only when a
hand is lost), up to two hands, each smoothed with a One-Euro filter like the face. Stills run
the full model on the photo alone. Besides the 21 image points MediaPipe gives each hand's
"world" landmarks: metres, centred on the hand, from the network's own prior of hand size.
Their shape (not their size: the kiosk sets that, kiosk/tryon/sizing.py) gives the hand's 3D
orientation: palm or back towards the camera and the wrist's rotation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.track.filters import OneEuro, match_slot

MAX_HANDS = 2
# Live, one hand: with room for a second one MediaPipe runs its palm detector on every frame
# looking for it (about 10 ms a frame on 2 cores); a photo finds both.
LIVE_HANDS = 1

# MediaPipe hand landmark indices.
WRIST = 0
THUMB = (1, 2, 3, 4)
FINGERS = {            # MCP (knuckle), PIP (first joint), DIP, TIP
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "little": (17, 18, 19, 20),
}
INDEX_MCP, LITTLE_MCP, MIDDLE_MCP = 5, 17, 9


@dataclass
class HandTrack:
    points: npt.NDArray[np.float32]     # (21, 2) smoothed pixels
    z: npt.NDArray[np.float32]          # (21,) depth relative to the wrist, in pixels
    world_mm: npt.NDArray[np.float32]   # (21, 3) MediaPipe's metric shape (x right, y down, z away)
    side: str                           # the customer's "left" or "right" hand
    score: float

    def pt(self, i: int) -> npt.NDArray[np.float32]:
        return np.asarray(self.points[i], dtype=np.float32)

    @property
    def knuckle_span_px(self) -> float:
        """Index to little finger knuckle centres: the hand's most rigid length in the image."""
        return float(np.hypot(*(self.points[INDEX_MCP] - self.points[LITTLE_MCP])))

    @property
    def box(self) -> tuple[float, float, float, float]:
        x0, y0 = self.points.min(axis=0)
        x1, y1 = self.points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def palm_normal(self) -> npt.NDArray[np.float32]:
        """Unit normal out of the palm, in MediaPipe's world axes (z away from the camera):
        its z is negative when the palm faces the camera."""
        w = self.world_mm
        n = np.cross(w[INDEX_MCP] - w[WRIST], w[LITTLE_MCP] - w[WRIST])
        # The cross product of the same two bones points out of the palm of one hand and out of
        # the back of the other: mirror images.
        if self.side == "left":
            n = -n
        return np.asarray(n / (float(np.linalg.norm(n)) or 1.0), np.float32)

    @property
    def palm_facing(self) -> bool:
        return float(self.palm_normal()[2]) < 0.0

    @property
    def roll_deg(self) -> float:
        """The wrist's rotation seen from the camera: 0 with the back of the hand square to the
        camera, 180 with the palm square to it, +-90 edge on."""
        back = -self.palm_normal()
        return math.degrees(math.acos(max(-1.0, min(1.0, float(-back[2])))))


def _side(label: str, mirrored: bool) -> str:
    """MediaPipe labels handedness as if the image were a mirror image (a selfie). The kiosk
    tracks the camera's true view (the mirror is only how the screen paints it) and photos are
    true views too: there its label is the customer's other hand."""
    own = label.lower()
    if not mirrored:
        own = "left" if own == "right" else "right"
    return own


class _Slot:
    def __init__(self) -> None:
        self.points = OneEuro(min_cutoff=0.8, beta=0.03)
        self.world = OneEuro(min_cutoff=0.8, beta=0.0)
        self.center: npt.NDArray[np.float32] | None = None     # the wrist, last frame


class HandTracker:
    """MediaPipe Hands, made on first use (most visits never need it)."""

    def __init__(self, static: bool = False, mirrored: bool = False):
        self.static = static
        self.mirrored = mirrored
        self._hands: Any = None
        self._slots: list[_Slot] = []

    def close(self) -> None:
        if self._hands is not None:
            self._hands.close()
            self._hands = None

    def reset(self) -> None:
        self._slots.clear()

    def _model(self) -> Any:
        if self._hands is None:
            import mediapipe as mp

            # Complexity 0 (the lite landmark model) live: it tracks at ~5 ms on these cores;
            # stills take the full model.
            self._hands = mp.solutions.hands.Hands(
                static_image_mode=self.static, max_num_hands=MAX_HANDS if self.static else LIVE_HANDS,
                model_complexity=1 if self.static else 0,
                min_detection_confidence=0.5, min_tracking_confidence=0.5)
        return self._hands

    def track(self, rgb: Image, t: float) -> list[HandTrack]:
        h, w = rgb.shape[:2]
        res = self._model().process(rgb)
        found = []
        for lms, world, handed in zip(res.multi_hand_landmarks or [], res.multi_hand_world_landmarks or [],
                                      res.multi_handedness or [], strict=False):
            pts = np.array([(p.x * w, p.y * h) for p in lms.landmark], np.float32)
            z = np.array([p.z * w for p in lms.landmark], np.float32)
            wmm = np.array([(p.x, p.y, p.z) for p in world.landmark], np.float32) * 1000.0
            c = handed.classification[0]
            found.append(HandTrack(pts, z, wmm, _side(c.label, self.mirrored), float(c.score)))
        # The biggest hand first: the customer's, held up to the mirror.
        found.sort(key=lambda hd: -hd.knuckle_span_px)
        if self.static:
            return found
        taken: list[_Slot] = []
        for hd in found:
            slot = self._match(hd, taken)
            hd.points = slot.points(hd.points, t)
            hd.world_mm = slot.world(hd.world_mm, t)
        if not found:
            self._slots.clear()
        return found

    def _match(self, hd: HandTrack, taken: list[_Slot]) -> _Slot:
        return match_slot(self._slots, hd.pt(WRIST), 1.5 * max(hd.knuckle_span_px, 1.0), taken, _Slot,
                          MAX_HANDS * 2)
