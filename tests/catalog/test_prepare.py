"""Product photo → try-on sprite: clean alpha without a white halo, sensible hook point, coin width."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.catalog.prepare import PrepareError, decode, on_white, prepare

# Fixed synthetic product photos (the catalogue's old clip-art), not the bundled catalogue,
# whose sprites are now renders of its 3D models: these tests know each fixture's cut-out,
# anchor and drawn width.
PIECES = Path(__file__).resolve().parents[1] / "fixtures" / "clipart"


def sprite(pid: str) -> tuple[np.ndarray, dict[str, object]]:
    m = json.loads((PIECES / pid / "manifest.json").read_text())
    name = m["image"]
    return cv2.imread(str(PIECES / pid / name), cv2.IMREAD_UNCHANGED), m


def shoot(rgba: np.ndarray) -> np.ndarray:
    """As staff would photograph it: on white, soft shadow, JPEG."""
    ok, jpeg = cv2.imencode(".jpg", on_white(rgba), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return decode(jpeg.tobytes())


@pytest.mark.parametrize("pid", ["jhumka_gold", "drop_pearl", "earring_diamond", "choker_gold", "nath_gold"])
def test_white_background_photo_gives_a_clean_alpha_without_halo(pid: str) -> None:
    src, m = sprite(pid)
    got = prepare(shoot(src), str(m["category"]))
    assert got.plain_background
    # Put the cut-out back where it came from in the photo (on_white pads by 40 px).
    h, w = src.shape[:2]
    back = np.zeros((h + 80, w + 80, 4), np.uint8)
    x0, y0 = got.origin
    gh, gw = got.rgba.shape[:2]
    back[y0:y0 + gh, x0:x0 + gw] = got.rgba
    back = back[40:40 + h, 40:40 + w].astype(np.float32)
    want, have = src[:, :, 3] > 127, back[:, :, 3] > 127
    assert (want & have).sum() / (want | have).sum() > 0.85            # the piece's shape
    # Halo: on a black background, the 3 px just outside the piece should stay dark. A plain
    # threshold cut-out scores 94-157 here (white rim); this one 5-32.
    ring = (cv2.dilate((src[:, :, 3] > 5).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0) & \
        (src[:, :, 3] <= 5)
    on_black = back[:, :, :3].mean(axis=2) * back[:, :, 3] / 255
    assert on_black[ring].mean() < 40


@pytest.mark.parametrize("pid", ["jhumka_gold", "drop_pearl", "maang_tikka_gold", "choker_gold"])
def test_anchor_guess_is_near_the_hook(pid: str) -> None:
    src, m = sprite(pid)
    got = prepare(shoot(src), str(m["category"]))
    ax, ay = got.anchor[0] + got.origin[0] - 40, got.anchor[1] + got.origin[1] - 40
    mx, my = (float(v) for v in m["anchor"])       # type: ignore[attr-defined]
    assert abs(ax - mx) <= 0.06 * src.shape[1] + 2 and abs(ay - my) <= 12


def test_coin_gives_the_width_and_is_removed() -> None:
    src, _ = sprite("jhumka_gold")     # its 120 px image is 24 mm: the drawn 108 px are 21.6 mm
    photo = on_white(src, pad=120, shadow=False)
    px_per_mm = src.shape[1] / 24.0
    r = int(round(25.0 / 2 * px_per_mm))           # a 25 mm coin
    centre = (photo.shape[1] - r - 8, photo.shape[0] - r - 8)
    cv2.circle(photo, centre, r, (150, 150, 160), -1, cv2.LINE_AA)
    got = prepare(photo, "earring", coin_mm=25.0)
    assert got.width_mm is not None and abs(got.width_mm - 21.6) < 1.0
    assert got.rgba.shape[1] < src.shape[1] + 20    # the coin is not part of the sprite


def test_bad_inputs_say_what_is_wrong() -> None:
    with pytest.raises(PrepareError, match="not a readable image"):
        decode(b"<html>not a photo</html>")
    blank = np.full((200, 200, 3), 255, np.uint8)
    with pytest.raises(PrepareError, match="no piece found"):
        prepare(blank, "earring")
    src, _ = sprite("jhumka_gold")
    with pytest.raises(PrepareError, match="no coin found"):
        prepare(on_white(src), "earring", coin_mm=25.0)
