"""Auto-framing for the mirror: a digital pan/zoom that keeps the customer's head and shoulders
in view, like a video call's "centre stage". Qt-free: rectangles in frame pixels.

The view always shows a crop of the camera frame with the view's own aspect (no letterbox
bars). With no face it is the centred cover-crop; with a face the crop is sized so the face
takes `face_share` of the view's height, and eased towards. A dead zone keeps the crop still
while the customer only sways or the landmarks jitter: the goal moves only once the wanted
crop has drifted by more than a few percent, then the crop glides there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.track.base import CHIN, EDGE_IMAGE_LEFT, EDGE_IMAGE_RIGHT, FOREHEAD_TOP, NOSE_TIP, FaceTrack

Point = tuple[float, float]

# Where a category's piece sits, for the close-up (sets are shown where their necklace is).
REGIONS = {"earring": "ear", "necklace": "neck", "nose_ring": "nose", "maang_tikka": "forehead",
           "set": "neck"}


EAR_ROOM = 1.7      # the crop's width over the face's (ear to ear): the earrings hang outside it
EAR_SWITCH_DEG = 12.0   # the close-up changes ears once the head has clearly turned the other way


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> Point:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True)
class FaceBox:
    """The face in frame pixels (forehead top to chin, ear to ear) and the points a close-up
    centres on."""

    x0: float
    y0: float
    x1: float
    y1: float
    regions: tuple[tuple[str, Point], ...] = ()
    yaw_deg: float = 0.0          # > 0: the nose points to the image's right

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def region(self, name: str) -> Point | None:
        return dict(self.regions).get(name)


def face_box(face: FaceTrack) -> FaceBox:
    x0, y0, x1, y1 = face.box
    fh = y1 - y0
    left, right = face.pt(EDGE_IMAGE_LEFT), face.pt(EDGE_IMAGE_RIGHT)
    chin, nose, top = face.pt(CHIN), face.pt(NOSE_TIP), face.pt(FOREHEAD_TOP)
    # An earring hangs below the tragus: look a little lower.
    regions = (("ear_left", (float(left[0]), float(left[1]) + 0.2 * fh)),
               ("ear_right", (float(right[0]), float(right[1]) + 0.2 * fh)),
               ("neck", (float(chin[0]), float(chin[1]) + 0.45 * fh)),
               ("nose", (float(nose[0]), float(nose[1]))),
               ("forehead", (float(top[0]), float(top[1]) + 0.12 * fh)))
    return FaceBox(x0, y0, x1, y1, regions, face.yaw_deg)


def with_hands(face: FaceBox | None, hands: tuple[tuple[float, float, float, float], ...]) -> FaceBox | None:
    """The box the framing keeps in view while a ring or bangle is worn: the face and the hands
    in view (None, the whole scene, while no hand is seen: room for one to come in)."""
    if not hands:
        return None
    xs0, ys0, xs1, ys1 = zip(*hands, strict=True)
    if face is None:
        return FaceBox(min(xs0), min(ys0), max(xs1), max(ys1))
    return FaceBox(min(face.x0, *xs0), min(face.y0, *ys0), max(face.x1, *xs1), max(face.y1, *ys1),
                   face.regions, face.yaw_deg)


def cover_crop(frame_w: int, frame_h: int, aspect: float) -> Rect:
    """The largest centred rectangle of `aspect` (width / height) inside the frame."""
    h = min(float(frame_h), frame_w / aspect)
    w = h * aspect
    return Rect((frame_w - w) / 2, (frame_h - h) / 2, w, h)


def refit(r: Rect, aspect: float, frame_w: int, frame_h: int) -> Rect:
    """`r` given `aspect`, about the same centre and height, shrunk and moved to stay inside
    the frame (a crop chosen for another shape of view)."""
    h = min(r.h, float(frame_h), frame_w / aspect)
    w = h * aspect
    cx, cy = r.centre
    cx = min(max(cx, w / 2), frame_w - w / 2)
    cy = min(max(cy, h / 2), frame_h - h / 2)
    return Rect(cx - w / 2, cy - h / 2, w, h)


@dataclass
class _State:
    cx: float
    cy: float
    h: float


class Framer:
    """Call `update` once per new frame; it returns the crop to show (frame pixels)."""

    def __init__(self, face_share: float = 0.36, tau_s: float = 0.45, dead_zone: float = 0.06,
                 dead_zone_scale: float = 0.1, hold_s: float = 1.5, max_zoom: float = 3.0,
                 closeup_zoom: float = 2.0) -> None:
        self.face_share = face_share      # the face's height / the view's height
        self.tau_s = tau_s                # easing time constant
        self.dead_zone = dead_zone        # of the crop's height, for a pan
        self.dead_zone_scale = dead_zone_scale    # relative, for a zoom
        self.hold_s = hold_s              # a face lost this long: back to the whole scene
        self.max_zoom = max_zoom          # over the cover-crop: beyond it a webcam image is mush
        self.closeup_zoom = closeup_zoom
        self.closeup: str | None = None   # a region name (REGIONS' values) or None
        self._now: _State | None = None
        self._goal: _State | None = None
        self._goal_closeup: str | None = None
        self._t: float | None = None
        self._face_at: float | None = None
        self._size: tuple[int, int] = (0, 0)
        self._ear: str | None = None      # the ear the close-up shows, kept while the head wavers

    def reset(self) -> None:
        self._now = self._goal = self._t = self._face_at = None

    def wanted(self, frame_w: int, frame_h: int, aspect: float, face: FaceBox | None,
               closeup: bool = True) -> _State:
        """The crop the framing aims at for this face, unclamped to the frame."""
        cover = cover_crop(frame_w, frame_h, aspect)
        if face is None or face.height <= 0:
            cx, cy = cover.centre
            return _State(cx, cy, cover.h)
        # A narrow view (half of a comparison) widens the crop so both ears and their earrings
        # stay in it, whatever share of the height the face then takes.
        h = max(face.height / self.face_share, EAR_ROOM * (face.x1 - face.x0) / aspect)
        # Head room: a third of the space the face leaves, the rest for the neck and shoulders
        # (where the necklaces are); in a tight frame at least a quarter face for the hair above
        # the landmarks' forehead.
        top = face.y0 - max(0.35 * (h - face.height), min(0.25 * face.height, 0.6 * (h - face.height)))
        cx, cy = (face.x0 + face.x1) / 2, top + h / 2
        point = face.region(self._region(face)) if self.closeup and closeup else None
        if point is not None:
            # About twice what the mirror shows now (which may be the whole frame already).
            h = min(max(h, cover.h / self.max_zoom), cover.h) / self.closeup_zoom
            cx, cy = point
        return _State(cx, cy, h)

    def _region(self, face: FaceBox) -> str:
        """The close-up's point: for an earring, the ear turned towards the camera (it shows more
        of its earring; yaw > 0 shows the image-left ear), with hysteresis: a frontal face's yaw
        wavers around 0 and must not swing the view from ear to ear."""
        if self.closeup != "ear":
            self._ear = None
            return self.closeup or ""
        if self._ear is None:
            self._ear = "ear_left" if face.yaw_deg >= 0 else "ear_right"
        elif self._ear == "ear_left" and face.yaw_deg < -EAR_SWITCH_DEG:
            self._ear = "ear_right"
        elif self._ear == "ear_right" and face.yaw_deg > EAR_SWITCH_DEG:
            self._ear = "ear_left"
        return self._ear

    def still(self, frame_w: int, frame_h: int, aspect: float, face: FaceBox | None) -> Rect:
        """How a still (a photo of the visit) is framed for a view of `aspect`: where the
        framing would settle, without the close-up."""
        s = self._clamp(self.wanted(frame_w, frame_h, aspect, face, closeup=False), frame_w, frame_h, aspect,
                        closeup=False)
        return Rect(s.cx - s.h * aspect / 2, s.cy - s.h / 2, s.h * aspect, s.h)

    def _clamp(self, s: _State, frame_w: int, frame_h: int, aspect: float, closeup: bool = True) -> _State:
        cover = cover_crop(frame_w, frame_h, aspect)
        zoom = self.max_zoom * (self.closeup_zoom if self.closeup and closeup else 1.0)
        h = min(max(s.h, cover.h / zoom), cover.h)
        w = h * aspect
        cx = min(max(s.cx, w / 2), frame_w - w / 2)
        cy = min(max(s.cy, h / 2), frame_h - h / 2)
        return _State(cx, cy, h)

    def update(self, frame_w: int, frame_h: int, aspect: float, face: FaceBox | None, t: float) -> Rect:
        if (frame_w, frame_h) != self._size:
            self.reset()
            self._size = (frame_w, frame_h)
        if face is not None:
            self._face_at = t
        elif self._face_at is not None and t - self._face_at < self.hold_s:
            # A dropped detection or two: stay where we are rather than zoom out and back.
            return self._rect(frame_w, frame_h, aspect, t, None)
        want = self._clamp(self.wanted(frame_w, frame_h, aspect, face), frame_w, frame_h, aspect)
        goal = self._goal
        if (goal is None or self.closeup != self._goal_closeup
                or abs(want.cx - goal.cx) > self.dead_zone * goal.h
                or abs(want.cy - goal.cy) > self.dead_zone * goal.h
                or abs(math.log(want.h / goal.h)) > self.dead_zone_scale):
            self._goal, self._goal_closeup = want, self.closeup
        return self._rect(frame_w, frame_h, aspect, t, self._goal)

    def _rect(self, frame_w: int, frame_h: int, aspect: float, t: float, goal: _State | None) -> Rect:
        goal = goal or self._goal
        if goal is None:
            return cover_crop(frame_w, frame_h, aspect)
        if self._now is None:
            cover = cover_crop(frame_w, frame_h, aspect)
            self._now = _State(*cover.centre, cover.h)     # glide in from the whole scene
        dt = 0.0 if self._t is None else max(0.0, t - self._t)
        self._t = t
        a = 1.0 - math.exp(-dt / self.tau_s) if self.tau_s > 0 else 1.0
        n = self._now
        # Ease the zoom in log space: zooming in and out then feel the same speed.
        n.cx += (goal.cx - n.cx) * a
        n.cy += (goal.cy - n.cy) * a
        n.h = math.exp(math.log(n.h) + (math.log(goal.h) - math.log(n.h)) * a)
        s = self._clamp(n, frame_w, frame_h, aspect)     # the aspect may have changed since
        return Rect(s.cx - s.h * aspect / 2, s.cy - s.h / 2, s.h * aspect, s.h)
