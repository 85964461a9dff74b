"""Makes the README's 3D try-on pictures from the bundled portrait (tests/fixtures/photos/
portrait_shoulders.jpg) and the gold bridal set: `.venv/bin/python docs/screens/make_tryon_3d.py`
(a few seconds; needs an OpenGL context).

- tryon-3d-before-after.jpg: the flat sprites the catalogue had before issue 20, as they were
  rendered then (tryon-3d-before.jpg, kept: that look is gone from the code), beside the same
  crop drawn now.
- tryon-3d-closeups.jpg: a close-up per category from the same render.

Both are `kiosk tryon`'s still path (kiosk.tryon.still.render).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.catalog.pieces import Catalog  # noqa: E402
from kiosk.tryon.still import render  # noqa: E402

HERE = ROOT / "docs/screens"
PHOTO = ROOT / "tests/fixtures/photos/portrait_shoulders.jpg"
SET = "bridal_set_gold"
CROP = (430, 186, 950, 800)          # x0, y0, x1, y1 in the photo: the "before" picture's
TITLE_H, GAP, BG = 35, 8, (17, 17, 17)
CLOSEUP_H = 384
CATEGORIES = (("earring", "earring"), ("necklace", "necklace"), ("nose_ring", "nose ring"),
              ("maang_tikka", "maang tikka"))


def titled(img: np.ndarray, title: str) -> np.ndarray:
    bar = Image.new("RGB", (img.shape[1], TITLE_H), BG)
    ImageDraw.Draw(bar).text((8, 5), title, fill=(240, 240, 240), font=ImageFont.load_default(size=22))
    return np.vstack([cv2.cvtColor(np.asarray(bar), cv2.COLOR_RGB2BGR), img])


def gap(h: int) -> np.ndarray:
    return np.full((h, GAP, 3), BG, np.uint8)


def main() -> None:
    photo = cv2.imread(str(PHOTO))
    if photo is None:
        raise SystemExit(f"cannot read {PHOTO}")
    catalog = Catalog.load()
    shot = render(photo, catalog, [SET])
    now = shot.image
    before = cv2.imread(str(HERE / "tryon-3d-before.jpg"))
    if before is None:
        raise SystemExit("cannot read docs/screens/tryon-3d-before.jpg")
    x0, y0, x1, y1 = CROP
    after = cv2.resize(now[y0:y1, x0:x1], (before.shape[1], before.shape[0] - TITLE_H),
                       interpolation=cv2.INTER_AREA)
    after = titled(after, "now: 3D, lit by the scene")
    cv2.imwrite(str(HERE / "tryon-3d-before-after.jpg"), np.hstack([before, gap(before.shape[0]), after]),
                [cv2.IMWRITE_JPEG_QUALITY, 88])

    by_category = {p.id: p.category for p in catalog.expand([SET])}
    tiles = []
    for category, label in CATEGORIES:
        rects = [d.rect for d in shot.result.drawn
                 if d.rect is not None and by_category.get(d.piece_id) == category and d.side != "image-left"]
        if not rects:
            raise SystemExit(f"no {label} drawn in 3D on {PHOTO.name} (no OpenGL context?)")
        rx, ry, rw, rh = rects[0]
        m = int(0.35 * max(rw, rh))
        crop = now[max(0, ry - m):ry + rh + m, max(0, rx - m):rx + rw + m]
        scale = CLOSEUP_H / crop.shape[0]
        how = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        size = (round(crop.shape[1] * scale), CLOSEUP_H)
        tiles.append(titled(cv2.resize(crop, size, interpolation=how), label))
    row = [tiles[0]]
    for t in tiles[1:]:
        row += [gap(t.shape[0]), t]
    cv2.imwrite(str(HERE / "tryon-3d-closeups.jpg"), np.hstack(row), [cv2.IMWRITE_JPEG_QUALITY, 88])
    print("wrote docs/screens/tryon-3d-before-after.jpg, tryon-3d-closeups.jpg")


if __name__ == "__main__":
    main()
