"""Attire recolor: the clothing region takes a new colour in LAB, keeping its shading and texture.

Clothing = the person mask (selfie segmentation) below the chin, minus the face oval and
minus skin-coloured pixels (sampled from the customer's own
cheeks, so it works for every skin tone). In LAB the chroma (a, b) is replaced by the
target's, and lightness is shifted towards the target while every pixel keeps its
difference from the garment's mean: folds, weave and shadows stay.

The mask's edge is feathered over about a centimetre of body (a step from 0 to 1 reads as a
seam across the shoulders), and pixels much lighter than the garment's mean (a white shirt
under a dark jacket) keep their own colour: the jacket's dye on them reads as pink.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk import paths
from kiosk.capture.base import Image
from kiosk.track.base import CHIN, FACE_OVAL, FaceTrack

LIGHTNESS_FOLLOW = 0.7      # how far the garment's mean lightness moves to the target's
FEATHER_MM = 5.0            # Gaussian sigma of the mask's edge, in mm of body
CHIN_RAMP_MM = 16.0         # the weight rises from the chin line over this much, not in a step
# A plain colour fades out on pixels this much lighter than the garment's mean (L, 0..255 as
# OpenCV's LAB): none up to the first, gone at the second. Folds and highlights of one cloth
# stay within the first; a white shirt under a dark jacket does not.
WHITE_FADE = (55.0, 100.0)
CHEEKS = (50, 280, 205, 425)  # MediaPipe points on both cheeks, for the skin sample


class AttireError(Exception):
    pass


@dataclass(frozen=True)
class Attire:
    id: str
    name: str
    bgr: tuple[int, int, int] | None     # a plain colour
    pattern: Path | None = None          # or a seamless tile (BGR image) ...
    tile_mm: float = 100.0               # ... this wide on the body
    label: str = ""                      # a short name for the outfit strip

    @property
    def is_original(self) -> bool:
        return self.bgr is None and self.pattern is None


def load_attire(path: Path | None = None) -> dict[str, Attire]:
    path = path or paths.ASSETS_DIR / "attire" / "manifest.json"
    try:
        items = json.loads(path.read_text())["attire"]
    except (OSError, ValueError, KeyError) as e:
        raise AttireError(f"{path}: cannot read the attire manifest ({e})") from None
    out = {}
    for it in items:
        color = it.get("color")
        bgr = None
        if it.get("pattern"):
            tile = path.parent / str(it["pattern"])
            if cv2.imread(str(tile)) is None:
                raise AttireError(f"{path}: {it.get('id')}: pattern {tile.name} is not a readable image")
            tile_mm = float(it.get("tile_mm", 100.0))
            if not 10 <= tile_mm <= 1000:
                raise AttireError(f"{path}: {it.get('id')}: tile_mm {tile_mm} is outside 10-1000")
            out[str(it["id"])] = Attire(str(it["id"]), str(it["name"]), None, tile, tile_mm,
                                        str(it.get("label", "")))
            continue
        if color is not None:
            c = str(color).lstrip("#")
            if len(c) != 6:
                raise AttireError(f"{path}: {it.get('id')}: colour {color!r} is not #rrggbb")
            r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
            bgr = (b, g, r)
        elif not it.get("original"):
            raise AttireError(f"{path}: {it.get('id')}: needs a colour, a pattern or original: true")
        out[str(it["id"])] = Attire(str(it["id"]), str(it["name"]), bgr, label=str(it.get("label", "")))
    return out


WORK_SCALE = 0.25            # the mask is built at quarter resolution: it is smooth anyway


def clothing_mask(frame: Image, person: npt.NDArray[np.float32], face: FaceTrack) -> npt.NDArray[np.float32]:
    """0..1 clothing weight per pixel, full resolution. No sideways crop by the shoulders: the
    person mask already ends at the body's outline, and bulky garments reach past them."""
    h, w = frame.shape[:2]
    sw, sh = max(8, int(w * WORK_SCALE)), max(8, int(h * WORK_SCALE))
    f = sw / w
    small = np.asarray(cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA), np.uint8)
    pm = np.asarray(cv2.resize(person, (sw, sh), interpolation=cv2.INTER_LINEAR), np.float32)
    s = face.px_per_mm * f
    pts = face.points * f
    mask = np.clip((pm - 0.3) / 0.4, 0.0, 1.0)
    # Not the head and hair: above the chin, within a band about the face's width. Outside
    # that band the shoulders may rise above the chin line (camera height) and stay clothing.
    chin_y = float(pts[CHIN][1]) + 6 * s
    x0, x1 = float(pts[:, 0].min()), float(pts[:, 0].max())
    cx, half = (x0 + x1) / 2, (x1 - x0) / 2 * 1.5
    ys = np.arange(sh, dtype=np.float32)[:, None]
    xs = np.arange(sw, dtype=np.float32)[None, :]
    below_chin = np.clip((ys - chin_y) / (CHIN_RAMP_MM * s), 0.0, 1.0)
    beside_head = np.clip((np.abs(xs - cx) - half) / (15 * s), 0.0, 1.0)
    mask *= np.maximum(below_chin, beside_head)
    # Never the face (a bearded chin, a low face in the frame), never skin (hands, neck).
    oval = np.zeros((sh, sw), np.uint8)
    cv2.fillPoly(oval, [pts[list(FACE_OVAL)].astype(np.int32)], (255,))
    grown = np.asarray(cv2.dilate(oval, np.ones((max(3, int(4 * s)),) * 2, np.uint8)), np.float32)
    mask *= 1.0 - grown / 255.0
    mask *= 1.0 - skin_mask(small, pts, s)
    mask = np.asarray(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(1.0, FEATHER_MM * s)), np.float32)
    return np.asarray(cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)


def skin_mask(frame: Image, points: npt.NDArray[np.float32], px_per_mm: float) -> npt.NDArray[np.float32]:
    """Pixels whose colour is close to the customer's cheeks (in YCrCb chroma)."""
    ycc = cv2.cvtColor(frame, cv2.COLOR_BGR2YCrCb)
    r = max(2, int(3 * px_per_mm))
    samples = []
    for i in CHEEKS:
        x, y = (int(v) for v in points[i])
        patch = ycc[max(0, y - r):y + r, max(0, x - r):x + r].reshape(-1, 3)
        if patch.size:
            samples.append(patch)
    if not samples:
        return np.zeros(frame.shape[:2], np.float32)
    sk = np.concatenate(samples).astype(np.float32)
    mean = sk[:, 1:].mean(axis=0)
    spread = np.maximum(sk[:, 1:].std(axis=0) * 3.0, 7.0)
    d = np.abs(ycc[:, :, 1:].astype(np.float32) - mean) / spread
    dist = np.sqrt((d ** 2).sum(axis=2))
    return np.asarray(np.clip(2.0 - dist, 0.0, 1.0), np.float32)


@lru_cache(maxsize=8)
def _tile_lab(path: Path) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(path))
    if img is None:
        raise AttireError(f"pattern {path} is not a readable image")
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2LAB), np.uint8)


def _pattern_lab(attire: Attire, w: int, h: int, x0: int, y0: int, px_per_mm: float) -> npt.NDArray[np.uint8]:
    """The tile scaled to its size on the body and repeated over a w x h box at (x0, y0)."""
    assert attire.pattern is not None
    tile = _tile_lab(attire.pattern)
    side = max(4, int(round(attire.tile_mm * px_per_mm)))
    tile = np.asarray(cv2.resize(tile, (side, max(4, int(side * tile.shape[0] / tile.shape[1]))),
                                 interpolation=cv2.INTER_AREA), np.uint8)
    th, tw = tile.shape[:2]
    reps = ((y0 % th + h) // th + 2, (x0 % tw + w) // tw + 2, 1)
    big = np.tile(tile, reps)
    return np.ascontiguousarray(big[y0 % th:y0 % th + h, x0 % tw:x0 % tw + w])


def recolor(frame: Image, mask: npt.NDArray[np.float32], attire: Attire, px_per_mm: float = 4.0) -> None:
    """Recolour (or re-pattern) the masked region of ``frame`` in place."""
    ys, xs = np.nonzero(mask[::4, ::4] > 0.02)
    if ys.size == 0 or attire.is_original:
        return
    h, w = frame.shape[:2]
    y0, y1 = int(ys.min()) * 4, min(h, int(ys.max()) * 4 + 4)
    x0, x1 = int(xs.min()) * 4, min(w, int(xs.max()) * 4 + 4)
    roi = np.ascontiguousarray(frame[y0:y1, x0:x1])
    m = np.ascontiguousarray(mask[y0:y1, x0:x1])
    lab = cv2.cvtColor(roi, cv2.COLOR_BGR2LAB)
    mean_l = cv2.mean(lab[:, :, 0], mask=(m > 0.5).astype(np.uint8))[0]
    if attire.bgr is not None:
        target = cv2.cvtColor(np.array([[attire.bgr]], np.uint8), cv2.COLOR_BGR2LAB)[0, 0]
        shift = LIGHTNESS_FOLLOW * (float(target[0]) - mean_l)
        own = lab[:, :, 0].astype(np.float32)
        lo, hi = WHITE_FADE
        # A pixel far lighter than the garment is another cloth (the shirt): it keeps its own
        # colour, lightness and chroma, instead of taking the dye.
        m = m * np.clip((hi - (own - mean_l)) / (hi - lo), 0.0, 1.0)
        lightness = np.clip(own + shift, 0, 255).astype(np.uint8)
        a = np.full_like(lightness, int(target[1]))
        b = np.full_like(lightness, int(target[2]))
    else:
        pat = _pattern_lab(attire, x1 - x0, y1 - y0, x0, y0, px_per_mm)
        # The garment's own folds and shadows (its lightness around its mean) over the pattern's.
        light = lab[:, :, 0].astype(np.float32) - mean_l
        lightness = np.clip(pat[:, :, 0].astype(np.float32) + light, 0, 255).astype(np.uint8)
        a, b = pat[:, :, 1], pat[:, :, 2]
    out = cv2.cvtColor(cv2.merge([lightness, a, b]), cv2.COLOR_LAB2BGR)
    frame[y0:y1, x0:x1] = cv2.blendLinear(out, roi, m, 1.0 - m)
