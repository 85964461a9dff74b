"""Rings, bangles and bracelets on the customer's hands, for the 3D renderer and the sprite
path alike.

Per frame and hand: the scale (kiosk/tryon/sizing.py: the iris when the hand is at the face's
distance, else the hand's own prior), the ring finger's width measured in the image, the hand
in camera space (kiosk/track/handpose.py), and from them each hand piece's pose, its size
estimate and a depth-only stand-in for the fingers and forearm. A ring goes on the primary
hand (the biggest in view), on the finger the seller chose; bangles and bracelets on every hand
in view, a bride wears them on both.

A ring is shown at the customer's size: the model, authored at Indian size 14, is scaled to
the measured finger (within 0.8-1.25x, the range of adult sizes); a bangle at the size the
hand needs. The gem grows with the band in that case, which a jeweler's other sizes do not
quite do; for a live preview this is the honest compromise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.capture.base import Image, Mat
from kiosk.catalog.pieces import Piece
from kiosk.render.camera import Camera
from kiosk.render.model import Model
from kiosk.render.occluder import Occluder
from kiosk.track.handpose import HandPose, fit_hand
from kiosk.track.hands import FINGERS, HandTrack
from kiosk.tryon.card import Card, card_for
from kiosk.tryon.coin import Coin, find_coin
from kiosk.tryon.sizing import (
    RING_AT,
    BangleSize,
    HandScale,
    RingSize,
    bangle_size,
    finger_width_px,
    hand_scale,
    knuckle_span_3d_px,
    prior_px_per_mm,
    ring_size,
)

HAND_CATEGORIES = ("ring", "bangle", "bracelet")
RING_REFERENCE_MM = 17.3       # Indian size 14 / US 7: what the ring models are authored at
BANGLE_REFERENCE_MM = 57.2     # 2.4
SCALE_RANGE = (0.8, 1.25)
DEFAULT_FINGER = "ring"



@dataclass
class HandFit:
    """One hand as measured this frame."""
    track: HandTrack
    scale: HandScale
    pose: HandPose
    finger_px: float
    finger_measured: bool
    coin: Coin | None = None        # the coin that gave the scale, if one was asked for and found
    card: Card | None = None        # the size card that gave the scale, if held beside this hand

    @property
    def finger_mm(self) -> float:
        return self.finger_px / self.scale.px_per_mm

    @property
    def span_mm(self) -> float:
        return knuckle_span_3d_px(self.track) / self.scale.px_per_mm

    def ring(self) -> RingSize:
        # A width from the prior carries the prior's spread on top of the scale's.
        spread = self.scale.spread + (0.0 if self.finger_measured else 0.08)
        return ring_size(self.finger_mm, spread)

    def bangle(self) -> BangleSize:
        return bangle_size(self.span_mm, self.scale.spread)


@dataclass
class HandPlacement:
    """Where a hand piece went, for `kiosk tryon --json`, the seller's size line and sprites."""
    piece: Piece
    side: str                  # "hand-left" / "hand-right": the customer's hand
    finger: str | None
    pose: Mat                  # 4x4 model mm -> camera mm, the model's scale included
    anchor_px: tuple[float, float]
    px_per_mm: float
    width_px: float
    angle_deg: float           # the finger's / arm's direction on screen, clockwise from up
    fit: HandFit
    size: RingSize | BangleSize

    def as_json(self) -> dict[str, object]:
        ax, ay = self.anchor_px
        return {"id": self.piece.id, "category": self.piece.category, "hand": self.side.removeprefix("hand-"),
                "finger": self.finger, "anchor_px": [round(ax, 1), round(ay, 1)],
                "width_px": round(self.width_px, 1), "px_per_mm": round(self.px_per_mm, 3),
                "scale": self.fit.scale.as_json(), "finger_width_mm": round(self.fit.finger_mm, 1),
                "finger_width_measured": self.fit.finger_measured,
                "palm_facing": self.fit.track.palm_facing, "size": self.size.as_json()}


def fit_hands(frame: Image, hands: list[HandTrack], face_px_per_mm: float | None,
              camera: Camera, coin_mm: float | None = None, card: Card | None = None) -> list[HandFit]:
    """`coin_mm`: a coin of that diameter is looked for beside each hand (a still's
    `--coin-mm`); where found it is the hand's scale. `card`: the size card found in the
    frame, the scale of the hand it is held beside (a coin asked for and found comes first)."""
    out = []
    for hd in hands:
        coin = None
        if coin_mm is not None:
            coin = find_coin(frame, hd, coin_mm, prior_px_per_mm(hd))
        beside = card_for(card, hd) if coin is None else None
        if coin is not None and coin_mm is not None:
            scale = coin.scale(coin_mm)
        elif beside is not None:
            scale = beside.scale()
        else:
            scale = hand_scale(hd, face_px_per_mm)
        width, measured = finger_width_px(frame, hd, DEFAULT_FINGER)
        pose = fit_hand(hd, camera, scale.px_per_mm, knuckle_span_3d_px(hd) / scale.px_per_mm)
        if pose is not None:
            out.append(HandFit(hd, scale, pose, width, measured, coin, beside))
    return out


def _scaled(frame4: Mat, s: float) -> Mat:
    m = frame4.copy()
    m[:3, :3] *= s
    return m


def _screen_angle(camera: Camera, a: Mat, b: Mat) -> float:
    """How far clockwise the sprite turns so its up (the model's +Y) points from a to b."""
    pa, pb = camera.project(np.stack([a, b]).astype(np.float32))
    d = pb - pa
    return float(np.degrees(np.arctan2(d[0], -d[1])))


def place_hand_pieces(pieces: list[Piece], fits: list[HandFit], camera: Camera,
                      models: dict[str, Model | None], finger: str = DEFAULT_FINGER) -> list[HandPlacement]:
    """`models`: each piece's model (None for a photo piece, placed for its sprite only)."""
    out = []
    for piece in pieces:
        if piece.category not in HAND_CATEGORIES or not fits:
            continue
        model = models.get(piece.id)
        extras = model.hand if model is not None else None
        on = fits[:1] if piece.category == "ring" else fits
        for fit in on:
            side = f"hand-{fit.track.side}"
            if piece.category == "ring":
                size: RingSize | BangleSize = fit.ring()
                ref = (extras or {}).get("inner_diameter_mm", RING_REFERENCE_MM)
                s = float(np.clip(fit.finger_mm / ref, *SCALE_RANGE))
                frame4 = fit.pose.ring_frame(finger, RING_AT)
                mcp, pip = FINGERS[finger][0], FINGERS[finger][1]
                angle = _screen_angle(camera, fit.pose.joints[mcp], fit.pose.joints[pip])
                used_finger: str | None = finger
            else:
                bangle = fit.bangle()
                size = bangle
                ref = (extras or {}).get("inner_diameter_mm", BANGLE_REFERENCE_MM)
                s = float(np.clip(bangle.inner_diameter_mm / ref, *SCALE_RANGE))
                # The wrist is about 0.85 of the knuckle span across.
                frame4 = fit.pose.bangle_frame(ref * s, 0.85 * fit.span_mm)
                angle = _screen_angle(camera, fit.pose.joints[0], fit.pose.joints[9])
                used_finger = None
            pose4 = _scaled(frame4, s)
            if model is not None and model.hook is not None:
                pose4[:3, 3] -= pose4[:3, :3] @ np.asarray(model.hook, np.float64)
            anchor = camera.project(frame4[:3, 3].reshape(1, 3).astype(np.float32))[0]
            ppm = camera.fx / float(frame4[2, 3])
            out.append(HandPlacement(piece, side, used_finger, pose4, (float(anchor[0]), float(anchor[1])),
                                     ppm, piece.width_mm * s * ppm, angle, fit, size))
    return out


def hand_occluders(fits: list[HandFit], placements: list[HandPlacement]) -> dict[str, Occluder]:
    """Per hand side, its fingers and forearm; a hand with a bangle keeps the wrist's
    cylinder inside the bangle's opening."""
    out = {}
    for fit in fits:
        side = f"hand-{fit.track.side}"
        wrist = any(p.side == side and p.piece.category != "ring" for p in placements)
        out[side] = fit.pose.occluder(fit.finger_mm / 2, skip="wrist" if wrist else None)
    return out
