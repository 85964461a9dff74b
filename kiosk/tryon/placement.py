"""Where each piece goes, how big and at what angle, from the tracking of one face.

All offsets are in millimetres converted with the face's px/mm, so placement is the same on a
child and on an adult, near or far. Conventions: "image-left" is the left of the camera image
(the customer's right ear when the camera faces them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kiosk.capture.base import Array
from kiosk.catalog.pieces import Piece
from kiosk.track.base import (
    ALA_IMAGE_RIGHT,
    CHIN,
    EDGE_IMAGE_LEFT,
    EDGE_IMAGE_RIGHT,
    FaceTrack,
    PoseTrack,
)

FAR_EAR_FADE_START_DEG = 5.0    # the far ear starts to go behind the cheek
FAR_EAR_HIDDEN_DEG = 10.0       # ... and is fully hidden here
LOBE_BELOW_NOSE_MM = 4.0        # ear lobe bottom sits a little below the nose tip level
LOBE_OUTWARD_MM = 3.0           # and just outside the face contour
MID_FOREHEAD = 151             # face mesh point a third of the way up the forehead
TIKKA_PENDANT_AT = 0.85         # the tikka's pendant sits this far down its drawing
# The top of a necklace drawing is where the chain passes the sides of the neck: the neck
# base for most, a little higher for a choker. The drop of the "U" is in the drawing itself.
NECK_DROP_MM = {"choker": 20.0, "pendant": 28.0, "long haar": 30.0}
NECK_SHOULDER_FRACTION = {"choker": 0.20, "pendant": 0.28, "long haar": 0.30}


@dataclass
class Placement:
    piece_id: str
    category: str
    side: str                      # "image-left", "image-right" or "centre"
    anchor: tuple[float, float]    # where the piece's hook goes, px
    width_px: float
    width_mm: float
    px_per_mm: float
    angle_deg: float               # clockwise on screen
    opacity: float = 1.0
    hidden: bool = False
    reason: str = ""
    sprite_side: str = "single"
    occlude_face: bool = False
    chain: tuple[tuple[float, float], tuple[float, float]] | None = None   # nath chain: ring → ear

    def as_json(self) -> dict[str, object]:
        return {"id": self.piece_id, "category": self.category, "side": self.side,
                "anchor_px": [round(self.anchor[0], 1), round(self.anchor[1], 1)],
                "width_px": round(self.width_px, 1), "width_mm": self.width_mm,
                "drawn_width_mm": round(self.width_px / self.px_per_mm, 2),
                "scale_px_per_mm": round(self.px_per_mm, 3), "angle_deg": round(self.angle_deg, 1),
                "opacity": round(self.opacity, 2), "hidden": self.hidden, "reason": self.reason}


@dataclass
class SpriteSwing:
    """A damped pendulum per ear: earrings hang with gravity and sway a little when the head
    rolls, instead of being glued rigidly to the face."""

    angle: float = 0.0
    velocity: float = 0.0
    last_t: float | None = None
    follow: float = 0.25           # how much of the head roll the hook passes on
    stiffness: float = 90.0        # ~1.5 Hz
    damping: float = 6.0

    def step(self, roll_deg: float, t: float | None) -> float:
        target = self.follow * roll_deg
        if t is None or self.last_t is None or t <= self.last_t:
            self.angle, self.velocity, self.last_t = target, 0.0, t
            return target
        dt = min(t - self.last_t, 0.1)
        self.last_t = t
        acc = self.stiffness * (target - self.angle) - self.damping * self.velocity
        self.velocity += acc * dt
        self.angle += self.velocity * dt
        return self.angle


@dataclass
class PlacementState:
    swings: dict[str, SpriteSwing] = field(
        default_factory=lambda: {"image-left": SpriteSwing(), "image-right": SpriteSwing()})


def _unit(v: Array) -> Array:
    n = float(np.hypot(*v)) or 1.0
    return (v / n).astype(np.float32)


def _pt(v: Array) -> tuple[float, float]:
    return float(v[0]), float(v[1])


def ear_lobes(face: FaceTrack) -> dict[str, Array]:
    ex, down = face.axes()
    s = face.px_per_mm
    nose = face.pt(1)
    lobes = {}
    for side, idx, outward in (("image-left", EDGE_IMAGE_LEFT, -ex), ("image-right", EDGE_IMAGE_RIGHT, ex)):
        tragus = face.pt(idx)
        depth = float(np.dot(nose - tragus, down)) + LOBE_BELOW_NOSE_MM * s
        lobes[side] = (tragus + down * depth + outward * LOBE_OUTWARD_MM * s).astype(np.float32)
    return lobes


def far_ear_opacity(yaw_deg: float) -> tuple[str, float]:
    """The ear on the side the nose points to goes behind the head; (that side, its opacity)."""
    far = "image-right" if yaw_deg > 0 else "image-left"
    turn = abs(yaw_deg)
    span = FAR_EAR_HIDDEN_DEG - FAR_EAR_FADE_START_DEG
    return far, float(np.clip(1.0 - (turn - FAR_EAR_FADE_START_DEG) / span, 0.0, 1.0))


def place(pieces: list[Piece], face: FaceTrack, pose: PoseTrack | None,
          state: PlacementState | None = None, t: float | None = None) -> list[Placement]:
    out: list[Placement] = []
    s = face.px_per_mm
    roll = face.roll_deg
    ex, down = face.axes()
    for p in pieces:
        width_px = p.width_mm * s
        if p.category == "earring":
            far, far_opacity = far_ear_opacity(face.yaw_deg)
            for side, lobe in ear_lobes(face).items():
                swing = (state.swings[side].step(roll, t) if state is not None else 0.25 * roll)
                opacity = far_opacity if side == far else 1.0
                sprite_side = "left" if side == "image-left" else "right"
                pl = Placement(p.id, p.category, side, _pt(lobe), width_px, p.width_mm, s, swing,
                               opacity=opacity, hidden=opacity <= 0.0, sprite_side=sprite_side,
                               reason=("far ear behind the head" if opacity <= 0.0 else ""))
                out.append(pl)
        elif p.category == "necklace":
            chin = face.pt(CHIN)
            style = p.style if p.style in NECK_DROP_MM else "pendant"
            if pose is not None and pose.visibility >= 0.5:
                mid = (pose.shoulder_image_left + pose.shoulder_image_right) / 2
                anchor = chin + (mid - chin) * NECK_SHOULDER_FRACTION[style]
                d = pose.shoulder_image_right - pose.shoulder_image_left
                angle = math.degrees(math.atan2(float(d[1]), float(d[0])))
                reason = "on the shoulders"
            else:
                anchor = chin + down * NECK_DROP_MM[style] * s
                angle = 0.5 * roll
                reason = "below the chin (shoulders not visible)"
            out.append(Placement(p.id, p.category, "centre", _pt(anchor), width_px, p.width_mm, s, angle,
                                 reason=reason, occlude_face=True))
        elif p.category == "nose_ring":
            # A nath is worn on the customer's left nostril: the image's right side.
            ala = face.pt(ALA_IMAGE_RIGHT)
            anchor = ala + ex * 1.0 * s + down * 1.0 * s
            pl = Placement(p.id, p.category, "image-right", _pt(anchor), width_px, p.width_mm, s, roll)
            if p.chain_to_ear:
                # From the outer side of the ring up to the hair just above the same ear.
                start = anchor + ex * 0.45 * width_px + down * 0.45 * width_px
                ear = face.pt(EDGE_IMAGE_RIGHT) - down * 12 * s + ex * 2 * s
                far, far_opacity = far_ear_opacity(face.yaw_deg)
                if far != "image-right" or far_opacity > 0:
                    pl.chain = (_pt(start), _pt(ear))
            out.append(pl)
        elif p.category == "maang_tikka":
            # The pendant rests on the middle of the forehead; the chain runs up into the parting.
            spr_h, spr_w = p.sprite().shape[:2]
            length = width_px * spr_h / spr_w
            anchor = face.pt(MID_FOREHEAD) - down * TIKKA_PENDANT_AT * length
            out.append(Placement(p.id, p.category, "centre", _pt(anchor), width_px, p.width_mm, s, roll))
    return out
