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
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.track.filters import OneEuro, match_slot
from kiosk.track.worker import LatestWorker

MAX_HANDS = 2
# Live, one hand per MediaPipe graph: with room for a second one MediaPipe runs its palm
# detector on every frame looking for it (about 10 ms a frame on 2 cores). The second hand is
# looked for on the side thread instead, twice a second, and followed by a second graph once
# seen (HandTracker). A photo finds both in one graph.
LIVE_HANDS = 1
SEARCH_PERIOD_S = 0.5
# A followed hand is painted out this far beyond its landmarks' box (a fraction of the box on
# each side): the landmarks are joints, the hand's outline lies outside them.
PAINT_MARGIN = 0.3
PAINT_GREY = 128

Box = tuple[float, float, float, float]          # x0, y0, x1, y1 (px)


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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


def _graph(static: bool, hands: int, complexity: int) -> Any:
    import mediapipe as mp

    return mp.solutions.hands.Hands(static_image_mode=static, max_num_hands=hands,
                                    model_complexity=complexity, min_detection_confidence=0.5,
                                    min_tracking_confidence=0.5)


def _paint_out(rgb: Image, boxes: list[Box]) -> Image:
    """A copy of the frame with each box (and its margin) flat grey: no hand to find there."""
    out: Image = np.array(rgb)
    h, w = out.shape[:2]
    for x0, y0, x1, y1 in boxes:
        mx, my = (x1 - x0) * PAINT_MARGIN, (y1 - y0) * PAINT_MARGIN
        rows = slice(max(0, int(y0 - my)), min(h, int(y1 + my) + 1))
        out[rows, max(0, int(x0 - mx)):min(w, int(x1 + mx) + 1)] = PAINT_GREY
    out.flags.writeable = False
    return out


def near_face(box: Box) -> Box:
    """Where a hand would be in front of a face piece: the face, the ears beside it and the
    neck and chest below it, where the necklaces lie."""
    x0, y0, x1, y1 = box
    fw, fh = x1 - x0, y1 - y0
    return x0 - 0.8 * fw, y0 - 0.2 * fh, x1 + 0.8 * fw, y1 + 1.8 * fh


def _same_hand(a: HandTrack, b: HandTrack) -> bool:
    return float(np.hypot(*(a.pt(WRIST) - b.pt(WRIST)))) < 0.5 * max(a.knuckle_span_px, b.knuckle_span_px)


def _distinct_sides(found: list[HandTrack]) -> None:
    """Two hands are a left and a right: where MediaPipe calls both the same (each graph
    judges its hand alone), the less certain one is the other side."""
    if len(found) == 2 and found[0].side == found[1].side:
        weaker = min(found, key=lambda hd: hd.score)
        weaker.side = "left" if weaker.side == "right" else "right"


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
    """MediaPipe Hands, made on first use (most visits never need it).

    Live, each MediaPipe graph follows one hand (see LIVE_HANDS): the first finds and follows
    the customer's hand; the side thread looks for another one on the frame with that hand
    painted out, and once it has seen one a second graph follows it, frame by frame, on
    frames with the first hand painted out, until it is lost."""

    def __init__(self, static: bool = False, mirrored: bool = False):
        self.static = static
        self.mirrored = mirrored
        self._hands: Any = None
        self._second: Any = None            # live: the graph following the other hand
        self._finder: Any = None            # live: the side thread's detector (its thread only)
        self._search: LatestWorker[tuple[Image, list[Box], Box | None]] | None = None
        self._executor: ThreadPoolExecutor | None = None     # the second graph's thread
        self._first_boxes: list[Box] = []
        self._seen = threading.Event()      # the side thread saw another hand
        self._making = threading.Lock()     # the first graph is made by either thread
        self._running = threading.Lock()    # and run by one at a time (watching for a hand)
        self.second_on = False              # a second hand is being followed
        self.watching = False               # face pieces only: a hand near the face is followed
        self.searches = 0                   # side-thread looks for another hand so far
        self._slots: list[_Slot] = []

    def close(self) -> None:
        if self._search is not None:
            self._search.close()
            self._search = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        for m in (self._hands, self._second, self._finder):
            if m is not None:
                m.close()
        self._hands = self._second = self._finder = None

    def reset(self) -> None:
        self._slots.clear()
        self.second_on = False
        self.watching = False
        self._seen.clear()

    def watch(self, rgb: Image, t: float, near: Box) -> list[HandTrack]:
        """With face pieces only: the hands inside `near` (a hand raised to the face is in front
        of its pieces). Live, they are looked for on the side thread twice a second, as the
        second hand is, and followed frame by frame only while one is there: a hand elsewhere,
        or none, costs no graph on the frame's thread."""
        if self.static or self.watching:
            found = [hd for hd in self.track(rgb, t, second=False) if overlap(hd.box, near)]
            if not found and not self.static:
                self.reset()            # looked for again on the side thread
            return found
        if self._seen.is_set():
            self._seen.clear()
            self.watching = True        # followed from the next frame on
        else:
            self._searcher().submit((rgb, [], near))
        return []

    def _searcher(self) -> LatestWorker[tuple[Image, list[Box], Box | None]]:
        if self._search is None:
            self._search = LatestWorker("track-hand-search", self._look, SEARCH_PERIOD_S)
        return self._search

    def _model(self) -> Any:
        with self._making:
            if self._hands is None:
                # Complexity 0 (the lite landmark model) live: it tracks at ~5 ms on these
                # cores; stills take the full model.
                self._hands = _graph(self.static, MAX_HANDS if self.static else LIVE_HANDS,
                                     1 if self.static else 0)
        return self._hands

    def track(self, rgb: Image, t: float, second: bool = True) -> list[HandTrack]:
        """`second`: also look for and follow a second hand (live)."""
        h, w = rgb.shape[:2]
        # Live, the second graph runs beside the first (MediaPipe leaves the GIL while its
        # graph runs), on the frame with the first graph's hands of the last frame painted out.
        other = (self._pool().submit(self._follow, rgb, self._first_boxes)
                 if not self.static and second and self.second_on else None)
        with self._running:
            found = self._read(self._model().process(rgb), w, h)
        if not self.static and second:
            self._first_boxes = [hd.box for hd in found]
            found += self._other_hand(rgb, found, other)
        _distinct_sides(found)
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

    def _read(self, res: Any, w: int, h: int) -> list[HandTrack]:
        found = []
        for lms, world, handed in zip(res.multi_hand_landmarks or [], res.multi_hand_world_landmarks or [],
                                      res.multi_handedness or [], strict=False):
            pts = np.array([(p.x * w, p.y * h) for p in lms.landmark], np.float32)
            z = np.array([p.z * w for p in lms.landmark], np.float32)
            wmm = np.array([(p.x, p.y, p.z) for p in world.landmark], np.float32) * 1000.0
            c = handed.classification[0]
            found.append(HandTrack(pts, z, wmm, _side(c.label, self.mirrored), float(c.score)))
        return found

    def _other_hand(self, rgb: Image, found: list[HandTrack],
                    second: Future[list[HandTrack]] | None) -> list[HandTrack]:
        """Live: the hand besides the first graph's, while one is followed or was just seen."""
        if second is not None:
            # The same hand twice: the first graph took the second's hand over (it had lost
            # its own and looked again), or its hand moved out of last frame's painted box.
            other = [hd for hd in second.result() if not any(_same_hand(hd, f) for f in found)]
            self.second_on = bool(other)
            return other[:1]
        if len(found) != 1:
            self._seen.clear()      # no hand: the first graph looks for one on every frame
        elif self._seen.is_set():
            self._seen.clear()
            self.second_on = True   # followed from the next frame on
        else:
            self._searcher().submit((rgb, [found[0].box], None))
        return []

    def _follow(self, rgb: Image, boxes: list[Box]) -> list[HandTrack]:
        """On the second graph's thread: the other hand, with the first's painted out."""
        if self._second is None:
            self._second = _graph(False, 1, 0)
        h, w = rgb.shape[:2]
        return self._read(self._second.process(_paint_out(rgb, boxes) if boxes else rgb), w, h)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="track-hand2")
        return self._executor

    def _look(self, item: tuple[Image, list[Box], Box | None]) -> None:
        """On the side thread: is there a hand besides the ones in `boxes`, or (watching for
        one, `near` given) any inside `near`?"""
        rgb, boxes, near = item
        h, w = rgb.shape[:2]
        if near is not None:
            # The first graph itself looks (one graph less in memory, ~60 MB): the frame's
            # thread does not run it until one is seen, and it then follows that hand on from
            # this frame (its first run here, ~0.1 s, is not the mirror's stall either).
            if self.watching:
                return
            with self._running:
                seen = self._read(self._model().process(rgb), w, h)
        else:
            if self._finder is None:
                self._finder = _graph(True, 1, 0)
            seen = self._read(self._finder.process(_paint_out(rgb, boxes)), w, h)
        if any(near is None or overlap(hd.box, near) for hd in seen):
            self._seen.set()
        self.searches += 1

    def _match(self, hd: HandTrack, taken: list[_Slot]) -> _Slot:
        return match_slot(self._slots, hd.pt(WRIST), 1.5 * max(hd.knuckle_span_px, 1.0), taken, _Slot,
                          MAX_HANDS * 2)
