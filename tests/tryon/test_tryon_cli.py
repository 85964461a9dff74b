"""`kiosk tryon`: the still-photo composite, its JSON, and its clear refusals (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.cli import main
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.attire import load_attire
from kiosk.tryon.scene3d import Scene3D
from kiosk.tryon.still import render
from tests.helpers.photos import PHOTOS, photo


@pytest.mark.slow
def test_json_report_per_piece(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jpg"
    code = main(["tryon", str(PHOTOS / "portrait_shoulders.jpg"), "--jewelry", "jhumka_gold,choker_gold",
                 "--out", str(out), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    img = cv2.imread(str(out))
    assert img is not None and img.shape[:2] == cv2.imread(str(PHOTOS / "portrait_shoulders.jpg")).shape[:2]
    assert report["faces"] == 1 and report["scale_source"] in ("iris", "ipd")
    assert 2.0 < report["scale_px_per_mm"] < 20.0
    cats = [p["category"] for p in report["pieces"]]
    assert cats.count("earring") == 2 and cats.count("necklace") == 1
    for p in report["pieces"]:
        assert set(p) >= {"id", "category", "anchor_px", "width_px", "width_mm", "drawn_width_mm",
                          "scale_px_per_mm", "hidden"}
        assert p["drawn_width_mm"] == pytest.approx(p["width_mm"], rel=0.1)
    assert report["generation_time_ms"] > 0


@pytest.mark.parametrize("setup,jewelry,message", [
    ("missing", "jhumka_gold", "no such file"),
    ("corrupt", "jhumka_gold", "not an image"),
    ("face", "emerald_tiara", "unknown jewelry id 'emerald_tiara'"),
    ("noface", "jhumka_gold", "no face found"),
])
def test_clear_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, jewelry: str,
                             message: str) -> None:
    photo = {"missing": tmp_path / "nope.jpg", "corrupt": tmp_path / "bad.jpg",
             "face": PHOTOS / "obama_portrait.jpg", "noface": PHOTOS / "no_face.jpg"}[setup]
    if setup == "corrupt":
        photo.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    out = tmp_path / "o.jpg"
    assert main(["tryon", str(photo), "--jewelry", jewelry, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_render_closes_what_it_opened_and_leaves_a_given_tracker_open(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    """The one still-photo path: the pieces drawn on the photo itself, its own tracker and the
    3D renderer closed after, a caller's tracker kept (the asset screen renders many previews)."""
    closed: list[str] = []
    real_tracker_close, real_scene_close = MediaPipeTracker.close, Scene3D.close

    def tracker_close(self: MediaPipeTracker) -> None:
        closed.append("tracker")
        real_tracker_close(self)

    def scene_close(self: Scene3D) -> None:
        closed.append("scene")
        real_scene_close(self)

    monkeypatch.setattr(MediaPipeTracker, "close", tracker_close)
    monkeypatch.setattr(Scene3D, "close", scene_close)
    original = photo("obama_portrait.jpg")
    img = original.copy()
    worn = render(img, catalog, ["jhumka_gold"])
    assert worn.image is img and float(np.abs(img.astype(np.int16) - original).sum()) > 0
    assert worn.result.faces == 1 and [p.id for p in worn.pieces] == ["jhumka_gold"]
    assert worn.renderer is not None and worn.ms > 0 and not worn.hands_only
    assert sorted(closed) == ["scene", "tracker"]
    assert cv2.imdecode(np.frombuffer(worn.jpeg(), np.uint8), cv2.IMREAD_COLOR).shape == img.shape
    closed.clear()
    tracker = MediaPipeTracker(static=True)
    try:
        for _ in range(2):
            again = render(photo("obama_portrait.jpg"), catalog, ["jhumka_gold"], tracker=tracker)
            assert again.result.faces == 1
        assert closed == ["scene", "scene"]
        # An outfit alone starts no renderer: nothing to report about it.
        saree = load_attire()["saree_red_silk"]
        outfit = render(photo("obama_portrait.jpg"), catalog, [], saree, tracker=tracker)
        assert outfit.result.faces == 1 and outfit.renderer is None
    finally:
        real_tracker_close(tracker)
