"""A ring and a bangle built in the tests (the bundled catalogue's come from the generator):
the hand models' conventions (assets/jewelry/make_models.py), band round +Y, setting on +Z."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from kiosk.render import synthetic as s

GOLD = (1.0, 0.71, 0.29, 1.0)
_ROT_X = np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]], np.float64)   # torus XY plane -> XZ plane


def _sprite(path: Path, w: int, h: int) -> None:
    img = np.zeros((h, w, 4), np.uint8)
    cv2.ellipse(img, (w // 2, h // 2), (w // 2 - 2, h // 2 - 2), 0, 0, 360, (40, 170, 230, 255), 6)
    cv2.imwrite(str(path), img)


def hand_catalog(root: Path) -> Path:
    """assets-like folder with `test_ring` (size 14: 17.3 mm inside) and `test_bangle` (2.4)."""
    for pid, category, inner, minor, gem in (("test_ring", "ring", 17.3, 1.1, True),
                                             ("test_bangle", "bangle", 57.2, 2.5, False)):
        folder = root / pid
        folder.mkdir(parents=True)
        b = s.GlbBuilder()
        gold = b.material("22k gold", GOLD, 1.0, 0.25, {"kind": "metal"})
        major = (inner / 2 + minor) / 1000
        band = s.transformed(s.torus(major, minor / 1000, 48, 12), _ROT_X)
        rootn = b.node(pid, b.mesh(band, gold))
        b.node("hook", parent=rootn)
        if gem:
            ruby = b.material("ruby", (0.7, 0.03, 0.06, 1.0), 0.0, 0.02, {"kind": "gem", "ior": 1.76})
            b.node("gem", b.mesh(s.brilliant(0.003), ruby), parent=rootn,
                   translation=(0, 0, major + minor / 1000))
        b.save(folder / "model.glb", scene_extras={"inner_diameter_mm": inner, "band_width_mm": 2 * minor})
        outer = inner + 4 * minor
        _sprite(folder / "piece.png", 120, 120)
        (folder / "manifest.json").write_text(json.dumps({
            "id": pid, "name": pid.replace("_", " "), "category": category, "price": 1000.0,
            "width_mm": round(outer, 1), "anchor": [60, 60], "jeweler_id": "test",
            "image": "piece.png", "model": "model.glb"}))
    return root
