"""Makes docs/screens/hands-tryon.jpg, the README's rings and bangles on four hands:
`.venv/bin/python docs/screens/make_hands_tryon.py` (a few seconds; needs an OpenGL context).

Each tile is `kiosk tryon`'s still path (kiosk.tryon.still.render) on a bundled public-domain
photo, cropped round what it drew.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.catalog.pieces import Catalog  # noqa: E402
from kiosk.tryon.still import render  # noqa: E402

TILE = (480, 400)                                     # w, h
SHOTS = (("hands_on_table.jpg", "ring_polki_cocktail,kada_temple_gold"),
         ("hand_on_helmet.jpg", "ring_solitaire_diamond,bangles_gold_stack"),
         ("turned_head.jpg", "ring_navratna_gold,bracelet_diamond_tennis"),
         ("hand_raised.jpg", "ring_ruby_band,kada_gold_filigree"))


def tile(photo: str, pieces: str, catalog: Catalog) -> np.ndarray:
    img = cv2.imread(str(ROOT / "tests/fixtures/photos" / photo))
    if img is None:
        raise SystemExit(f"cannot read tests/fixtures/photos/{photo}")
    shot = render(img, catalog, pieces.split(","))
    rects = [d.rect for d in shot.result.drawn if d.rect is not None]
    if not rects:
        raise SystemExit(f"nothing drawn in 3D on {photo} (no hand found, or no OpenGL context)")
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    # The pieces with room round them, at the tile's aspect, inside the photo.
    w = max((x1 - x0) * 1.6, (y1 - y0) * 1.6 * TILE[0] / TILE[1])
    w = min(w, shot.image.shape[1], shot.image.shape[0] * TILE[0] / TILE[1])
    h = w * TILE[1] / TILE[0]
    cx = min(max((x0 + x1) / 2, w / 2), shot.image.shape[1] - w / 2)
    cy = min(max((y0 + y1) / 2, h / 2), shot.image.shape[0] - h / 2)
    crop = shot.image[int(cy - h / 2):int(cy + h / 2), int(cx - w / 2):int(cx + w / 2)]
    return np.asarray(cv2.resize(crop, TILE, interpolation=cv2.INTER_AREA), np.uint8)


def main() -> None:
    catalog = Catalog.load()
    tiles = [tile(photo, pieces, catalog) for photo, pieces in SHOTS]
    sheet = np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])])
    out = ROOT / "docs/screens/hands-tryon.jpg"
    cv2.imwrite(str(out), sheet, [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
