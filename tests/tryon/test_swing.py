"""Dangling parts as damped pendulums, fed synthetic head poses and timestamps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.render.camera import Camera
from kiosk.track.headpose import Anchor, HeadPose, rigid_pose, rotation_from_angles
from kiosk.tryon.swing import DOWN, PieceSwing, SwingJoint, Swings

FPS = 30.0
JHUMKA = [SwingJoint("swing_bell", (0.0, -8.0, 0.0), length_mm=14.0),
          SwingJoint("swing_drops", (0.0, -24.0, 0.0), parent="swing_bell", length_mm=8.0)]


def _hook(x_mm: float = 0.0, roll: float = 0.0, yaw: float = 0.0) -> Anchor:
    return Anchor(np.array([x_mm, 40.0, 600.0]), rotation_from_angles(yaw, 0.0, roll))


def _swing_deg(d: np.ndarray) -> float:
    """How far a pendulum is from hanging plumb (camera +y is down)."""
    return math.degrees(math.acos(float(np.clip(d[1], -1.0, 1.0))))


def _jolt(joints: list[SwingJoint], seconds: float = 2.5) -> tuple[np.ndarray, dict[str, list[float]]]:
    """Still for half a second, then the head moves 40 mm sideways in 0.1 s and stops."""
    ps = PieceSwing(joints)
    times = np.arange(int(seconds * FPS)) / FPS
    angles: dict[str, list[float]] = {j.name: [] for j in joints}
    for t in times:
        x = float(np.clip((t - 0.5) / 0.1, 0.0, 1.0)) * 40.0
        ps.step(_hook(x), float(t))
        for name, d in ps.directions().items():
            angles[name].append(_swing_deg(d))
    return times, angles


def test_a_jhumka_swings_after_a_jolt_and_settles_within_a_second() -> None:
    times, angles = _jolt(JHUMKA)
    for name, a in angles.items():
        series = np.array(a)
        before = series[times < 0.5]
        assert before.max() < 1e-6, name                       # hangs still before
        peak = series[(times >= 0.5) & (times < 1.0)].max()
        assert peak > 10.0, name                               # a real swing
        late = series[(times >= 1.6) & (times < 2.0)].max()    # a second after the jolt ended
        assert late < 0.1 * peak, name


def test_a_free_long_drop_swings_longer_than_a_damped_one() -> None:
    free = [SwingJoint("swing_drop", (0.0, -5.0, 0.0), damping=0.0, length_mm=40.0)]
    damped = [SwingJoint("swing_drop", (0.0, -5.0, 0.0), damping=0.8, length_mm=40.0)]
    times, free_deg = _jolt(free)
    damped_deg = _jolt(damped)[1]
    late = (times >= 1.6) & (times < 2.0)
    assert np.array(free_deg["swing_drop"])[late].max() > 3 * np.array(damped_deg["swing_drop"])[late].max()


def test_the_swing_is_deterministic() -> None:
    a, b = _jolt(JHUMKA)[1], _jolt(JHUMKA)[1]
    assert a == b


def test_parts_hang_plumb_when_the_head_tilts() -> None:
    ps = PieceSwing(JHUMKA)
    for k in range(int(3 * FPS)):
        out = ps.step(_hook(roll=20.0), k / FPS)
    for name, d in ps.directions().items():
        assert _swing_deg(d) < 0.5, name
    # The bell turns 20 deg back about the ear's front axis; the drops hang straight under it.
    bell = out["swing_bell"]
    assert abs(bell[2, 2]) == pytest.approx(1.0, abs=1e-3)
    assert abs(math.degrees(math.atan2(bell[1, 0], bell[0, 0]))) == pytest.approx(20.0, abs=0.5)
    assert np.allclose(out["swing_drops"], np.eye(3), atol=1e-3)
    # Composed like a scene graph, the drops' modelled down is plumb in camera space.
    world = _hook(roll=20.0).rotation @ out["swing_bell"] @ out["swing_drops"]
    assert np.allclose(world @ DOWN, [0.0, 1.0, 0.0], atol=0.01)


def test_swings_are_limited() -> None:
    limited = [SwingJoint("swing_bell", (0.0, -8.0, 0.0), limit_deg=30.0, damping=0.0)]
    ps = PieceSwing(limited)
    for k in range(int(2 * FPS)):
        out = ps.step(_hook(roll=80.0), k / FPS)
        r = out["swing_bell"]
        assert math.degrees(math.acos(float(np.clip(-(r @ DOWN)[1], -1, 1)))) <= 30.0 + 1e-6
    # A violent shake never throws a part past its limit either.
    ps = PieceSwing(limited)
    for k in range(int(2 * FPS)):
        r = ps.step(_hook(x_mm=60.0 * (k % 2)), k / FPS)["swing_bell"]
        assert math.degrees(math.acos(float(np.clip(-(r @ DOWN)[1], -1, 1)))) <= 30.0 + 1e-6


def test_rigid_pieces_are_untouched() -> None:
    assert PieceSwing([]).step(_hook(), 0.0) == {}
    swings = Swings()
    out = swings.step({"stud_gold_ruby/image-left": ([], _hook())}, 0.0)
    assert out == {"stud_gold_ruby/image-left": {}}
    # A joint at rest is exactly as modelled.
    ps = PieceSwing(JHUMKA)
    for name, r in ps.step(_hook(), 0.0).items():
        assert np.allclose(r, np.eye(3)), name


def test_one_state_per_piece_reset_when_the_face_is_lost() -> None:
    swings = Swings()
    left, right = "jhumka_gold/image-left", "jhumka_gold/image-right"
    for k in range(20):
        x = 40.0 if k >= 10 else 0.0
        swings.step({left: (JHUMKA, _hook(x)), right: (JHUMKA, _hook(-80.0))}, k / FPS)
    moving, still = swings.pieces[left].directions(), swings.pieces[right].directions()
    assert _swing_deg(moving["swing_bell"]) > 1.0 and _swing_deg(still["swing_bell"]) < 1e-6
    swings.reset()                     # the face is lost
    assert swings.pieces == {}
    swings.step({left: (JHUMKA, _hook(40.0))}, 1.0)
    assert _swing_deg(swings.pieces[left].directions()["swing_bell"]) < 1e-6
    # A piece taken off is forgotten.
    swings.step({right: (JHUMKA, _hook())}, 1.1)
    assert set(swings.pieces) == {right}


def test_a_long_gap_between_frames_is_not_a_jolt() -> None:
    ps = PieceSwing(JHUMKA)
    ps.step(_hook(0.0), 0.0)
    ps.step(_hook(0.0), 1 / FPS)
    ps.step(_hook(200.0), 2.0)          # the customer moved while frames were lost
    assert _swing_deg(ps.directions()["swing_bell"]) < 1e-6


def _lobe(pose: HeadPose) -> Anchor:
    return pose.anchor("ear_lobe_image_left")


def test_a_head_turn_swings_the_earring_then_it_settles() -> None:
    """Driven by successive head poses: a quick 30 deg turn (0.2 s) and a stop."""
    cam = Camera.from_hfov(1280, 720, 60.0)
    ps = PieceSwing(JHUMKA[:1])
    angles = []
    for k in range(int(2.5 * FPS)):
        t = k / FPS
        yaw = 30.0 * float(np.clip((t - 0.5) / 0.2, 0.0, 1.0))
        pose = rigid_pose(rotation_from_angles(yaw), [0.0, 0.0, 600.0], cam)
        ps.step(_lobe(pose), t)
        angles.append(_swing_deg(ps.directions()["swing_bell"]))
    a = np.array(angles)
    times = np.arange(len(a)) / FPS
    peak = a[(times > 0.5) & (times < 1.2)].max()
    assert peak > 5.0
    assert a[(times >= 1.7) & (times < 2.1)].max() < 0.1 * peak
