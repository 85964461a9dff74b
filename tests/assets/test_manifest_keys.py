"""The manifest keys a 3D piece's renders add (kiosk/catalog/pieces.py): model_live, tile and
yaw_sprites are read and checked (files there, RGBA, anchors inside, distinct yaws), each fault
one plain line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import AssetError, Catalog


def _png(path: Path, w: int, h: int, alpha: bool = True) -> None:
    img = np.zeros((h, w, 4 if alpha else 3), np.uint8)
    img[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 200
    assert cv2.imwrite(str(path), img)


def _piece(root: Path, **changes: Any) -> Path:
    folder = root / "stud"
    folder.mkdir(parents=True, exist_ok=True)
    _png(folder / "piece.png", 40, 40)
    _png(folder / "tile.png", 32, 32)
    for name in ("yaw_m20.png", "yaw_0.png", "yaw_20.png"):
        _png(folder / name, 20, 24)
    for name in ("model.glb", "model_live.glb"):
        (folder / name).write_bytes(b"glTF")  # the catalogue checks they are there, not their contents
    m: dict[str, Any] = {
        "id": "stud", "name": "Stud", "category": "earring", "style": "stud", "price": 1.0,
        "width_mm": 9.0, "anchor": [20, 20], "jeweler_id": "j", "image": "piece.png",
        "model": "model.glb", "model_live": "model_live.glb", "tile": "tile.png",
        "yaw_sprites": [{"yaw": y, "image": f, "anchor": [10, 5], "px_per_mm": 2.0}
                        for y, f in ((20, "yaw_20.png"), (-20, "yaw_m20.png"), (0, "yaw_0.png"))],
    }
    for key, value in changes.items():
        if value is None:
            m.pop(key, None)
        else:
            m[key] = value
    (folder / "manifest.json").write_text(json.dumps(m))
    return folder


def test_a_rendered_piece_loads_with_its_live_model_tile_and_yaw_sprites(tmp_path: Path) -> None:
    folder = _piece(tmp_path)
    p = Catalog.load(tmp_path).get("stud")
    assert p.model_live == folder / "model_live.glb" and p.tile == folder / "tile.png"
    assert [v.yaw for v in p.yaw_sprites] == [-20.0, 0.0, 20.0]  # sorted by yaw
    v = p.yaw_sprite(14.0)
    assert v is not None and v.yaw == 20.0 and v.anchor == (10.0, 5.0) and v.px_per_mm == 2.0
    assert v.sprite().shape == (24, 20, 4)
    assert p.yaw_sprite(-90.0) is not None and p.yaw_sprite(-90.0).yaw == -20.0  # type: ignore[union-attr]


def test_the_keys_stay_optional(tmp_path: Path) -> None:
    _piece(tmp_path, model_live=None, tile=None, yaw_sprites=None)
    p = Catalog.load(tmp_path).get("stud")
    assert p.model_live is None and p.tile is None and p.yaw_sprites == () and p.yaw_sprite(0.0) is None


def _bad_yaw(**item: Any) -> list[dict[str, Any]]:
    good = {"yaw": 0, "image": "yaw_0.png", "anchor": [10, 5], "px_per_mm": 2.0}
    return [{**good, **item}]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"model_live": "gone.glb"}, "the live model gone.glb is missing"),
        ({"model": None}, "a live model needs its model"),
        ({"tile": "gone.png"}, "the tile gone.png is missing"),
        ({"tile": "manifest.json"}, "not a PNG image"),
        ({"yaw_sprites": _bad_yaw(image="gone.png")}, "the yaw sprite gone.png is missing"),
        ({"yaw_sprites": _bad_yaw(anchor=[21, 5])}, "anchor (21, 5) is outside the 20x24 image"),
        ({"yaw_sprites": _bad_yaw(anchor=[3])}, "each yaw sprite needs a yaw, an image, an anchor"),
        ({"yaw_sprites": _bad_yaw(yaw=120)}, "yaw 120 (-90 to 90)"),
        ({"yaw_sprites": _bad_yaw(px_per_mm=0)}, "px_per_mm 0 (> 0)"),
        ({"yaw_sprites": _bad_yaw() * 2}, "two yaw sprites have the same yaw"),
        ({"yaw_sprites": {"yaw": 0}}, "yaw_sprites must be a list"),
    ],
)
def test_a_bad_key_is_one_clear_line(tmp_path: Path, changes: dict[str, Any], says: str) -> None:
    _piece(tmp_path, **changes)
    with pytest.raises(AssetError) as e:
        Catalog.load(tmp_path)
    assert says in str(e.value) and "\n" not in str(e.value) and "stud" in str(e.value)


def test_a_yaw_sprite_without_alpha_is_refused(tmp_path: Path) -> None:
    folder = _piece(tmp_path)
    _png(folder / "yaw_0.png", 20, 24, alpha=False)
    with pytest.raises(AssetError, match="needs an alpha channel"):
        Catalog.load(tmp_path)
