"""Where a necklace lies: a simple body round the neck base, and curves draped over it.

The hook is the centre of the neck's cross-section at the neck base (origin), +Y up, +Z out
of the chest. Behind the neck (|theta| beyond `leave_deg` from the front) a chain rests on the
neck at exactly the neck radius; in front it drops over the collarbones onto the chest, which
comes forward and spreads sideways as it goes down:
    radius(theta, depth) = r + CHEST_MM * (1 - exp(-depth / CHEST_FALL_MM)) * cos^2(theta)
                             + SHOULDER_MM * (1 - exp(-depth / SHOULDER_FALL_MM)) * sin^2(theta)
(depth below the neck base, mm). The figures are those of an average adult woman: the upper
chest some 40 mm in front of the neck's front at the level of the sternum's top, the trapezius
slope taking the sides out by about 20 mm within the first 5 cm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mesh import Arr

CHEST_MM, CHEST_FALL_MM = 40.0, 45.0
SHOULDER_MM, SHOULDER_FALL_MM = 20.0, 35.0


@dataclass(frozen=True)
class Drape:
    r: float  # neck radius, mm
    drop: float  # how far the front's lowest point hangs below y_back, mm
    leave_deg: float = 100.0  # angle from the front at which the chain leaves the neck
    y_back: float = 0.0  # height of the chain behind the neck
    round: float = 0.5  # 0: a V pulled by a heavy pendant, 1: a round U

    def depth(self, theta: Arr | float) -> Arr:
        """Depth below the back's height: nothing behind the neck; in front, seen from the
        front, a V (straight sides converging) blended with a U by `round` (1: all U)."""
        phi = np.clip(np.abs(theta) * (90.0 / self.leave_deg), 0.0, np.pi / 2)
        q = np.sin(phi)
        c = 0.22  # the V's point rounded over about a fifth of its width
        v = (np.sqrt(1 + c * c) - np.sqrt(q * q + c * c)) / (np.sqrt(1 + c * c) - c)
        return np.asarray(self.drop * ((1.0 - self.round) * v + self.round * (1.0 - q * q)))

    def radius(self, theta: Arr | float, depth: Arr | float) -> Arr:
        c2 = np.cos(np.clip(theta, -np.pi / 2, np.pi / 2)) ** 2
        return np.asarray(
            self.r
            + CHEST_MM * (1 - np.exp(-np.asarray(depth) / CHEST_FALL_MM)) * c2
            + SHOULDER_MM * (1 - np.exp(-np.asarray(depth) / SHOULDER_FALL_MM)) * (1 - c2)
        )

    def at(self, theta: Arr | float, lift: float = 0.0) -> Arr:
        """Points of the curve at angles theta (0 = front, +90 deg = the piece's +X side);
        lift moves them off the body along its normal (a bead's radius)."""
        th = np.asarray(theta, float)
        dep = self.depth(th)
        rad = self.radius(th, dep)
        p = np.stack([rad * np.sin(th), self.y_back - dep, rad * np.cos(th)], -1)
        return np.asarray(p + lift * self.normal(th))

    def normal(self, theta: Arr | float) -> Arr:
        """The body's outward normal under the curve: horizontal behind the neck, tipping up
        where the chest comes forward under it."""
        th = np.asarray(theta, float)
        dep = self.depth(th)
        slope = (self.radius(th, dep + 0.5) - self.radius(th, dep - 0.5)) * (dep > 1e-9)
        n = np.stack([np.sin(th), slope, np.cos(th)], -1)
        return np.asarray(n / np.linalg.norm(n, axis=-1, keepdims=True))

    def curve(self, n: int = 721, start: float = -np.pi, end: float = np.pi) -> Arr:
        return self.at(np.linspace(start, end, n))

    def theta_at_length(self, s: Arr | float, n: int = 4001) -> Arr:
        """Angles at arc lengths s measured from the front centre (negative: the -X side)."""
        th = np.linspace(0.0, np.pi, n)
        p = self.at(th)
        cum = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
        s = np.asarray(s, float)
        return np.asarray(np.sign(s) * np.interp(np.abs(s), cum, th))

    def length(self) -> float:
        p = self.curve(2001)
        return float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum())
