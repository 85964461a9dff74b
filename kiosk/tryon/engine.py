"""The try-on engine: track → place → draw, plus hints for the seller and capture to JPEG."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.render.environment import Environment
from kiosk.render.light import LightEstimator, SpriteGrade, estimate_still, sprite_grade
from kiosk.track.base import FaceTrack, Needs, Tracker, Tracking
from kiosk.tryon.assets import Catalog, Piece
from kiosk.tryon.attire import Attire, clothing_mask, recolor
from kiosk.tryon.compose import draw
from kiosk.tryon.placement import Placement, PlacementState, place

Frame = npt.NDArray[np.uint8]

HINT_NO_FACE = "No face in view: ask the customer to stand in front of the camera"
HINT_TOO_FAR = "Too far: ask the customer to come a step closer"
HINT_TOO_CLOSE = "Too close: ask the customer to step back a little"
HINT_TOO_DARK = "Too dark: more light on the customer's face"
HINT_NO_SHOULDERS = "Shoulders not visible: step back so the necklace sits right"


@dataclass
class Result:
    placements: list[Placement] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    faces: int = 0
    px_per_mm: float | None = None
    scale_source: str | None = None
    ms: dict[str, float] = field(default_factory=dict)
    light: dict[str, float] = field(default_factory=dict)     # the scene light estimate's stats


def needs_for(pieces: list[Piece], attire: Attire | None = None) -> Needs:
    # Outfits need only the person mask; the shoulders (pose) are for necklaces.
    dress = attire is not None and not attire.is_original
    return Needs(pose=any(p.category == "necklace" for p in pieces), segmentation=dress)


def hints_for(frame: Frame, tracking: Tracking, pieces: list[Piece]) -> list[str]:
    face = tracking.primary
    if face is None:
        return [HINT_NO_FACE]
    hints = []
    x0, y0, x1, y1 = face.box
    if (x1 - x0) < 0.12 * tracking.width:
        hints.append(HINT_TOO_FAR)
    elif (y1 - y0) > 0.8 * tracking.height:
        hints.append(HINT_TOO_CLOSE)
    h, w = frame.shape[:2]
    box = frame[max(0, int(y0)):min(h, int(y1)), max(0, int(x0)):min(w, int(x1))]
    if box.size and float(cv2.cvtColor(box, cv2.COLOR_BGR2GRAY).mean()) < 55:
        hints.append(HINT_TOO_DARK)
    shoulders = tracking.pose is not None and tracking.pose.visibility >= 0.5
    if any(p.category == "necklace" for p in pieces) and not shoulders:
        hints.append(HINT_NO_SHOULDERS)
    return hints


class TryOn:
    """Owns the tracker and the selection; ``process`` composites one frame in place."""

    def __init__(self, catalog: Catalog, tracker: Tracker, selected: list[str] | None = None,
                 attire: Attire | None = None, still: bool = False):
        self.catalog = catalog
        self.tracker = tracker
        self.state = PlacementState()
        self.pieces: list[Piece] = []
        self.attire = attire
        # Live: re-estimated ~10 times a second and smoothed; a still photo: once, as it is.
        self.still = still
        self.light = LightEstimator()
        self.env: Environment = self.light.env
        self.select(selected or [])

    @property
    def grade(self) -> SpriteGrade:
        return sprite_grade(self.env)

    def select(self, ids: list[str]) -> None:
        self.pieces = self.catalog.expand(ids)

    def process(self, frame: Frame, t: float | None = None) -> Result:
        t = time.monotonic() if t is None else t
        res = Result()
        t0 = time.perf_counter()
        tracking = self.tracker.track(frame, needs_for(self.pieces, self.attire), t)
        ta = time.perf_counter()
        res.ms["track"] = (ta - t0) * 1000
        face = tracking.primary
        if (self.attire is not None and not self.attire.is_original and face is not None
                and tracking.person_mask is not None):
            recolor(frame, clothing_mask(frame, tracking.person_mask, face), self.attire,
                    face.px_per_mm)
        t1 = time.perf_counter()
        res.ms["attire"] = (t1 - ta) * 1000
        res.ms.update(tracking.ms)
        res.faces = len(tracking.faces)
        res.hints = hints_for(frame, tracking, self.pieces)
        if face is not None:
            tl = time.perf_counter()
            self.env = (estimate_still(frame, face, tracking.person_mask) if self.still
                        else self.light.update(frame, face, tracking.person_mask, t))
            res.ms["light"] = (time.perf_counter() - tl) * 1000
            res.light = dict(self.env.stats)
            res.px_per_mm, res.scale_source = face.px_per_mm, face.scale_source
            res.placements = place(self.pieces, face, tracking.pose, self.state, t)
            by_id = {p.id: p for p in self.pieces}
            grade = self.grade
            for pl in res.placements:
                draw(frame, by_id[pl.piece_id], pl, face, grade)
        res.ms["composite"] = (time.perf_counter() - t1) * 1000
        return res


def capture(frame: Frame, engine: TryOn, placements: list[Placement],
            face: FaceTrack | None = None) -> tuple[bytes, float]:
    """The photo: this frame at full resolution with the current placements, as JPEG.

    Returns the JPEG and the generation time in ms (feeds image.generated).
    """
    t0 = time.perf_counter()
    out = frame.copy()
    by_id = {p.id: p for p in engine.pieces}
    grade = engine.grade
    for pl in placements:
        piece = by_id.get(pl.piece_id)
        if piece is not None:
            draw(out, piece, pl, face, grade)
    jpeg = encode_jpeg(out)
    return jpeg, (time.perf_counter() - t0) * 1000


def encode_jpeg(frame: Frame, quality: int = 92) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)
