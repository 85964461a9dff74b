"""Auto-framing on synthetic face boxes: converges, holds still under landmark noise, stays in
the frame, falls back to the centred cover-crop."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kiosk.track.base import FaceTrack
from kiosk.ui.framing import FaceBox, Framer, Rect, cover_crop, face_box

W, H = 1280, 720
FPS = 30


def face(cx: float, y0: float, fh: float, dx: float = 0.0, dy: float = 0.0, yaw: float = 0.0) -> FaceBox:
    w = fh * 0.75
    return FaceBox(cx - w / 2 + dx, y0 + dy, cx + w / 2 + dx, y0 + fh + dy,
                   (("ear_left", (cx - w / 2 + dx, y0 + 0.7 * fh + dy)),
                    ("ear_right", (cx + w / 2 + dx, y0 + 0.7 * fh + dy)),
                    ("neck", (cx + dx, y0 + 1.5 * fh + dy))), yaw)


def run(framer: Framer, faces: list[FaceBox | None], aspect: float, t0: float = 0.0) -> list[Rect]:
    return [framer.update(W, H, aspect, f, t0 + i / FPS) for i, f in enumerate(faces)]


def tup(r: Rect) -> tuple[float, float, float, float]:
    return r.x, r.y, r.w, r.h


def inside(r: Rect) -> bool:
    return r.x >= -1e-6 and r.y >= -1e-6 and r.x + r.w <= W + 1e-6 and r.y + r.h <= H + 1e-6


def test_no_face_is_the_centred_cover_crop() -> None:
    for aspect in (614 / 768, 768 / 614, 16 / 9, 3.0):
        r = Framer().update(W, H, aspect, None, 0.0)
        c = cover_crop(W, H, aspect)
        assert tup(r) == pytest.approx(tup(c)) and inside(r)
        assert r.w / r.h == pytest.approx(aspect)
        assert r.centre == pytest.approx((W / 2, H / 2))
    # the cover crop fills one side of the frame exactly
    assert tup(cover_crop(W, H, 16 / 9)) == pytest.approx((0, 0, W, H))


def test_converges_on_the_face_with_head_and_shoulders() -> None:
    framer = Framer(face_share=0.36)
    f = face(800, 200, 150)
    rects = run(framer, [f] * (3 * FPS), 614 / 768)
    first, last = rects[0], rects[-1]
    assert first.h > last.h                          # glides in, no jump
    assert last.h == pytest.approx(150 / 0.36, rel=0.01)
    assert last.centre[0] == pytest.approx(800, abs=2)
    # the face sits in the upper half, with room below it for the neck and shoulders
    assert 0.1 < (f.y0 - last.y) / last.h < 0.3
    assert (last.y + last.h - f.y1) / last.h > 0.35
    assert all(inside(r) and r.w / r.h == pytest.approx(614 / 768) for r in rects)
    # eased: every step is smaller than the one before once it is moving
    steps = [abs(a.h - b.h) for a, b in zip(rects[1:], rects[2:], strict=False)]
    assert all(s2 <= s1 + 1e-9 for s1, s2 in zip(steps, steps[1:], strict=False))


def test_steady_under_landmark_noise() -> None:
    framer = Framer()
    rng = random.Random(7)
    run(framer, [face(640, 220, 160)] * (4 * FPS), 1.25)
    noisy: list[FaceBox | None] = [face(640, 220, 160 + rng.uniform(-2, 2), rng.uniform(-2, 2),
                                        rng.uniform(-2, 2)) for _ in range(5 * FPS)]
    rects = run(framer, noisy, 1.25, t0=4.0)
    xs = [r.x for r in rects]
    hs = [r.h for r in rects]
    assert max(xs) - min(xs) < 0.5 and max(hs) - min(hs) < 0.5     # still, not jittering


def test_follows_a_real_move_smoothly() -> None:
    framer = Framer()
    run(framer, [face(500, 220, 160)] * (3 * FPS), 1.25)
    rects = run(framer, [face(800, 220, 160)] * (3 * FPS), 1.25, t0=3.0)
    centres = [r.centre[0] for r in rects]
    assert centres[-1] == pytest.approx(800, abs=3)
    assert all(b >= a - 1e-9 for a, b in zip(centres, centres[1:], strict=False))   # no overshoot
    assert max(b - a for a, b in zip(centres, centres[1:], strict=False)) < 40      # no jump


def test_clamps_to_the_frame() -> None:
    framer = Framer()
    for f in (face(30, 5, 200), face(1270, 600, 120), face(640, 300, 700), face(640, 300, 4)):
        rects = run(framer, [f] * FPS, 614 / 768)
        assert all(inside(r) for r in rects)
        assert rects[-1].h <= H + 1e-6
        assert rects[-1].h >= cover_crop(W, H, 614 / 768).h / framer.max_zoom - 1e-6


def test_lost_face_holds_then_returns_to_the_cover_crop() -> None:
    framer = Framer(hold_s=1.0)
    framed = run(framer, [face(900, 200, 150)] * (3 * FPS), 1.25)[-1]
    brief = run(framer, [None] * 10, 1.25, t0=3.0)                 # a third of a second
    assert all(tup(r) == pytest.approx(tup(framed), abs=0.5) for r in brief)
    gone = run(framer, [None] * (5 * FPS), 1.25, t0=3.4)
    c = cover_crop(W, H, 1.25)
    assert gone[-1].centre == pytest.approx(c.centre, abs=2) and gone[-1].h == pytest.approx(c.h, abs=2)


def test_closeup_zooms_about_twice_on_the_region() -> None:
    framer = Framer()
    f = face(640, 200, 150)
    normal = run(framer, [f] * (3 * FPS), 1.25)[-1]
    framer.closeup = "ear"
    close = run(framer, [f] * (3 * FPS), 1.25, t0=3.0)[-1]
    assert normal.h / close.h == pytest.approx(2.0, rel=0.02)
    ear = f.region("ear_left")
    assert ear is not None and close.centre == pytest.approx(ear, abs=3)
    framer.closeup = None
    back = run(framer, [f] * (3 * FPS), 1.25, t0=6.0)[-1]
    assert back.h == pytest.approx(normal.h, rel=0.01)


def test_face_box_from_a_track() -> None:
    pts = np.zeros((478, 2), np.float32)
    pts[:, 0] = np.linspace(400, 600, 478)
    pts[:, 1] = np.linspace(100, 340, 478)
    box = face_box(FaceTrack(pts, np.zeros(478, np.float32), 5.0, "iris"))
    assert (box.x0, box.y0, box.x1, box.y1) == (400, 100, 600, 340)
    assert {name for name, _ in box.regions} == {"ear_left", "ear_right", "neck", "nose", "forehead"}


def test_closeup_zooms_in_even_when_the_face_fills_the_frame() -> None:
    framer = Framer()
    f = face(640, 100, 420)                     # close to the camera: the cover crop already
    normal = run(framer, [f] * (3 * FPS), 1.25)[-1]
    assert normal.h == pytest.approx(cover_crop(W, H, 1.25).h, abs=1)
    framer.closeup = "neck"
    close = run(framer, [f] * (3 * FPS), 1.25, t0=3.0)[-1]
    assert normal.h / close.h == pytest.approx(2.0, rel=0.02) and inside(close)


def test_a_narrow_view_keeps_both_ears_in() -> None:
    framer = Framer(face_share=0.6)
    f = face(640, 200, 200)                    # 150 px from ear to ear
    crop = run(framer, [f] * (3 * FPS), 0.5)[-1]
    assert crop.x < f.x0 - 0.3 * (f.x1 - f.x0) and crop.x + crop.w > f.x1 + 0.3 * (f.x1 - f.x0)


def test_a_still_is_framed_where_the_mirror_settles_without_the_closeup() -> None:
    framer = Framer()
    f = face(700, 220, 160)
    settled = run(framer, [f] * (4 * FPS), 1.25)[-1]
    framer.closeup = "ear"
    still = framer.still(W, H, 1.25, f)
    assert tup(still) == pytest.approx(tup(settled), abs=1)
    assert tup(framer.still(W, H, 1.25, None)) == pytest.approx(tup(cover_crop(W, H, 1.25)))


def test_the_closeup_keeps_its_ear_while_the_head_wavers() -> None:
    framer = Framer()
    framer.closeup = "ear"
    rng = random.Random(3)
    wavering: list[FaceBox | None] = [face(640, 200, 150, yaw=4.0)]      # turned a little: its left ear
    wavering += [face(640, 200, 150, yaw=rng.uniform(-6, 6)) for _ in range(4 * FPS)]
    rects = run(framer, wavering, 1.25)
    left = face(640, 200, 150).region("ear_left")
    assert left is not None
    xs = [r.centre[0] for r in rects[2 * FPS:]]
    assert max(xs) - min(xs) < 2 and xs[-1] == pytest.approx(left[0], abs=3)    # one ear, held
    turned = run(framer, [face(640, 200, 150, yaw=-25)] * (3 * FPS), 1.25, t0=4.0)
    right = face(640, 200, 150).region("ear_right")
    assert right is not None and turned[-1].centre[0] == pytest.approx(right[0], abs=3)
