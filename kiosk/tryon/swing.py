"""Dangling parts of a piece swing as damped pendulums driven by the head's motion.

A piece's swing joints (glTF nodes named `swing...`, extras {"swing": {"pivot", "damping"}})
each carry one pendulum: the direction from the joint's pivot to the swinging part's centre of
mass, in camera space, with its angular velocity. Each frame the piece's hook (its anchor:
position and frame in camera space, from the head pose) moves; the pivot's acceleration and
gravity (+y in camera space: the kiosk's camera stands upright) pull the pendulum, which lags,
overshoots and settles, and turns when the hook's frame turns only as far as it is dragged.
Nested joints (drops under a jhumka's bell) ride on their parent's swing. Rigid parts have no
joint and are not touched.

The output per joint is its local rotation about its pivot, in its parent's axes (the piece's,
or the enclosing joint's as turned by that joint's swing: a scene graph composes them as
world = anchor * parent joint * joint): identity when it hangs as modelled, straight down the
piece's -Y with the piece upright. Pivots are given in the piece's space; if a generator puts a
rotation on the nodes between the piece and a joint, conjugate by it. Everything is a function
of the poses and timestamps fed in: no clock, no randomness.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from kiosk.capture.base import Mat
from kiosk.track.headpose import Anchor

GRAVITY_MM_S2 = np.array([0.0, 9810.0, 0.0])     # camera space: +y is down
DOWN = np.array([0.0, -1.0, 0.0])                # a piece's own down (+Y is up)
# glTF damping 0..1 maps linearly onto the damping ratio 0.1..1 (critical). The default 0.15
# (ratio 0.24) gives a few visible swings: a 20 mm drop (~3 Hz) is below 1 % of its swing after
# a second; a free (0) 40 mm chandelier drop is below 10 % after ~1.7 s.
ZETA_MIN, ZETA_MAX = 0.1, 1.0
DEFAULT_DAMPING = 0.15
DEFAULT_LENGTH_MM = 20.0
DEFAULT_LIMIT_DEG = 50.0
# A swinging part's inertia about its pivot is more than a point mass at its centre's: a
# compact body of length L hanging from its end acts as a point at ~1.3 L (a rod: 4/3 L).
EFFECTIVE_LENGTH = 1.3
MAX_STEP_S = 0.004          # integration sub-step (omega_0 * dt ~ 0.1 at 4 Hz)
MAX_GAP_S = 0.1             # a longer gap between frames: the hook's speed is unknown, start over
MAX_ACCEL_MM_S2 = 3 * 9810.0   # pose jitter shows up doubly differentiated: clip what no head does


@dataclass(frozen=True)
class SwingJoint:
    name: str
    pivot_mm: tuple[float, float, float]   # in the piece's space at rest (hook at the origin)
    parent: str | None = None              # the enclosing swing joint, if nested
    damping: float = DEFAULT_DAMPING       # glTF extras, 0 (free) .. 1 (critically damped)
    length_mm: float = DEFAULT_LENGTH_MM   # pivot to the swinging part's centre of mass
    limit_deg: float = DEFAULT_LIMIT_DEG   # farthest from hanging as modelled

    @property
    def omega0(self) -> float:
        return math.sqrt(float(GRAVITY_MM_S2[1]) / (EFFECTIVE_LENGTH * max(self.length_mm, 1.0)))

    @property
    def zeta(self) -> float:
        return ZETA_MIN + (ZETA_MAX - ZETA_MIN) * float(np.clip(self.damping, 0.0, 1.0))


@dataclass
class _State:
    d: Mat                      # pivot -> centre of mass, unit, camera space
    omega: Mat                  # angular velocity, rad/s, camera space
    pivot: Mat                  # last pivot position
    vel: Mat | None = None      # last pivot velocity


def _min_rotation(a: Mat, b: Mat) -> Mat:
    """The smallest rotation taking unit vector a onto unit vector b."""
    v = np.cross(a, b)
    c = float(a @ b)
    if c < -0.999999:                      # opposite: any perpendicular axis
        axis = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(axis) < 1e-6:
            axis = np.cross(a, [0.0, 0.0, 1.0])
        axis /= np.linalg.norm(axis)
        return np.asarray(2 * np.outer(axis, axis) - np.eye(3), np.float64)
    vx = np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])
    return np.asarray(np.eye(3) + vx + vx @ vx / (1.0 + c), np.float64)


def _order(joints: Iterable[SwingJoint]) -> list[SwingJoint]:
    """Parents before children; a joint naming an unknown parent hangs from the piece."""
    by_name = {j.name: j for j in joints}
    out: list[SwingJoint] = []
    seen: set[str] = set()

    def visit(j: SwingJoint, path: tuple[str, ...]) -> None:
        if j.name in seen:
            return
        parent = by_name.get(j.parent) if j.parent else None
        if parent is not None and parent.name not in path:
            visit(parent, (*path, j.name))
        seen.add(j.name)
        out.append(j)

    for j in by_name.values():
        visit(j, ())
    return out


@dataclass
class PieceSwing:
    """The pendulums of one worn piece (one earring of a pair is one piece)."""

    joints: list[SwingJoint]
    _states: dict[str, _State] = field(default_factory=dict)
    _t: float | None = None

    def __post_init__(self) -> None:
        self.joints = _order(self.joints)

    def reset(self) -> None:
        self._states.clear()
        self._t = None

    def directions(self) -> dict[str, Mat]:
        """Each joint's pendulum: pivot -> centre of mass, camera space (tests, reports)."""
        return {name: s.d.copy() for name, s in self._states.items()}

    def step(self, anchor: Anchor, t: float) -> dict[str, Mat]:
        """Advance to time t with the hook at `anchor` (camera space) and return each joint's
        local rotation."""
        dt = None if self._t is None else t - self._t
        if dt is not None and (dt <= 0 or dt > MAX_GAP_S):
            # Time went backwards or a long gap: keep where the parts hang, forget their speed.
            for s in self._states.values():
                s.omega[:] = 0.0
                s.vel = None
            dt = None
        self._t = t
        world_rot: dict[str | None, Mat] = {None: np.asarray(anchor.rotation, np.float64)}
        world_org: dict[str | None, Mat] = {None: np.asarray(anchor.position, np.float64)}
        out: dict[str, Mat] = {}
        for j in self.joints:
            parent = j.parent if j.parent in world_rot else None
            r_par, o_par = world_rot[parent], world_org[parent]
            pivot = o_par + r_par @ (np.asarray(j.pivot_mm, np.float64) - self._pivot_of(parent))
            down_par = r_par @ DOWN
            known = self._states.get(j.name)
            if known is None:
                s = self._states[j.name] = _State(self._rest(down_par, j), np.zeros(3), pivot)
            else:
                s = known
                if dt is not None:
                    self._advance(j, s, pivot, down_par, dt)
            s.pivot = pivot
            local = r_par.T @ s.d
            rot_local = _min_rotation(DOWN, local / np.linalg.norm(local))
            out[j.name] = rot_local
            world_rot[j.name] = r_par @ rot_local
            world_org[j.name] = pivot
        return out

    def _pivot_of(self, name: str | None) -> Mat:
        if name is None:
            return np.zeros(3)
        return np.asarray(next(j.pivot_mm for j in self.joints if j.name == name), np.float64)

    @staticmethod
    def _rest(down_par: Mat, j: SwingJoint) -> Mat:
        g = GRAVITY_MM_S2 / np.linalg.norm(GRAVITY_MM_S2)
        return _limit(g, down_par, j.limit_deg)

    @staticmethod
    def _advance(j: SwingJoint, s: _State, pivot: Mat, down_par: Mat, dt: float) -> None:
        vel = (pivot - s.pivot) / dt
        acc = np.zeros(3) if s.vel is None else (vel - s.vel) / dt
        n = float(np.linalg.norm(acc))
        if n > MAX_ACCEL_MM_S2:
            acc *= MAX_ACCEL_MM_S2 / n
        s.vel = vel
        # In the pivot's accelerating frame the part feels gravity minus the pivot's acceleration.
        gx, gy, gz = (float(x) for x in GRAVITY_MM_S2 - acc)
        inv_len = 1.0 / (EFFECTIVE_LENGTH * max(j.length_mm, 1.0))
        c = 2.0 * j.zeta * j.omega0
        steps = max(1, math.ceil(dt / MAX_STEP_S))
        h = dt / steps
        cos_lim = math.cos(math.radians(j.limit_deg))
        px, py, pz = (float(x) for x in down_par)
        dx, dy, dz = (float(x) for x in s.d)
        wx, wy, wz = (float(x) for x in s.omega)
        # Semi-implicit Euler in plain floats: a few sub-steps per frame for every joint of
        # every piece must cost microseconds, not numpy's per-call overhead.
        for _ in range(steps):
            wx += ((dy * gz - dz * gy) * inv_len - c * wx) * h
            wy += ((dz * gx - dx * gz) * inv_len - c * wy) * h
            wz += ((dx * gy - dy * gx) * inv_len - c * wz) * h
            spin = wx * dx + wy * dy + wz * dz            # no spin about the hanging axis
            wx, wy, wz = wx - spin * dx, wy - spin * dy, wz - spin * dz
            dx, dy, dz = (dx + (wy * dz - wz * dy) * h, dy + (wz * dx - wx * dz) * h,
                          dz + (wx * dy - wy * dx) * h)
            nd = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = dx / nd, dy / nd, dz / nd
            if dx * px + dy * py + dz * pz < cos_lim:
                lim = _limit(np.array([dx, dy, dz]), down_par, j.limit_deg)
                dx, dy, dz = (float(x) for x in lim)
                # Stopped at the limit: lose the speed that pushed it further out.
                ox, oy, oz = py * dz - pz * dy, pz * dx - px * dz, px * dy - py * dx
                no = math.sqrt(ox * ox + oy * oy + oz * oz)
                if no > 1e-9:
                    ox, oy, oz = ox / no, oy / no, oz / no
                    k = wx * ox + wy * oy + wz * oz
                    wx, wy, wz = wx - k * ox, wy - k * oy, wz - k * oz
        s.d = np.array([dx, dy, dz])
        s.omega = np.array([wx, wy, wz])


def _limit(d: Mat, down_par: Mat, limit_deg: float) -> Mat:
    """d, or the nearest direction within limit_deg of down_par."""
    cos_lim = math.cos(math.radians(limit_deg))
    if float(d @ down_par) >= cos_lim:
        return d
    perp = d - down_par * float(d @ down_par)
    n = float(np.linalg.norm(perp))
    if n < 1e-9:
        return np.asarray(down_par, np.float64).copy()
    return np.asarray(down_par * cos_lim + perp / n * math.sin(math.radians(limit_deg)), np.float64)


@dataclass
class Swings:
    """Every worn piece's pendulums, keyed by the caller (e.g. "jhumka_gold/image-left").
    `reset` when the face is lost; pieces not stepped in a frame are forgotten."""

    pieces: dict[str, PieceSwing] = field(default_factory=dict)

    def reset(self) -> None:
        self.pieces.clear()

    def step(self, frame: dict[str, tuple[list[SwingJoint], Anchor]], t: float) -> dict[str, dict[str, Mat]]:
        out = {}
        for key, (joints, anchor) in frame.items():
            ps = self.pieces.get(key)
            if ps is None or [j.name for j in ps.joints] != [j.name for j in _order(joints)]:
                ps = self.pieces[key] = PieceSwing(list(joints))
            out[key] = ps.step(anchor, t) if ps.joints else {}
        for key in set(self.pieces) - set(frame):
            del self.pieces[key]
        return out
