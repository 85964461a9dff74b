"""Millimetres on a hand, and the ring and bangle sizes they suggest.

Scale. With the face in view the iris gives px/mm at the face (kiosk/track: 11.7 mm irises);
a hand held up beside the face is at nearly the same distance. Without a face, or when the
hand is plainly not at the face's distance, the hand measures itself against an
anthropometric prior: the span between the centres of the index and little finger knuckles.
Adult hand breadth at the metacarpals averages 89.6 mm for men and 79.2 mm for women (ANSUR II,
Gordon et al. 2014); the joint centres sit inside the skin by about half the width of the
index and little fingers (10 + 8 mm), giving KNUCKLE_SPAN_MM = 66 mm with a population spread
of about +-6 %. The span is measured in 3D (MediaPipe's world shape undoes the hand's tilt), so
a hand turned away does not look small.

Sizes. The ring finger's width is measured in the image across its first segment (where a
ring sits), from the skin's edges; a finger's cross-section is nearly round there, so the width
is the ring's inner diameter. Indian ring sizes follow the Japanese scale, one size per mm of
inner circumference (size 14 = 54 mm, about US 7); US size s has a diameter of
11.63 + 0.8128 s mm. A bangle must pass over the hand squeezed narrow (thumb tucked under the
little finger): its inner circumference is modelled as the perimeter of an ellipse
0.85 x the hand's breadth wide and 0.5 x as thick, and given in the trade's sizes, 2.2 to 2.10
(2 2/16 to 2 10/16 inch inner diameter). How far to trust these is in the README, measured on
the repo's test photos.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.track.hands import FINGERS, INDEX_MCP, LITTLE_MCP, HandTrack

KNUCKLE_SPAN_MM = 66.0
KNUCKLE_SPAN_SPREAD = 0.06
HAND_BREADTH_OVER_SPAN = (66.0 + 18.0) / 66.0   # the skin beyond the two outer joint centres
FINGER_OVER_SPAN = 0.26                          # ring finger width / knuckle span, adults
# The iris scale is used for a hand when the two agree within about 1.5 sigma of the prior's
# spread: further apart, the hand is not at the face's distance (held out towards the mirror,
# resting on a counter) and the iris would size it wrong by as much (a hand 18 % nearer than
# the face read a woman's ring finger as size 27).
SAME_DEPTH_TOLERANCE = 0.12
RING_AT = 0.5                                    # from the knuckle towards the first joint: mid-segment
BANGLE_SIZES = (("2.2", 2 + 2 / 16), ("2.4", 2 + 4 / 16), ("2.6", 2 + 6 / 16), ("2.8", 2 + 8 / 16),
                ("2.10", 2 + 10 / 16))
INCH_MM = 25.4



# A reference held beside the finger (a coin, the size card) is seldom at its very depth: up
# to ~2 cm nearer or further at arm's length, ~3 % of its scale.
BESIDE_DEPTH_SPREAD = 0.03
# How the seller reads each source of a scale.
SCALE_NAMES = {"iris": "iris", "card": "size card", "coin": "coin", "hand": "hand's own size"}


@dataclass(frozen=True)
class HandScale:
    px_per_mm: float
    source: str               # "coin", "card", "iris" (the face beside the hand) or "hand" (the prior)
    spread: float             # relative 1-sigma uncertainty of px_per_mm

    @classmethod
    def beside(cls, px_per_mm: float, source: str, edge_px: float) -> HandScale:
        """From a reference of known size held beside the hand, measured along an edge of
        `edge_px` pixels (a coin's radius, the card's side) to about half a pixel."""
        return cls(px_per_mm, source, BESIDE_DEPTH_SPREAD + 0.5 / edge_px)

    @property
    def name(self) -> str:
        return SCALE_NAMES.get(self.source, SCALE_NAMES["hand"])

    def as_json(self) -> dict[str, object]:
        return {"px_per_mm": round(self.px_per_mm, 3), "source": self.source,
                "uncertainty_pct": round(100 * self.spread, 1)}


def knuckle_span_3d_px(hand: HandTrack) -> float:
    """The knuckle span in pixels as it would look square to the camera: the image span
    divided by how much MediaPipe's 3D shape says the tilt shortens it."""
    w = hand.world_mm
    full = float(np.linalg.norm(w[INDEX_MCP] - w[LITTLE_MCP]))
    seen = float(np.hypot(*(w[INDEX_MCP, :2] - w[LITTLE_MCP, :2])))
    shortening = max(seen / full, 0.35) if full > 1e-6 else 1.0
    return hand.knuckle_span_px / shortening


def prior_px_per_mm(hand: HandTrack) -> float:
    """The hand's scale from its own proportions: the knuckle span against the adult prior."""
    return knuckle_span_3d_px(hand) / KNUCKLE_SPAN_MM


def hand_scale(hand: HandTrack, face_px_per_mm: float | None) -> HandScale:
    prior = prior_px_per_mm(hand)
    if face_px_per_mm is not None and face_px_per_mm > 0:
        if abs(prior / face_px_per_mm - 1.0) <= SAME_DEPTH_TOLERANCE:
            return HandScale(face_px_per_mm, "iris", 0.04)
    return HandScale(prior, "hand", KNUCKLE_SPAN_SPREAD + 0.03)


def _profile_edges(gray: npt.NDArray[np.float32], centre: npt.NDArray[np.float64],
                   across: npt.NDArray[np.float64], along: npt.NDArray[np.float64],
                   half_px: float) -> tuple[float, float, float] | None:
    """Distances from the finger's axis to its two edges along `across`, and the edges'
    contrast: the strongest step in a luminance profile averaged over a few lines along the
    segment, searched between 0.5x and 1.6x the expected half-width on each side."""
    n = max(int(half_px * 2.0), 8)
    offs = np.linspace(-2.0 * half_px, 2.0 * half_px, 2 * n + 1)
    rows = []
    for s in np.linspace(-0.6 * half_px, 0.6 * half_px, 5):
        pts = centre + along * s + across * offs[:, None]
        mx = pts[:, 0].astype(np.float32).reshape(1, -1)
        my = pts[:, 1].astype(np.float32).reshape(1, -1)
        rows.append(cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0])
    prof = np.median(np.stack(rows), axis=0)
    grad = np.abs(np.gradient(prof))
    step = offs[1] - offs[0]
    lo, hi = 0.5 * half_px, 1.6 * half_px
    sides = []
    for sign in (-1, 1):
        idx = [i for i, o in enumerate(offs) if lo <= sign * o <= hi]
        if not idx:
            return None
        best = max(idx, key=lambda i: grad[i])
        sides.append((abs(offs[best]), float(grad[best])))
    noise = float(np.median(grad)) + 1e-3
    contrast = min(sides[0][1], sides[1][1]) / noise
    return sides[0][0] + step / 2, sides[1][0] + step / 2, contrast


def finger_width_px(frame: Image, hand: HandTrack, finger: str = "ring") -> tuple[float, bool]:
    """The finger's width across its first segment in pixels, and whether it was measured
    from the image (False: the edges were too weak, e.g. fingers pressed together in poor
    light, and the width comes from the prior ratio to the knuckle span)."""
    mcp, pip = FINGERS[finger][0], FINGERS[finger][1]
    a, b = hand.pt(mcp).astype(np.float64), hand.pt(pip).astype(np.float64)
    along = b - a
    seg = float(np.hypot(*along))
    prior = FINGER_OVER_SPAN * knuckle_span_3d_px(hand)
    if seg < 4 or prior < 4:
        return prior, False
    along /= seg
    across = np.array([-along[1], along[0]])
    # Only the patch the profile samples is converted (this runs every frame, per hand).
    centre = a + along * seg * 0.45
    reach = 2.5 * prior / 2 + 2
    h, w = frame.shape[:2]
    x0, y0 = max(0, int(centre[0] - reach)), max(0, int(centre[1] - reach))
    x1, y1 = min(w, int(centre[0] + reach) + 1), min(h, int(centre[1] + reach) + 1)
    if x1 <= x0 or y1 <= y0:
        return prior, False
    gray = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
    found = _profile_edges(gray, centre - np.array([x0, y0]), across, along, prior / 2)
    if found is None:
        return prior, False
    left, right, contrast = found
    width = left + right
    # A weak step or a width far from any adult finger: the profile found something else.
    if contrast < 3.0 or not 0.6 * prior <= width <= 1.5 * prior:
        return prior, False
    return float(width), True


@dataclass(frozen=True)
class RingSize:
    diameter_mm: float
    indian: int
    us: float
    plus_minus: int           # Indian sizes either way

    def text(self) -> str:
        return f"about size {self.indian} (±{self.plus_minus}), US {self.us:g}"

    def as_json(self) -> dict[str, object]:
        return {"diameter_mm": round(self.diameter_mm, 1), "indian": self.indian, "us": self.us,
                "plus_minus": self.plus_minus, "text": self.text()}


def ring_size(diameter_mm: float, spread: float) -> RingSize:
    circumference = math.pi * diameter_mm
    indian = int(round(circumference - 40.0))
    us = round(2 * (diameter_mm - 11.63) / 0.8128) / 2
    # One sigma of the diameter, in sizes (1 mm of circumference each), never below one size.
    pm = max(1, int(round(math.pi * diameter_mm * spread)))
    return RingSize(diameter_mm, max(1, indian), max(0.5, us), pm)


@dataclass(frozen=True)
class BangleSize:
    inner_diameter_mm: float
    size: str
    plus_minus: int           # steps of the size scale either way

    def text(self) -> str:
        return f"about {self.size} (±{self.plus_minus})"

    def as_json(self) -> dict[str, object]:
        return {"inner_diameter_mm": round(self.inner_diameter_mm, 1), "size": self.size,
                "plus_minus": self.plus_minus, "text": self.text()}


def _ellipse_perimeter(a: float, b: float) -> float:
    """Ramanujan's approximation, semi-axes a and b."""
    return math.pi * (3 * (a + b) - math.sqrt((3 * a + b) * (a + 3 * b)))


def bangle_size(knuckle_span_mm: float, spread: float) -> BangleSize:
    breadth = knuckle_span_mm * HAND_BREADTH_OVER_SPAN
    perimeter = _ellipse_perimeter(0.85 * breadth / 2, 0.5 * breadth / 2)
    diameter = perimeter / math.pi
    sizes = [(name, inch * INCH_MM) for name, inch in BANGLE_SIZES]
    # The smallest bangle that passes: a tight one will not go over the knuckles.
    fits = [s for s in sizes if s[1] >= diameter - 0.5]
    name, _ = fits[0] if fits else sizes[-1]
    step_mm = (sizes[1][1] - sizes[0][1])
    pm = max(1, int(round(diameter * spread / step_mm)))
    return BangleSize(diameter, name, pm)
