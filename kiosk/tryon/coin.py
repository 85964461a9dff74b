"""A coin of known diameter held beside the hand, as the hand's scale (`kiosk tryon --coin-mm`).

The hand's own prior (sizing.py) is good to about +-9 %, two or three ring sizes; a coin held
at the finger's depth pins millimetres to about its edge's sharpness. Circles are everywhere in
a store photo (buttons, lamps, a helmet's rivets), so the search is narrow: near the hand only
(within three knuckle spans of it), and only circles whose size the hand's prior allows for a
coin of that diameter (0.7x to 1.45x the prior's radius, wider than its spread). A candidate
must then show a sharp, round edge on most of its circumference: along 72 rays from its centre
the strongest step in brightness, where the rim is, must lie within a few per cent of one
radius on at least 60 % of them (fingers holding the coin hide the rest). The radius is the
median of those steps, to a fraction of a pixel. Two different sizes both passing, or none: no
coin (the caller says so and keeps the hand's prior).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.track.hands import HandTrack
from kiosk.tryon.sizing import HandScale

SEARCH_SPANS = 3.0          # how far from the hand's centre, in knuckle spans
RADIUS_RANGE = (0.7, 1.45)  # of the radius the hand's prior expects
RAYS = 72
EDGE_TOL = 0.04             # a ray's edge within this fraction of the fitted radius
EDGE_CONTRAST = 4.0         # a rim step against the patch's median gradient
MIN_SUPPORT = 0.6           # of the rays
MAX_CANDIDATES = 40         # the best-voted centres tried
MIN_RADIUS_PX = 6.0         # smaller than this, a pixel is too much of the radius


@dataclass(frozen=True)
class Coin:
    centre: tuple[float, float]
    radius_px: float
    support: float            # the fraction of rays that found the rim

    def px_per_mm(self, coin_mm: float) -> float:
        return 2.0 * self.radius_px / coin_mm

    def scale(self, coin_mm: float) -> HandScale:
        """The hand's scale from this coin, which beats both the iris and the hand's own
        proportions (its rim to about half a pixel, held about at the finger's depth)."""
        return HandScale.beside(self.px_per_mm(coin_mm), "coin", self.radius_px)

    def as_json(self, coin_mm: float) -> dict[str, object]:
        return {"coin_mm": coin_mm, "centre_px": [round(self.centre[0], 1), round(self.centre[1], 1)],
                "diameter_px": round(2 * self.radius_px, 2), "edge_support": round(self.support, 2)}


def _edges(img: npt.NDArray[np.float32], cx: float, cy: float,
           r: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Along RAYS rays from (cx, cy): each ray's angle, the distance of its strongest colour
    step between 0.75 r and 1.25 r (to a fraction of a pixel), and whether that step stands
    out of the patch's texture. The step is the largest of the three channels' (a steel coin
    on skin differs in colour more than in brightness)."""
    radii = np.linspace(0.75 * r, 1.25 * r, max(int(r * 2), 24))
    ang = np.linspace(0.0, 2 * math.pi, RAYS, endpoint=False)
    xs = (cx + np.cos(ang)[:, None] * radii[None, :]).astype(np.float32)
    ys = (cy + np.sin(ang)[:, None] * radii[None, :]).astype(np.float32)
    prof = cv2.remap(img, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    step = float(radii[1] - radii[0])
    grad = np.abs(np.diff(prof, axis=1)).max(axis=2) / step          # levels per pixel
    rows = np.arange(RAYS)
    i = np.clip(np.argmax(grad, axis=1), 1, grad.shape[1] - 2)
    g0, g1, g2 = grad[rows, i - 1], grad[rows, i], grad[rows, i + 1]
    den = g0 - 2 * g1 + g2
    safe = np.where(np.abs(den) > 1e-6, den, 1.0)
    frac = np.clip(np.where(np.abs(den) > 1e-6, 0.5 * (g0 - g2) / safe, 0.0), -0.5, 0.5)
    dist = radii[0] + (i + 0.5 + frac) * step
    strong = g1 > EDGE_CONTRAST * (float(np.median(grad)) + 1.0)
    return ang, dist, strong


def _circle(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[float, float, float] | None:
    """The least-squares circle through points (Kasa's fit)."""
    a = np.stack([x, y, np.ones_like(x)], axis=1)
    sol, *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
    cx, cy = sol[0] / 2, sol[1] / 2
    rr = sol[2] + cx * cx + cy * cy
    return (float(cx), float(cy), float(math.sqrt(rr))) if rr > 0 else None


def _rim(img: npt.NDArray[np.float32], cx: float, cy: float, r: float) -> Coin | None:
    """A candidate's rim: its centre and radius fitted to the edge found along the rays (a
    detector's circle is often a few per cent off), and the share of rays that agree."""
    for _ in range(3):
        ang, dist, strong = _edges(img, cx, cy, r)
        # Only the steps near the rim's median distance: a finger's or a sleeve's edge crossing
        # the rays would pull the fit off the coin.
        med = float(np.median(dist[strong])) if strong.any() else r
        use = strong & (np.abs(dist - med) < 2 * EDGE_TOL * med)
        if use.sum() < RAYS * MIN_SUPPORT / 2:
            return None
        fit = _circle(cx + np.cos(ang[use]) * dist[use], cy + np.sin(ang[use]) * dist[use])
        if fit is None:
            return None
        cx, cy, r = fit
    ang, dist, strong = _edges(img, cx, cy, r)
    on = strong & (np.abs(dist - r) < EDGE_TOL * r)
    if not on.any():
        return None
    return Coin((cx, cy), float(np.median(dist[on])), float(on.mean()))


def _centres(crop: Image, lo: float, hi: float, sigma: float) -> list[tuple[float, float, float]]:
    """Where a circle of radius lo..hi may be centred: every clear colour edge votes for the
    points lo..hi away across it (either way: a coin may be lighter or darker than what is
    behind it), and the best-voted places, with the radius that voted most, are the candidates.
    (OpenCV's Hough detectors, tried first, missed most coins on skin: their Canny step sees
    brightness, and a steel coin on a hand is about as bright as the hand.)"""
    img = cv2.GaussianBlur(crop, (0, 0), sigma).astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    mag2 = gx * gx + gy * gy
    ch = np.argmax(mag2, axis=2)                       # the strongest channel per pixel
    rows, cols = np.indices(ch.shape)
    gx, gy = gx[rows, cols, ch], gy[rows, cols, ch]
    mag = np.sqrt(mag2[rows, cols, ch])
    ys, xs = np.nonzero(mag > max(4.0 * float(np.median(mag)), 8.0))
    if len(xs) == 0:
        return []
    nx, ny = gx[ys, xs] / mag[ys, xs], gy[ys, xs] / mag[ys, xs]
    h, w = ch.shape
    radii = np.linspace(lo, hi, max(int(hi - lo) + 1, 4))
    acc = np.zeros((len(radii), h, w), np.float32)
    for k, r in enumerate(radii):
        for sign in (-1.0, 1.0):
            px = np.rint(xs + sign * nx * r).astype(np.intp)
            py = np.rint(ys + sign * ny * r).astype(np.intp)
            keep = (px >= 0) & (px < w) & (py >= 0) & (py < h)
            np.add.at(acc[k], (py[keep], px[keep]), 1.0 / r)   # votes per unit of circumference
    best_r = np.argmax(acc, axis=0)
    votes = cv2.GaussianBlur(acc.max(axis=0), (0, 0), 1.0)
    peaks = (votes == cv2.dilate(votes, np.ones((5, 5), np.uint8))) & (votes > 0.15)
    py, px = np.nonzero(peaks)
    order = np.argsort(-votes[py, px])[:MAX_CANDIDATES]
    return [(float(px[i]), float(py[i]), float(radii[best_r[py[i], px[i]]])) for i in order]


def find_coin(frame: Image, hand: HandTrack, coin_mm: float, prior_px_per_mm: float) -> Coin | None:
    """The coin beside `hand`, or None."""
    expected = coin_mm / 2 * prior_px_per_mm
    lo, hi = RADIUS_RANGE[0] * expected, RADIUS_RANGE[1] * expected
    if hi < MIN_RADIUS_PX:
        return None
    h, w = frame.shape[:2]
    cx, cy = (float(v) for v in hand.points.mean(axis=0))
    reach = SEARCH_SPANS * max(hand.knuckle_span_px, 1.0) + hi
    x0, y0 = max(0, int(cx - reach)), max(0, int(cy - reach))
    x1, y1 = min(w, int(cx + reach) + 1), min(h, int(cy + reach) + 1)
    if x1 - x0 < 2 * lo or y1 - y0 < 2 * lo:
        return None
    crop = np.ascontiguousarray(frame[y0:y1, x0:x1])
    candidates = _centres(crop, lo, hi, max(1.0, expected / 20))
    cropf = crop.astype(np.float32)
    passed: list[Coin] = []
    for fx, fy, fr in candidates:
        got = _rim(cropf, float(fx), float(fy), float(fr))
        if got is not None and got.support >= MIN_SUPPORT and lo <= got.radius_px <= hi:
            passed.append(Coin((got.centre[0] + x0, got.centre[1] + y0), got.radius_px, got.support))
    if not passed:
        return None
    passed.sort(key=lambda c: -c.support)
    best = passed[0]
    # Another round edge of a different size elsewhere: which is the coin is not known (the
    # clearer rim is no evidence). The same coin found from two nearby centres is one.
    def other(c: Coin) -> bool:
        apart = math.hypot(c.centre[0] - best.centre[0], c.centre[1] - best.centre[1]) > 0.5 * best.radius_px
        return apart and abs(c.radius_px / best.radius_px - 1) > 0.1

    if any(other(c) for c in passed[1:]):
        return None
    return best
