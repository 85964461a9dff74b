"""`kiosk tryon`: the still-photo composite, its JSON, and its clear refusals (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from kiosk.cli import main
from tests.tryon.conftest import PHOTOS


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
