"""A hand in front of the face pieces hides them where it covers them, on the mirror and in the
photo (kiosk/tryon/handcover.py); the hand's outline from its landmarks."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.track.base import Needs, Tracking
from kiosk.track.hands import FINGERS, THUMB, WRIST, HandTrack
from kiosk.tryon.engine import TryOn, TryOnResult, capture, needs_for
from kiosk.tryon.handcover import drop_islands, hand_cover
from tests.fakes.renderer import fake_renderer
from tests.fakes.tracker import FakeTracker

PIECE = "jhumka_gold"


def _real_hand(hands: dict[str, list[HandTrack]]) -> HandTrack:
    return hands["hand_raised.jpg"][0]


def test_the_cover_is_the_hand_and_its_forearm(hands: dict[str, list[HandTrack]]) -> None:
    hd = _real_hand(hands)
    shape = (850, 1280)
    cover = hand_cover([hd], shape)
    assert cover is not None and hand_cover([], shape) is None
    at = lambda m, p: float(m[int(round(p[1])), int(round(p[0]))])  # noqa: E731
    # Every joint, and each bone between two joints, is covered.
    for chain in (THUMB, *FINGERS.values()):
        for a, b in zip((WRIST, *chain), chain, strict=False):
            for f in (0.0, 0.5, 1.0):
                p = hd.points[a] * (1 - f) + hd.points[b] * f
                assert at(cover, p) > 0.9, (a, b, f)
    # Nothing a knuckle span beyond the fingertips, nor beside the hand away from the forearm.
    span = hd.knuckle_span_px
    tip, knuckle = hd.points[FINGERS["middle"][3]], hd.points[FINGERS["middle"][0]]
    out = tip + (tip - knuckle) / np.hypot(*(tip - knuckle)) * span
    assert at(cover, out) == 0.0
    x0, y0, x1, y1 = hd.box
    assert float(cover.sum()) < 3 * (x1 - x0 + span) * (y1 - y0 + span)
    # Soft by about a pixel at its edge, not a staircase.
    assert 0.0 < float(((cover > 0.05) & (cover < 0.95)).sum()) < 0.5 * float((cover >= 0.95).sum())
    # A photo twice the frame's size: the same outline, twice as big.
    big = hand_cover([hd], (1700, 2560), 2.0)
    assert big is not None
    assert float(big.sum()) == pytest.approx(4 * float(cover.sum()), rel=0.05)
    assert all(at(big, 2 * p) > 0.9 for p in hd.points)


class _WithHand(FakeTracker):
    def __init__(self, hand: HandTrack | None) -> None:
        super().__init__()
        self.hand = hand

    def track(self, frame: np.ndarray, needs: Needs, t: float) -> Tracking:
        out = super().track(frame, needs, t)
        out.hands = [self.hand] if self.hand is not None else []
        return out


def _over(hand: HandTrack, where: tuple[float, float], scale: float) -> HandTrack:
    """The hand `scale` times bigger, its middle finger's first joint at `where`."""
    pts = hand.points * np.float32(scale)
    pts += np.float32(where) - pts[FINGERS["middle"][1]]
    return dataclasses.replace(hand, points=pts)


def _run(catalog: Catalog, hand: HandTrack | None, frame: np.ndarray,
         three_d: bool) -> tuple[TryOn, np.ndarray, TryOnResult]:
    engine = TryOn(catalog, _WithHand(hand), [PIECE])
    if three_d:
        fake_renderer(engine.scene)
    else:
        engine.scene.unavailable = "no OpenGL here"            # each piece its turned sprite
    for i in range(3):
        out = frame.copy()
        res = engine.process(out, i / 30)
    return engine, out, res


@pytest.mark.parametrize("three_d", [True, False], ids=["3d", "sprite"])
def test_a_hand_in_front_hides_the_face_pieces_where_it_covers_them(
        catalog: Catalog, hands: dict[str, list[HandTrack]], three_d: bool) -> None:
    frame = np.full((720, 1280, 3), 90, np.uint8)
    frame[:, :, 1] = np.linspace(40, 200, 1280, dtype=np.uint8)[None, :]   # a background with detail
    bare, out0, res0 = _run(catalog, None, frame, three_d)
    bare.close()
    hook = next(d.hook_px for d in res0.drawn if d.side == "image-left")
    hand = _over(_real_hand(hands), hook, 2.4)
    engine, out1, res1 = _run(catalog, hand, frame, three_d)
    cover = hand_cover([hand], frame.shape)
    assert cover is not None
    try:
        drawn0 = np.abs(out0.astype(int) - frame).max(axis=2) > 8        # the pieces (and shadows)
        under, clear = cover > 0.99, cover == 0.0
        assert (drawn0 & under).sum() > 100           # the hand is over a good part of an earring
        # Under the hand: the frame as it was, nothing of the piece or its shadow.
        assert np.abs(out1.astype(int) - frame)[under].max() <= 1
        # Away from it: the pieces as drawn without the hand (the other earring whole).
        assert np.abs(out1.astype(int) - out0)[clear].max() <= 1
        assert (drawn0 & clear).sum() > 100
        # The photo hides it the same way; a 3D piece's also at twice the mirror's size (a
        # sprite's placements are the mirror's own).
        for k in (1, 2) if three_d else (1,):
            big = np.ascontiguousarray(np.repeat(np.repeat(frame, k, axis=0), k, axis=1))
            jpeg, _ = capture(big, engine, res1.placements, engine.last_face)
            photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).astype(int)
            big_cover = hand_cover([hand], big.shape, float(k))
            assert big_cover is not None
            shown = np.repeat(np.repeat(drawn0, k, axis=0), k, axis=1)
            assert np.abs(photo - big)[(big_cover > 0.99) & shown].mean() < 3  # (the JPEG's error)
            assert np.abs(photo - big)[(big_cover == 0) & shown].mean() > 8
    finally:
        engine.close()


def test_face_pieces_watch_for_a_hand_hand_pieces_track_it(catalog: Catalog) -> None:
    face = needs_for(catalog.expand([PIECE]))
    assert face.hand_watch and not face.hands
    ring = needs_for(catalog.expand([PIECE, "ring_gold_band"]))
    assert ring.hands and not ring.hand_watch
    assert not needs_for([]).hand_watch


def test_specks_of_a_bangle_on_the_hand_are_dropped_the_rest_kept() -> None:
    rgba = np.zeros((120, 200, 4), np.float32)
    cv2.ellipse(rgba, (100, 60), (80, 40), 0, 180, 360, (0.6, 0.5, 0.2, 1.0), 6)   # the loop's top
    cv2.circle(rgba, (60, 95), 3, (0.6, 0.5, 0.2, 1.0), -1)      # a speck on the hand
    cv2.circle(rgba, (150, 95), 3, (0.6, 0.5, 0.2, 1.0), -1)     # one beside it
    cover = np.zeros((120, 200), np.float32)
    cover[80:120, 20:100] = 1.0
    drop_islands(rgba, cover)
    assert rgba[95, 60, 3] == 0.0 and rgba[95, 150, 3] == 1.0 and rgba[20, 100, 3] == 1.0
    # A loop cut in two long parts by the hand keeps both.
    cut = np.zeros((120, 200, 4), np.float32)
    cv2.ellipse(cut, (100, 60), (80, 40), 0, 0, 360, (0.6, 0.5, 0.2, 1.0), 6)
    cut[:, 90:110] = 0.0
    before = cut.copy()
    drop_islands(cut, np.ones((120, 200), np.float32))
    assert np.array_equal(cut, before)


@pytest.mark.slow      # real MediaPipe Hands and the renderer
def test_the_polki_bangle_on_the_bench_hand_has_no_specks_floating_on_the_hand(catalog: Catalog) -> None:
    """The bench's hand photo, live and in the photo: the hand's 3D fit sees it nearly edge-on,
    its occluder hid the loop's lower part but two proud polki of it showed on the back of the
    hand."""
    from kiosk.bench.hands import HAND_AT, HAND_PHOTO, clip
    from kiosk.track.mediapipe_tracker import MediaPipeTracker
    from kiosk.tryon import engine as eng_mod

    layers: list[np.ndarray] = []
    real = eng_mod.composite_layer

    def spy(dst: np.ndarray, rgba: np.ndarray, *a: object, **k: object) -> None:
        layers.append(rgba[:, :, 3] > 0.02)
        real(dst, rgba, *a, **k)  # type: ignore[arg-type]

    frames = clip(cv2.imread(str(HAND_PHOTO)), HAND_AT, 30)
    tracker = MediaPipeTracker(static=False)
    engine = TryOn(catalog, tracker, ["bangle_polki_kundan"])
    try:
        import unittest.mock as mock
        with mock.patch.object(eng_mod, "composite_layer", spy):
            for i, f in enumerate(frames):
                res = engine.process(f.copy(), i / 30)
            assert res.hands and res.drawn[0].how == "3d"
            live = len(layers)
            capture(frames[-1], engine, res.placements, engine.last_face)    # the photo: full model
        assert len(layers) == live + 1
    finally:
        engine.close()
        tracker.close()
        engine.scene.close()
    for seen in layers[-11:]:
        n, _, stats, _ = cv2.connectedComponentsWithStats(seen.astype(np.uint8), connectivity=8)
        areas = stats[1:, cv2.CC_STAT_AREA]
        # (a stray pixel or two of anti-aliasing is not a speck one sees)
        assert n >= 2 and not ((areas < 0.05 * areas.max()) & (areas > 3)).any(), areas.tolist()
