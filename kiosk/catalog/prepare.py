"""Turn a product photo on a plain background into a try-on sprite: RGBA, cropped, with its
hook point and real width. OpenCV only, no model downloads.

Background removal: the background colour is the median of the photo's border. Pixels close
to it in colour (CIE Lab with lightness counted half, after a 3x3 median against JPEG
ringing) that reach the photo's edge are background, and so are large enclosed ones (a hoop's
inside); small enclosed ones (a highlight on a stone) are the piece. Edge pixels are unmixed:
alpha is where a pixel sits between the background colour B and the nearest sure-piece colour
F (I = a·F + (1−a)·B) and its colour becomes F, so no white from the photo's background rims
the piece on a dark face. Measured on the bundled pieces photographed on white with a soft
shadow (JPEG q90, tests/catalog/test_prepare.py): mean brightness on black of a 3 px ring
just outside the piece 5-32, against 94-157 for a plain threshold cut-out.

Anchor guesses, which staff confirm or drag: earrings, nose rings and maang tikka hang from the
top centre of their topmost part; necklaces from the midpoint between the two chain ends (the
highest opaque point on each half).

Width: from the staff's figure, or from a coin of known diameter lying next to the piece (the
most circular separate blob), which is then removed from the sprite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image

BG_DIST = 7.0                  # colour distance (ΔE, lightness halved) still counted as background
CORE_DIST = 22.0               # from here a pixel is surely the piece, even on a thin chain
SPECK = 0.004                  # enclosed background areas below this share of the piece are filled
MARGIN = 4                     # transparent pixels kept around the crop


class PrepareError(Exception):
    pass


@dataclass(frozen=True)
class Prepared:
    rgba: Image                       # straight (not premultiplied) alpha, cropped
    anchor: tuple[int, int]
    width_mm: float | None         # measured from a coin, else None
    plain_background: bool         # False: the border was busy, the cut-out is doubtful
    origin: tuple[int, int]        # where the crop starts in the (resized) photo


def decode(data: bytes) -> Image:
    arr = np.frombuffer(data, np.uint8)
    img = cv2.imdecode(arr, cv2.IMREAD_UNCHANGED) if arr.size else None
    if img is None:
        raise PrepareError("not a readable image (JPEG, PNG or WebP expected)")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if min(img.shape[:2]) < 32:
        raise PrepareError(f"the image is only {img.shape[1]}x{img.shape[0]} pixels")
    return np.ascontiguousarray(img)


def prepare(img: Image, category: str, *, coin_mm: float | None = None, max_side: int = 800) -> Prepared:
    """`img` is BGR or BGRA. An image that already has real transparency is kept as it is."""
    scale = max_side / max(img.shape[:2])
    if scale < 1:
        img = np.asarray(cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8)
    if img.shape[2] == 4 and (img[:, :, 3] < 250).mean() > 0.05:
        rgba, plain = img.copy(), True
    else:
        rgba, plain = cut_out(img[:, :, :3])
    width_mm = None
    if coin_mm is not None:
        rgba, width_mm = _measure_with_coin(rgba, coin_mm)
    rgba, origin = _crop(rgba)
    if rgba[:, :, 3].max() < 128:
        raise PrepareError("no piece found: the photo looks like plain background")
    return Prepared(rgba, guess_anchor(rgba[:, :, 3], category), width_mm, plain, origin)


def _border(a: npt.NDArray[Any], ring: int) -> npt.NDArray[Any]:
    """The pixels of a `ring`-wide frame around the image, one per row."""
    depth = a.shape[2] if a.ndim == 3 else 1
    return np.concatenate([a[:ring].reshape(-1, depth), a[-ring:].reshape(-1, depth),
                           a[:, :ring].reshape(-1, depth), a[:, -ring:].reshape(-1, depth)])


def cut_out(bgr: Image) -> tuple[Image, bool]:
    """RGBA of the piece, and whether the photo's border was plain enough to trust it."""
    ring = max(2, min(bgr.shape[:2]) // 50)
    bg = np.median(_border(bgr, ring), axis=0).astype(np.uint8)
    # A 3x3 median first: JPEG ringing next to sharp metal edges would otherwise read as a
    # pale rim of "piece" around it.
    lab = cv2.cvtColor(cv2.medianBlur(bgr, 3), cv2.COLOR_BGR2LAB).astype(np.float32)
    bg_lab = cv2.cvtColor(bg.reshape(1, 1, 3), cv2.COLOR_BGR2LAB).astype(np.float32).reshape(3)
    # OpenCV's 8-bit Lab scales L to 0..255; bring it back to 0..100 so distances are ΔE-like.
    # Lightness counts half: a soft grey shadow is a lightness change, cream enamel a colour one.
    diff = lab - bg_lab
    diff[:, :, 0] *= 0.5 * 100 / 255
    dist = np.sqrt((diff ** 2).sum(axis=2))
    plain = float(np.percentile(_border(dist, ring), 95)) < BG_DIST
    fg = _drop_specks(_not_background(dist))
    core = (cv2.erode(fg, np.ones((3, 3), np.uint8)) | (fg & (dist >= CORE_DIST))).astype(np.uint8)
    rgba = _unmix(bgr, core, np.asarray(cv2.dilate(fg, np.ones((3, 3), np.uint8)), np.uint8), bg)
    return rgba, plain


def _drop_specks(core: Image) -> Image:
    """Dust and JPEG ringing on the background are not the piece."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    if n <= 2:
        return core
    biggest = int(stats[1:, cv2.CC_STAT_AREA].max())
    keep = np.zeros(n, np.uint8)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= max(12, biggest * 0.002)
    return np.asarray(keep[labels], np.uint8)


def _unmix(bgr: Image, core: Image, band: Image, bg: npt.NDArray[np.uint8]) -> Image:
    """Opaque core as photographed; around it, alpha is how far each pixel sits on the line
    from the background colour B to the nearest core colour F (I = a·F + (1−a)·B), and the
    colour is F: no background mixed into the edge, so no light fringe on a dark face."""
    h, w = core.shape
    if not core.any():
        return np.zeros((h, w, 4), np.uint8)
    _, labels = cv2.distanceTransformWithLabels(1 - core, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    ys, xs = np.nonzero(core)
    # Labels number the zero pixels of (1 - core), i.e. the core pixels, in scan order.
    index = np.zeros(labels.max() + 1, np.int64)
    index[1:len(ys) + 1] = ys * w + xs
    near = index[labels].reshape(h, w)
    img = bgr.astype(np.float32)
    f = img.reshape(-1, 3)[near.ravel()].reshape(h, w, 3)
    b = bg.astype(np.float32)
    fb = f - b
    a = ((img - b) * fb).sum(axis=2) / np.maximum((fb ** 2).sum(axis=2), 1.0)
    a = np.where(band > 0, np.clip(a, 0, 1), 0)
    a[core > 0] = 1
    colour = np.where(core[:, :, None] > 0, img, f)
    return np.dstack([colour, a * 255]).round().astype(np.uint8)


def _not_background(dist: npt.NDArray[np.float32]) -> Image:
    """1 for the piece: everything but the background-coloured regions that reach the photo's
    edge, and the large background-coloured holes inside it (a hoop's inside). Small
    background-coloured specks inside are highlights on stones and stay part of the piece."""
    near_bg = (dist < BG_DIST).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(near_bg, connectivity=4)
    h, w = dist.shape
    piece_area = max(1, int((near_bg == 0).sum()))
    is_bg = np.zeros(n, np.uint8)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        open_to_edge = x == 0 or y == 0 or x + bw == w or y + bh == h
        is_bg[i] = open_to_edge or area >= SPECK * piece_area
    return np.asarray(1 - is_bg[labels], np.uint8)


def _measure_with_coin(rgba: Image, coin_mm: float) -> tuple[Image, float]:
    solid = (rgba[:, :, 3] > 127).astype(np.uint8)
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    best, best_round = None, 0.0
    for c in contours:
        area, perim = cv2.contourArea(c), cv2.arcLength(c, True)
        if area < 100 or perim == 0:
            continue
        roundness = 4 * np.pi * area / perim ** 2
        if roundness > best_round:
            best, best_round = c, roundness
    if best is None or best_round < 0.8 or len(contours) < 2:
        raise PrepareError("no coin found next to the piece: lay a coin apart from it, or give --width-mm")
    (_, _), radius = cv2.minEnclosingCircle(best)
    mm_per_px = coin_mm / (2 * radius)
    out = rgba.copy()
    coin = np.zeros(solid.shape, np.uint8)
    cv2.drawContours(coin, [best], -1, (1,), thickness=-1)
    coin = np.asarray(cv2.dilate(coin, np.ones((7, 7), np.uint8)), np.uint8)
    out[coin > 0, 3] = 0
    xs = np.nonzero((out[:, :, 3] > 127).any(axis=0))[0]
    if xs.size == 0:
        raise PrepareError("only a coin was found in the photo")
    return out, round(float((xs[-1] - xs[0] + 1) * mm_per_px), 1)


def _crop(rgba: Image) -> tuple[Image, tuple[int, int]]:
    ys, xs = np.nonzero(rgba[:, :, 3] > 8)
    if ys.size == 0:
        return rgba, (0, 0)
    y0, y1 = max(0, ys.min() - MARGIN), min(rgba.shape[0], ys.max() + MARGIN + 1)
    x0, x1 = max(0, xs.min() - MARGIN), min(rgba.shape[1], xs.max() + MARGIN + 1)
    return np.ascontiguousarray(rgba[y0:y1, x0:x1]), (int(x0), int(y0))


def guess_anchor(alpha: Image, category: str) -> tuple[int, int]:
    solid = alpha > 127
    rows = np.nonzero(solid.any(axis=1))[0]
    if rows.size == 0:
        return alpha.shape[1] // 2, 0
    if category == "necklace":
        mid = alpha.shape[1] // 2
        tops = []
        for half in (solid[:, :mid], solid[:, mid:]):
            r = np.nonzero(half.any(axis=1))[0]
            tops.append(int(r[0]) if r.size else int(rows[0]))
        left_x = _top_x(solid[:, :mid], tops[0])
        right_x = mid + _top_x(solid[:, mid:], tops[1])
        return (left_x + right_x) // 2, min(tops)
    top = int(rows[0])
    band = solid[top: top + max(2, alpha.shape[0] // 30)]
    xs = np.nonzero(band.any(axis=0))[0]
    return int(round(xs.mean())), top


def _top_x(half: npt.NDArray[np.bool_], row: int) -> int:
    xs = np.nonzero(half[row])[0]
    return int(round(xs.mean())) if xs.size else half.shape[1] // 2


def on_white(rgba: Image, pad: int = 40, shadow: bool = True) -> Image:
    """A product photo of a sprite: the piece on white, as a shop would shoot it (devcloud, tests)."""
    h, w = rgba.shape[:2]
    canvas = np.full((h + 2 * pad, w + 2 * pad, 3), 255, np.float32)
    a = rgba[:, :, 3:4].astype(np.float32) / 255
    if shadow:   # a faint contact shadow, as on a light box
        blur = cv2.GaussianBlur(rgba[:, :, 3], (0, 0), 6).astype(np.float32)[:, :, None] / 255
        canvas[pad + 4: pad + 4 + h, pad + 3: pad + 3 + w] *= 1 - 0.08 * blur
    region = canvas[pad: pad + h, pad: pad + w]
    region[:] = a * rgba[:, :, :3] + (1 - a) * region
    return canvas.round().astype(np.uint8)
