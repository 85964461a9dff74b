"""`kiosk assets add` / `check`: a product photo becomes a wearable piece at the right size."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk import cli, paths
from kiosk.catalog import cache
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.engine import TryOn
from tests.helpers.photos import photo, product_photo


@pytest.mark.slow
def test_add_makes_a_piece_the_app_lists_and_wears_at_the_given_width(
        tmp_path: Path, make_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    cfg = make_config()
    args = ["--config", str(cfg), "assets", "add", str(product_photo(tmp_path)), "--category", "earring",
            "--name", "Temple Jhumka XL", "--price", "41000", "--width-mm", "21.6"]
    assert cli.main(args) == 0
    assert "added abharana_temple_jhumka_xl" in capsys.readouterr().out
    catalog = cache.load(tmp_path / "data")
    piece = catalog.get("abharana_temple_jhumka_xl")
    assert piece in catalog.listed() and piece.price == 41000.0
    manifest = json.loads((piece.folder / "manifest.json").read_text())
    assert manifest["source"] == "staff"
    # The bundled sprite is 24 mm for its 120 px image, 108 px of which are drawn: the same
    # real piece, cut out of the photo, must come out at the same scale (within 5 %).
    alpha = piece.sprite()[:, :, 3]
    drawn = np.nonzero((alpha > 0.5).any(axis=0))[0]
    mm_per_px = piece.width_mm / alpha.shape[1]
    assert abs((drawn[-1] - drawn[0] + 1) * mm_per_px - 21.6) < 21.6 * 0.05
    tracker = MediaPipeTracker(static=True)
    try:
        frame = photo("obama_portrait.jpg")
        result = TryOn(catalog, tracker, [piece.id], None).process(frame, t=None)
    finally:
        tracker.close()
    worn = [pl for pl in result.placements if pl.piece_id == piece.id and not pl.hidden]
    assert worn, [pl.as_json() for pl in result.placements]
    # Same id again: a second piece, not an overwrite.
    assert cli.main(args) == 0
    assert "added abharana_temple_jhumka_xl_2" in capsys.readouterr().out


def test_add_refuses_bad_input_plainly(tmp_path: Path, make_config: Callable[..., Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(make_config())
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not a jpeg at all")
    assert cli.main(["--config", cfg, "assets", "add", str(junk), "--category", "earring", "--name", "X",
                     "--width-mm", "20"]) == 2
    assert "not a readable image" in capsys.readouterr().err
    good = str(product_photo(tmp_path))
    assert cli.main(["--config", cfg, "assets", "add", good, "--category", "anklet", "--name", "X",
                     "--width-mm", "20"]) == 2
    assert "one of earring, necklace" in capsys.readouterr().err
    assert cli.main(["--config", cfg, "assets", "add", good, "--category", "earring", "--name", "X"]) == 2
    assert "--width-mm" in capsys.readouterr().err
    assert cli.main(["--config", cfg, "assets", "add", good, "--category", "earring", "--name", "X",
                     "--width-mm", "300"]) == 2
    assert "outside 4-80 mm" in capsys.readouterr().err


def test_check_names_the_broken_manifest(tmp_path: Path, make_config: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(make_config())
    assert cli.main(["--config", cfg, "assets", "add", str(product_photo(tmp_path)), "--category",
                     "earring", "--name", "Bad Hook", "--width-mm", "20"]) == 0
    folder = tmp_path / "data" / cache.PIECES_DIR / "abharana_bad_hook"
    m = json.loads((folder / "manifest.json").read_text())
    m["anchor"] = [5000, 0]
    (folder / "manifest.json").write_text(json.dumps(m))
    capsys.readouterr()
    assert cli.main(["--config", cfg, "assets", "check"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM abharana_bad_hook" in out and "outside" in out and "1 with problems" in out
    # The app leaves the damaged piece out and loads the rest.
    assert "abharana_bad_hook" not in cache.load(tmp_path / "data").pieces


@pytest.mark.slow
def test_add_takes_a_glb_checks_it_and_the_app_wears_it_in_3d(
        tmp_path: Path, make_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    cfg = make_config()
    model = paths.ASSETS_DIR / "jewelry" / "chandbali_polki" / "model.glb"
    base = ["--config", str(cfg), "assets", "add", str(model), "--name", "Staff Chandbali"]
    assert cli.main(base + ["--category", "necklace"]) == 2
    assert "outside 60-400 mm for a necklace" in capsys.readouterr().err
    assert cli.main(base + ["--category", "earring", "--width-mm", "60"]) == 2
    assert "measured in metres" in capsys.readouterr().err
    assert cli.main(base + ["--category", "earring", "--price", "52000"]) == 0
    assert "3D model" in capsys.readouterr().out
    catalog = cache.load(tmp_path / "data")
    piece = catalog.get("abharana_staff_chandbali")
    assert piece.model is not None and piece.model.read_bytes() == model.read_bytes()
    h, w = piece.sprite().shape[:2]
    assert 0 <= piece.anchor[0] <= w and 0 <= piece.anchor[1] <= h < 1024
    tracker = MediaPipeTracker(static=True)
    engine = TryOn(catalog, tracker, [piece.id], None, still=True)
    try:
        result = engine.process(photo("obama_portrait.jpg"), t=None)
    finally:
        tracker.close()
        engine.scene.close()
    assert [(d.piece_id, d.how) for d in result.drawn] == [(piece.id, "3d")] * 2
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"glTF" + bytes(40))
    assert cli.main(["--config", str(cfg), "assets", "add", str(broken), "--category", "earring",
                     "--name", "Broken"]) == 2
    err = capsys.readouterr().err
    assert "kiosk assets: " in err and "not a readable glTF binary" in err and "Traceback" not in err


def test_add_with_preview_writes_the_piece_worn_on_the_sample_face(
        tmp_path: Path, make_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(make_config())
    out = tmp_path / "previews" / "p.jpg"
    assert cli.main(["--config", cfg, "assets", "add", str(product_photo(tmp_path)), "--category", "earring",
                     "--name", "Seen", "--width-mm", "22", "--preview", str(out)]) == 0
    said = capsys.readouterr().out
    assert "added abharana_seen: Seen (earring, 22 mm, hook at" in said and f"preview: {out}" in said
    img = cv2.imread(str(out))
    assert img is not None and min(img.shape[:2]) >= 240
