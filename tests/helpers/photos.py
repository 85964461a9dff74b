"""Product photos as a jeweller would shoot them, for `kiosk assets add` and the asset screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk import paths
from kiosk.catalog.prepare import on_white


def product_photo(tmp_path: Path) -> Path:
    src = cv2.imread(str(paths.ASSETS_DIR / "jewelry" / "jhumka_gold" / "piece.png"), cv2.IMREAD_UNCHANGED)
    big = cv2.resize(src, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)     # a 360 px wide shot
    out = tmp_path / "jhumka.jpg"
    cv2.imwrite(str(out), on_white(big, pad=150), [cv2.IMWRITE_JPEG_QUALITY, 88])
    return out


PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"


def photo(name: str) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(PHOTOS / name))
    assert img is not None, name
    return np.ascontiguousarray(img)
