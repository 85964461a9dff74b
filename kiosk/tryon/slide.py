"""Bangles of a stack slide along the arm under gravity, one by one, stopping against each other.

A stack's bangles are glTF nodes named `slide...` (extras {"slide": {"axis", "travel"}}, read by
kiosk/render/model.py): each may move along the arm's axis by its travel from where it rests.
Real bangles on a forearm stay put while the arm is near level (the skin holds them: static
friction), then slide towards the low end as the arm tips, one after another, knocking into the
one below; they do not bounce. So each frame: the arm's axis in camera space (from the bangle's
placement), gravity's share along it (+y in camera space: the kiosk's camera stands upright),
each bangle accelerated by what exceeds friction, damped, then kept inside its travel and out of
its neighbours (a position pass down the stack and back). Everything is a function of the poses
and timestamps fed in; a still (no time) is settled by stepping the same rule to rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Mat
from kiosk.render.model import Model

GRAVITY_MM_S2 = 9810.0
DOWN_CAM = np.array([0.0, 1.0, 0.0])          # camera space: +y is down
# Gold on skin: it holds until the arm tips ~20 degrees (tan 20 = 0.36), and slows a sliding
# bangle about as much again.
STATIC_FRICTION = 0.36
SLIDING_FRICTION = 0.3
DRAG_PER_S = 6.0                              # the skin's drag: a slide dies out in ~0.3 s
MAX_STEP_S = 0.01
MAX_GAP_S = 0.2                               # a longer gap between frames: step it as this
STILL_STEPS = 120                             # a photo: 1.2 s of sliding, enough to come to rest


@dataclass(frozen=True)
class _Slider:
    name: str
    rest: float                 # its centre along the axis at rest (mm, the stack's frame)
    lo: float                   # its extent along the axis about its centre (mm)
    hi: float
    travel: tuple[float, float]


class SlideStack:
    """The slides of one worn piece (one per hand side). `step(pose, t)` returns each slide's
    offset (mm, along its axis, in its parent's space) as joints for the renderer."""

    def __init__(self, model: Model):
        self.model = model
        sliders = []
        self.axis = np.zeros(3)
        for i, s in enumerate(model.swings):
            if s.axis is None:
                continue
            axis = np.asarray(s.axis, np.float64)
            self.axis = axis
            parts = [p for p in model.parts if p.segment == i]
            # The slide's geometry in its own frame; its frame sits at its node's offset.
            lo = min((float(np.min(p.positions @ axis)) for p in parts), default=0.0)
            hi = max((float(np.max(p.positions @ axis)) for p in parts), default=0.0)
            rest = float(np.asarray(s.offset[:3, 3], np.float64) @ axis + np.asarray(s.local[:3, 3]) @ axis)
            sliders.append(_Slider(s.name, rest, lo, hi, s.travel))
        sliders.sort(key=lambda sl: sl.rest)
        self.sliders = sliders
        self.x = np.zeros(len(sliders))           # offset from rest along the axis (mm)
        self.v = np.zeros(len(sliders))
        self._t: float | None = None

    @property
    def empty(self) -> bool:
        return not self.sliders

    def reset(self) -> None:
        self.x[:] = 0.0
        self.v[:] = 0.0
        self._t = None

    def along(self, pose: Mat) -> float:
        """Gravity's share along the stack's axis, -1..1, for the piece posed by `pose`."""
        a = np.asarray(pose, np.float64)[:3, :3] @ self.axis
        n = float(np.linalg.norm(a))
        return float(a @ DOWN_CAM / n) if n > 1e-9 else 0.0

    def step(self, pose: Mat, t: float | None) -> dict[str, npt.NDArray[np.float32]]:
        if self.empty:
            return {}
        g = self.along(pose)
        if t is None:
            self.reset()
            for _ in range(STILL_STEPS):
                self._advance(g, MAX_STEP_S)
        else:
            dt = 0.0 if self._t is None else min(max(t - self._t, 0.0), MAX_GAP_S)
            self._t = t
            while dt > 1e-9:
                h = min(dt, MAX_STEP_S)
                self._advance(g, h)
                dt -= h
        return {sl.name: np.asarray(self.axis * x, np.float32)
                for sl, x in zip(self.sliders, self.x, strict=True)}

    def _advance(self, g: float, dt: float) -> None:
        moving = np.abs(self.v) > 1e-3
        pull = abs(g) > STATIC_FRICTION
        drive = GRAVITY_MM_S2 * (g - np.sign(self.v) * SLIDING_FRICTION * np.sqrt(max(0.0, 1.0 - g * g)))
        # At rest and held by the skin: nothing moves; sliding, gravity less friction drives it.
        acc = np.where(moving | pull, drive, 0.0)
        self.v = (self.v + acc * dt) * max(0.0, 1.0 - DRAG_PER_S * dt)
        self.v[~(moving | pull)] = 0.0
        self.x += self.v * dt
        self._constrain(g)

    def _constrain(self, g: float) -> None:
        """Inside its travel, and no bangle into its neighbour: the stack piles up towards the
        low end (gravity's way along the axis), each stopping against the one below it."""
        sl, x, v = self.sliders, self.x, self.v
        for i, s in enumerate(sl):
            lo, hi = s.travel
            if not lo <= x[i] <= hi:
                x[i] = min(max(x[i], lo), hi)
                v[i] = 0.0
        order = range(len(sl) - 2, -1, -1) if g > 0 else range(1, len(sl))
        for i in order:
            j = i + 1 if g > 0 else i - 1           # the neighbour it piles against
            a, b = (i, j) if g > 0 else (j, i)      # a is lower along the axis than b
            gap = (sl[b].rest + x[b] + sl[b].lo) - (sl[a].rest + x[a] + sl[a].hi)
            if gap < 0.0:
                x[i] += gap if g > 0 else -gap
                v[i] = v[j]
