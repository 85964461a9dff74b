"""Rings and bangles on hands the project has never seen (bundled photos), checked against
an independent MediaPipe Hands run; the ring turns with the finger; sizes."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.bench.hands import clip
from kiosk.catalog.pieces import Catalog
from kiosk.track.hands import FINGERS, INDEX_MCP, LITTLE_MCP, MIDDLE_MCP, WRIST
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.engine import HINT_NO_HAND, TryOn, TryOnResult
from tests.fakes.renderer import fake_renderer
from tests.helpers.handref import HAND_PHOTOS, ref_hands
from tests.helpers.photos import photo
from tests.tryon.handpieces import hand_catalog

pytestmark = pytest.mark.slow     # real MediaPipe face, pose and hands on photos



@pytest.fixture(scope="module")
def hands_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(hand_catalog(tmp_path_factory.mktemp("hands")))


def tryon(catalog: Catalog, tracker: MediaPipeTracker, img: np.ndarray, ids: list[str]) -> TryOnResult:
    engine = TryOn(catalog, tracker, ids, still=True)
    fake_renderer(engine.scene)          # where the pieces sit is checked here, not how they look
    try:
        return engine.process(img, None)
    finally:
        engine.scene.close()


def nearest(hands: list[np.ndarray], point: tuple[float, float]) -> np.ndarray:
    return min(hands, key=lambda pts: float(np.min(np.hypot(*(pts - np.asarray(point)).T))))


@pytest.mark.parametrize("name", HAND_PHOTOS)
def test_the_ring_sits_on_the_ring_fingers_first_segment_and_the_bangle_at_the_wrist(
        name: str, hands_catalog: Catalog, still_tracker: MediaPipeTracker, reference: object) -> None:
    img = photo(name)
    res = tryon(hands_catalog, still_tracker, img.copy(), ["test_ring", "test_bangle"])
    refs = ref_hands(reference, img)
    assert refs and res.hands, name
    ring = next(hp for hp in res.hands if hp.piece.id == "test_ring")
    pts = nearest(refs, ring.anchor_px)
    mcp, pip = pts[FINGERS["ring"][0]], pts[FINGERS["ring"][1]]
    seg = pip - mcp
    rel = np.asarray(ring.anchor_px) - mcp
    along = float(rel @ seg) / float(seg @ seg)
    off = abs(float(np.cross(seg, rel))) / float(np.linalg.norm(seg))
    assert 0.1 <= along <= 0.75, (name, along)                      # between knuckle and first joint
    assert off <= 0.45 * float(np.linalg.norm(seg)), (name, off)     # on the finger, not beside it
    span = float(np.linalg.norm(pts[INDEX_MCP] - pts[LITTLE_MCP]))
    for bangle in (hp for hp in res.hands if hp.piece.id == "test_bangle"):
        pts = nearest(refs, bangle.anchor_px)
        wrist, hand_dir = pts[WRIST], pts[MIDDLE_MCP] - pts[WRIST]
        rel = np.asarray(bangle.anchor_px) - wrist
        assert float(np.linalg.norm(rel)) <= 1.3 * span, name          # at the wrist
        assert float(rel @ hand_dir) <= 0.25 * float(hand_dir @ hand_dir), name   # not up the hand
    assert all(d.how == "3d" for d in res.drawn)


def test_live_bangles_go_on_both_wrists_and_the_ring_on_one_hand(hands_catalog: Catalog,
                                                                  reference: object) -> None:
    """Live (video-mode tracking, the second hand found by the side thread): a bridal customer
    shows both hands and sees a bangle on each wrist; a ring is tried on one finger at a time."""
    frames = clip(photo("turned_head.jpg"), (620, 430), 60)
    tracker = MediaPipeTracker(static=False)
    engine = TryOn(hands_catalog, tracker, ["test_ring", "test_bangle"])
    fake_renderer(engine.scene)
    try:
        start, i = time.monotonic(), 0
        res = engine.process(frames[0].copy(), 0.0)
        while len(res.hands) < 3:
            assert time.monotonic() - start < 20, [(hp.piece.id, hp.side) for hp in res.hands]
            i += 1
            res = engine.process(frames[i % len(frames)].copy(), i / 30)
            time.sleep(0.02)
        refs = ref_hands(reference, frames[i % len(frames)])
        bangles = [hp for hp in res.hands if hp.piece.id == "test_bangle"]
        rings = [hp for hp in res.hands if hp.piece.id == "test_ring"]
        assert sorted(hp.side for hp in bangles) == ["hand-left", "hand-right"] and len(rings) == 1
        at = [id(nearest(refs, hp.anchor_px)) for hp in bangles]
        assert len(set(at)) == 2                            # one bangle at each of her wrists
        for hp in bangles:
            pts = nearest(refs, hp.anchor_px)
            span = float(np.linalg.norm(pts[INDEX_MCP] - pts[LITTLE_MCP]))
            assert float(np.linalg.norm(np.asarray(hp.anchor_px) - pts[WRIST])) <= 1.3 * span
        assert len([d for d in res.drawn if d.how == "3d"]) == 3
    finally:
        engine.close()
        tracker.close()
        engine.scene.close()


def test_the_ring_turns_with_the_finger(hands_catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    img = photo("hand_on_helmet.jpg")
    h, w = img.shape[:2]
    angles = {}
    for turn in (0, 25, 50):
        # The photo turned about the hand: the same hand, its fingers pointing another way.
        m = cv2.getRotationMatrix2D((860, 1450), turn, 1.0)
        turned = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        res = tryon(hands_catalog, still_tracker, turned, ["test_ring"])
        assert res.hands, turn
        angles[turn] = res.hands[0].angle_deg
    # warpAffine's positive angle turns the picture counter-clockwise: the finger's on-screen
    # direction (clockwise) goes down by as much.
    for turn in (25, 50):
        d = (angles[0] - angles[turn] + 180) % 360 - 180
        assert abs(d - turn) <= 8, angles


def test_a_hand_piece_without_a_hand_asks_for_it_and_needs_no_face(
        hands_catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    res = tryon(hands_catalog, still_tracker, photo("close_face.jpg"), ["test_ring"])
    assert res.hints == [HINT_NO_HAND] and not res.hands
    res = tryon(hands_catalog, still_tracker, photo("no_face.jpg"), ["test_bangle"])
    assert res.hints == [HINT_NO_HAND]


def test_sizes_come_with_the_scale_they_were_measured_with(
        hands_catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    res = tryon(hands_catalog, still_tracker, photo("hands_on_table.jpg"), ["test_ring", "test_bangle"])
    ring = next(hp.as_json() for hp in res.hands if hp.piece.id == "test_ring")
    assert ring["hand"] in ("left", "right") and ring["finger"] == "ring"
    assert ring["scale"]["source"] == "iris"           # the hand rests at the face's distance  # type: ignore[index]
    size = ring["size"]
    assert 8 <= size["indian"] <= 24 and "about size" in size["text"]  # type: ignore[index,operator]
    assert Path  # keeps the import list honest for the module's helpers
