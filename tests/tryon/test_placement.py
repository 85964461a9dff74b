"""Placement on real photos: anchors relative to the landmarks, true size, far ear, faces."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import AssetError, Catalog
from kiosk.track.base import CHIN, EDGE_IMAGE_LEFT, EDGE_IMAGE_RIGHT, NOSE_TIP, Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.engine import HINT_NO_FACE, TryOn
from kiosk.tryon.placement import Placement
from tests.fakes.renderer import fake_renderer
from tests.helpers.photos import photo


def placements(catalog: Catalog, tracker: MediaPipeTracker, img: np.ndarray,
               ids: list[str]) -> tuple[TryOn, list[Placement]]:
    engine = TryOn(catalog, tracker, ids)
    fake_renderer(engine.scene)          # the placements are checked, not the 3D pixels
    res = engine.process(img.copy(), t=None)
    return engine, res.placements


def test_bundled_catalogue_has_every_category_and_sets(catalog: Catalog) -> None:
    cats = {p.category for p in catalog.pieces.values()}
    assert cats == {"earring", "necklace", "nose_ring", "maang_tikka", "ring", "bangle", "bracelet", "set"}
    bridal = [p.category for p in catalog.expand(["bridal_set_gold"])]
    assert sorted(bridal) == ["earring", "maang_tikka", "necklace", "nose_ring"]
    # A later pick of the same category replaces the set's piece.
    mixed = {p.category: p.id for p in catalog.expand(["bridal_set_gold", "drop_pearl"])}
    assert mixed["earring"] == "drop_pearl"
    with pytest.raises(AssetError, match="unknown jewelry id 'nope'"):
        catalog.expand(["nope"])


def test_earrings_hang_below_each_ear_on_its_own_side(catalog: Catalog,
        still_tracker: MediaPipeTracker) -> None:
    img = photo("obama_portrait.jpg")
    tracking = still_tracker.track(img, Needs(), 0.0)
    face = tracking.primary
    assert face is not None
    _, pls = placements(catalog, still_tracker, img, ["jhumka_gold"])
    by_side = {p.side: p for p in pls}
    assert set(by_side) == {"image-left", "image-right"} and not any(p.hidden for p in pls)
    s = face.px_per_mm
    for side, edge in (("image-left", EDGE_IMAGE_LEFT), ("image-right", EDGE_IMAGE_RIGHT)):
        ax, ay = by_side[side].anchor
        ex, ey = face.pt(edge)
        assert ay > ey + 5 * s, f"{side} earring is not below the ear"
        assert abs(ax - ex) < 10 * s, f"{side} earring is not at the ear"
    nose_x = face.pt(NOSE_TIP)[0]
    assert by_side["image-left"].anchor[0] < nose_x < by_side["image-right"].anchor[0]


@pytest.mark.slow
def test_necklace_sits_below_the_chin_between_the_shoulders(catalog: Catalog,
                                                            still_tracker: MediaPipeTracker) -> None:
    img = photo("obama_portrait.jpg")
    tracking = still_tracker.track(img, Needs(pose=True), 0.0)
    assert tracking.primary is not None and tracking.pose is not None
    (neck,) = placements(catalog, still_tracker, img, ["pendant_ruby"])[1]
    chin = tracking.primary.pt(CHIN)
    assert neck.anchor[1] > chin[1]
    assert tracking.pose.shoulder_image_left[0] < neck.anchor[0] < tracking.pose.shoulder_image_right[0]
    assert neck.reason == "on the shoulders"


@pytest.mark.slow
def test_every_piece_is_drawn_at_its_catalogue_width(catalog: Catalog,
        still_tracker: MediaPipeTracker) -> None:
    img = photo("portrait_shoulders.jpg")
    _, pls = placements(catalog, still_tracker, img, ["bridal_set_gold"])
    assert {p.category for p in pls} == {"earring", "necklace", "nose_ring", "maang_tikka"}
    for p in pls:
        assert p.width_px / p.px_per_mm == pytest.approx(p.width_mm, rel=0.10)


@pytest.mark.parametrize("pid", ["jhumka_gold", "choker_gold", "nath_gold", "maang_tikka_gold", "drop_pearl"])
def test_rendered_pixels_span_the_width_in_mm(catalog: Catalog, pid: str) -> None:
    from kiosk.tryon.compose import draw

    piece = catalog.get(pid)
    s = 4.0                                           # px per mm
    canvas = np.zeros((900, 900, 3), np.uint8)
    pl = Placement(pid, piece.category, "centre", (450.0, 200.0), piece.width_mm * s, piece.width_mm, s, 0.0)
    draw(canvas, piece, pl)
    cols = np.flatnonzero(canvas.max(axis=(0, 2)) > 10)
    alpha = piece.sprite()[:, :, 3]
    content = np.flatnonzero(alpha.max(axis=0) > 0.04)
    expected = (content[-1] - content[0] + 1) / alpha.shape[1] * piece.width_mm * s
    assert cols[-1] - cols[0] + 1 == pytest.approx(expected, rel=0.10)


@pytest.mark.slow
def test_far_earring_is_hidden_when_the_head_turns(catalog: Catalog,
        still_tracker: MediaPipeTracker) -> None:
    img = photo("turned_head.jpg")
    face = still_tracker.track(img, Needs(), 0.0).primary
    assert face is not None and abs(face.yaw_deg) > 10
    _, pls = placements(catalog, still_tracker, img, ["drop_pearl"])
    hidden = {p.side for p in pls if p.hidden}
    assert hidden == {"image-right" if face.yaw_deg > 0 else "image-left"}
    # The same photo mirrored turns the other way: the other ear is the hidden one.
    _, mirrored = placements(catalog, still_tracker, np.ascontiguousarray(img[:, ::-1]), ["drop_pearl"])
    assert {p.side for p in mirrored if p.hidden} == {"image-left", "image-right"} - hidden


def test_no_face_gives_a_hint_and_draws_nothing(catalog: Catalog,
        still_tracker: MediaPipeTracker) -> None:
    img = photo("no_face.jpg")
    before = img.copy()
    res = TryOn(catalog, still_tracker, ["jhumka_gold"]).process(img, t=None)
    assert res.faces == 0 and res.placements == [] and res.hints == [HINT_NO_FACE]
    assert np.array_equal(img, before)


def test_in_a_group_the_largest_face_is_the_customer(catalog: Catalog,
        still_tracker: MediaPipeTracker) -> None:
    img = photo("group_of_six.jpg")
    tracking = still_tracker.track(img, Needs(), 0.0)
    assert len(tracking.faces) == 5            # stills keep up to five faces
    areas = [f.area for f in tracking.faces]
    assert areas == sorted(areas, reverse=True) and areas[0] > 1.3 * areas[1]
    _, pls = placements(catalog, still_tracker, img, ["drop_pearl"])
    x0, y0, x1, y1 = tracking.faces[0].box
    for p in pls:                               # the earrings go on that face, nobody else's
        assert x0 - 40 < p.anchor[0] < x1 + 40 and y0 < p.anchor[1] < y1 + 60


def test_edges_have_no_dark_fringe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bright disk whose transparent pixels are black (the classic trigger) drawn rotated and
    shrunk over white: every pixel must lie between the disk's colour and white."""
    from kiosk.tryon import compose

    monkeypatch.setattr(compose, "SHADOW_STRENGTH", 0.0)
    size = 240
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(xx - size / 2 + 0.5, yy - size / 2 + 0.5)
    alpha = np.clip(100 - r, 0, 1)                       # anti-aliased disk edge
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[alpha > 0, :3] = (40, 200, 250)                 # gold (BGR); black where transparent
    rgba[:, :, 3] = (alpha * 255).astype(np.uint8)
    folder = tmp_path / "disk"
    folder.mkdir()
    cv2.imwrite(str(folder / "piece.png"), rgba)
    (folder / "manifest.json").write_text(
        '{"id": "disk", "name": "Disk", "category": "earring", "style": "stud", "price": 1,'
        ' "width_mm": 10, "anchor": [120, 120], "jeweler_id": "j", "image": "piece.png"}')
    piece = Catalog.load(tmp_path).get("disk")
    canvas = np.full((200, 200, 3), 255, np.uint8)
    compose.draw(canvas, piece, Placement("disk", "earring", "centre", (100.0, 100.0), 57.0, 10, 5.7, 23.0))
    lum = canvas.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)
    disk_lum = 0.114 * 40 + 0.587 * 200 + 0.299 * 250
    drawn = lum < 254.5
    assert drawn.sum() > 1500
    assert lum[drawn].min() >= disk_lum - 2.0


@pytest.mark.slow
def test_hints_for_a_dark_or_distant_customer(catalog: Catalog, still_tracker: MediaPipeTracker) -> None:
    from kiosk.tryon.engine import HINT_TOO_DARK, HINT_TOO_FAR

    dark = (photo("obama_portrait.jpg").astype(np.float32) * 0.3).astype(np.uint8)
    res = TryOn(catalog, still_tracker, ["drop_pearl"]).process(dark, t=None)
    assert res.faces == 1 and HINT_TOO_DARK in res.hints
    far = photo("turned_head.jpg")
    res = TryOn(catalog, still_tracker, ["drop_pearl"]).process(far, t=None)
    assert HINT_TOO_FAR in res.hints
    near = photo("obama_portrait.jpg")
    assert TryOn(catalog, still_tracker, ["drop_pearl"]).process(near, t=None).hints == []
