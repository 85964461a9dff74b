"""Attire recolor on a real photo: the clothes change colour, the face does not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.track.base import FACE_OVAL, Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.attire import AttireError, load_attire
from kiosk.tryon.engine import TryOn, capture
from tests.fakes.renderer import fake_renderer
from tests.helpers.photos import photo


def lab(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)


@pytest.mark.slow
def test_the_photo_wears_the_outfit_the_mirror_shows(catalog: Catalog,
                                                     still_tracker: MediaPipeTracker) -> None:
    """The photo is made from the camera's own frame (engine.capture), at the mirror's size and
    at twice it: the chosen outfit is on it as on the mirror, the face untouched."""
    original = photo("obama_portrait.jpg")
    red = load_attire()["saree_red_silk"]
    engine = TryOn(catalog, still_tracker, ["jhumka_gold"], red)
    fake_renderer(engine.scene)
    mirror = original.copy()
    res = engine.process(mirror, t=None)
    face = engine.last_face
    assert face is not None and engine.last_mask is not None
    jacket = engine.last_mask > 0.9
    jacket[: int(face.pt(152)[1]) + 150] = False
    cheek = np.zeros_like(jacket)
    x0, y0, x1, y1 = (int(v) for v in face.box)
    cheek[(y0 + y1) // 2:(y0 + 3 * y1) // 4, x0 + (x1 - x0) // 5:x0 + 2 * (x1 - x0) // 5] = True
    for f in (1, 2):
        big = cv2.resize(original, None, fx=f, fy=f) if f > 1 else original
        jpeg, _ = capture(big, engine, res.placements, face)
        shot = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        shot = cv2.resize(shot, (original.shape[1], original.shape[0]), interpolation=cv2.INTER_AREA)
        diff = np.abs(lab(shot)[jacket].mean(axis=0) - lab(mirror)[jacket].mean(axis=0))
        assert diff.max() < 4, (f, diff)                     # the same red as the mirror's
        assert np.abs(lab(shot)[jacket].mean(axis=0) - lab(original)[jacket].mean(axis=0))[1] > 15
        assert np.abs(lab(shot)[cheek].mean(axis=0) - lab(original)[cheek].mean(axis=0)).max() < 3, f


def test_bundled_attire_has_original_and_colours() -> None:
    attire = load_attire()
    assert attire["original"].is_original
    assert attire["saree_red_silk"].bgr == (0x2a, 0x12, 0xa8)


@pytest.mark.slow
def test_recolor_changes_the_clothes_and_keeps_the_face(catalog: Catalog,
                                                       still_tracker: MediaPipeTracker) -> None:
    original = photo("obama_portrait.jpg")
    red = load_attire()["saree_red_silk"]
    img = original.copy()
    TryOn(catalog, still_tracker, [], red).process(img, t=None)
    tracking = still_tracker.track(original, Needs(pose=True, segmentation=True), 0.0)
    face = tracking.primary
    assert face is not None and tracking.person_mask is not None
    # The jacket: person pixels well below the chin.
    h, w = img.shape[:2]
    chin_y = int(face.pt(152)[1])
    jacket = np.zeros((h, w), bool)
    jacket[chin_y + 150:, :] = tracking.person_mask[chin_y + 150:, :] > 0.9
    assert jacket.sum() > 20000
    target = lab(np.array([[red.bgr]], np.uint8))[0, 0]
    before = lab(original)[jacket].mean(axis=0)
    after = lab(img)[jacket].mean(axis=0)
    chroma_gap = lambda c: float(np.hypot(c[1] - target[1], c[2] - target[2]))  # noqa: E731
    assert chroma_gap(after) < 0.35 * chroma_gap(before)
    # Texture and shading survive: lightness still varies across the jacket.
    assert lab(img)[jacket][:, 0].std() > 0.5 * lab(original)[jacket][:, 0].std()
    # The face: mean colour difference (CIE76 ΔE) inside the face oval stays small.
    oval = np.zeros((h, w), np.uint8)
    cv2.fillPoly(oval, [face.points[list(FACE_OVAL)].astype(np.int32)], (1,))
    delta_e = np.linalg.norm(lab(img) - lab(original), axis=2)[oval.astype(bool)]
    assert float(delta_e.mean()) < 1.5


def test_original_attire_leaves_the_image_alone(catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    img = photo("obama_portrait.jpg")
    before = img.copy()
    TryOn(catalog, still_tracker, [], load_attire()["original"]).process(img, t=None)
    assert np.array_equal(img, before)


def test_bad_attire_manifest_is_named(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "m.json"
    p.write_text('{"attire": [{"id": "x", "name": "X", "color": "red"}]}')
    with pytest.raises(AttireError, match="not #rrggbb"):
        load_attire(p)


def test_pattern_attire_tiles_the_garment(catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    original = photo("obama_portrait.jpg")
    img = original.copy()
    bandhani = load_attire()["saree_bandhani_red"]
    assert bandhani.pattern is not None and not bandhani.is_original
    TryOn(catalog, still_tracker, [], bandhani).process(img, t=None)
    tracking = still_tracker.track(original, Needs(pose=True, segmentation=True), 0.0)
    assert tracking.primary is not None and tracking.person_mask is not None
    chin_y = int(tracking.primary.pt(152)[1])
    jacket = np.zeros(img.shape[:2], bool)
    jacket[chin_y + 150:, :] = tracking.person_mask[chin_y + 150:, :] > 0.9
    # The dark jacket now carries the red/yellow/white motif: much more chroma variation.
    assert lab(img)[jacket][:, 1].std() > 3 * lab(original)[jacket][:, 1].std()


@pytest.mark.slow
def test_nath_with_chain_runs_to_the_ear(catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    from kiosk.track.base import EDGE_IMAGE_RIGHT

    img = photo("portrait_shoulders.jpg")
    res = TryOn(catalog, still_tracker, ["nath_chain_gold"]).process(img, t=None)
    (nath,) = res.placements
    assert nath.chain is not None
    face = still_tracker.track(photo("portrait_shoulders.jpg"), Needs(), 0.0).primary
    assert face is not None
    ear = face.pt(EDGE_IMAGE_RIGHT)
    end = np.array(nath.chain[1])
    assert np.hypot(*(end - ear)) < 25 * face.px_per_mm and end[1] < ear[1]
