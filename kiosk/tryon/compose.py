"""Drawing a placed piece onto a frame: resize, rotate about its hook, shadow, occlude, blend.

Everything happens in premultiplied float on the piece's bounding box only, so the cost is
proportional to the piece's size, not the frame's. The soft contact shadow is the piece's own
alpha, blurred and dropped a millimetre or so down-right, darkening the skin beneath: without it
pieces look pasted on.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image, Mask
from kiosk.catalog.pieces import Piece, Sprite
from kiosk.render.light import SpriteGrade, grade_bgr, grade_layer
from kiosk.track.base import FACE_OVAL, FaceTrack
from kiosk.track.hands import overlap
from kiosk.tryon.handcover import HandCover
from kiosk.tryon.placement import Placement

SHADOW_STRENGTH = 0.35
SHADOW_OFFSET_MM = (0.5, 1.2)
SHADOW_BLUR_MM = 0.8

_cache: OrderedDict[tuple[str, str, int], tuple[Sprite, float, npt.NDArray[np.float32]]] = OrderedDict()


def _scaled(piece: Piece, side: str, width_px: float,
            px_per_mm: float = 1.0) -> tuple[Sprite, float, npt.NDArray[np.float32]]:
    """The sprite resized to a whole-pixel width (area filter when shrinking) and its blurred
    alpha for the shadow (a Gaussian commutes with rotation, so it is blurred once), cached."""
    w = max(2, int(round(width_px)))
    key = (piece.id, side, w)
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    src = piece.sprite(side)
    f = w / src.shape[1]
    h = max(2, int(round(src.shape[0] * f)))
    interp = cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC
    out = np.clip(np.asarray(cv2.resize(src, (w, h), interpolation=interp), np.float32), 0.0, 1.0)
    # Keep premultiplied colour at or below alpha after filtering (no glowing edges).
    out[:, :, :3] = np.minimum(out[:, :, :3], out[:, :, 3:4])
    sigma = SHADOW_BLUR_MM * px_per_mm
    k = max(3, int(sigma * 3) | 1)
    pad = k
    alpha = cv2.copyMakeBorder(out[:, :, 3], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0,))
    shadow = np.asarray(cv2.GaussianBlur(alpha, (k, k), sigma), np.float32)
    hit = (out, f, shadow)
    _cache[key] = hit
    while len(_cache) > 256:
        _cache.popitem(last=False)
    return hit


def face_mask(face: FaceTrack, x0: int, y0: int, w: int, h: int,
              feather_px: float) -> npt.NDArray[np.float32]:
    """The face oval (jaw and chin) as a soft 0..1 mask over the box (x0, y0, w, h)."""
    poly = (face.points[list(FACE_OVAL)] - np.array([x0, y0], dtype=np.float32)) * 4
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [poly.astype(np.int32)], (255,), cv2.LINE_AA, 2)
    k = max(1, int(feather_px)) | 1
    return np.asarray(cv2.GaussianBlur(m, (k, k), 0), np.float32) / 255.0


CHAIN_BGR = (48, 168, 214)      # polished yellow gold
CHAIN_MM = 0.7                  # chain thickness
CHAIN_SAG = 0.12                # sag of the chain as a fraction of its span


def draw_chain(dst: Image, a: tuple[float, float], b: tuple[float, float], px_per_mm: float,
               grade: SpriteGrade | None = None) -> None:
    """A fine chain hanging between two points (a parabola close to its catenary), with shadow."""
    p0, p1 = np.array(a, np.float32), np.array(b, np.float32)
    span = float(np.hypot(*(p1 - p0)))
    if span < 2:
        return
    t = np.linspace(0.0, 1.0, 48, dtype=np.float32)[:, None]
    pts = p0 + (p1 - p0) * t
    pts[:, 1] += (4 * CHAIN_SAG * span) * (t[:, 0] * (1 - t[:, 0]))      # gravity pulls it down
    thick = max(1, int(round(CHAIN_MM * px_per_mm)))
    off = np.array(SHADOW_OFFSET_MM, np.float32) * px_per_mm
    shadow = np.round((pts + off) * 4).astype(np.int32)
    line = np.round(pts * 4).astype(np.int32)
    overlay = dst.copy()
    cv2.polylines(overlay, [shadow], False, (0, 0, 0), thick, cv2.LINE_AA, 2)
    cv2.addWeighted(overlay, SHADOW_STRENGTH * 0.6, dst, 1 - SHADOW_STRENGTH * 0.6, 0, dst)
    colour = CHAIN_BGR if grade is None else grade_bgr(CHAIN_BGR, grade)
    cv2.polylines(dst, [line], False, colour, thick, cv2.LINE_AA, 2)


def draw(dst: Image, piece: Piece, pl: Placement, face: FaceTrack | None = None,
         grade: SpriteGrade | None = None, cover: HandCover | None = None) -> None:
    """`grade`: the scene light (kiosk/render/light.py), so a photo piece darkens, warms and
    cools with the store like the skin beside it. `cover`: what is in front of the piece (a
    hand, kiosk/tryon/handcover.py), over the whole frame."""
    if pl.hidden or pl.opacity <= 0.0:
        return
    if pl.chain is not None:
        draw_chain(dst, pl.chain[0], pl.chain[1], pl.px_per_mm, grade)
    sprite, f, shadow_src = _scaled(piece, pl.sprite_side, pl.width_px, pl.px_per_mm)
    ax, ay = piece.anchor[0] * f, piece.anchor[1] * f
    sh, sw = sprite.shape[:2]
    rot = cv2.getRotationMatrix2D((ax, ay), -pl.angle_deg, 1.0)
    corners = np.array([[0, 0, 1], [sw, 0, 1], [0, sh, 1], [sw, sh, 1]], np.float32) @ np.asarray(rot).T
    corners += np.array(pl.anchor, np.float32) - np.array([ax, ay], np.float32)
    s = pl.px_per_mm
    pad = int(math.ceil(s * (SHADOW_BLUR_MM * 3 + max(SHADOW_OFFSET_MM)))) + 2
    H, W = dst.shape[:2]
    x0 = max(0, int(math.floor(corners[:, 0].min())) - pad)
    y0 = max(0, int(math.floor(corners[:, 1].min())) - pad)
    x1 = min(W, int(math.ceil(corners[:, 0].max())) + pad)
    y1 = min(H, int(math.ceil(corners[:, 1].max())) + pad)
    if x1 <= x0 or y1 <= y0:
        return
    m = np.array(rot, dtype=np.float64)
    m[:, 2] += np.array(pl.anchor) - np.array([ax, ay]) - np.array([x0, y0])
    layer = np.asarray(cv2.warpAffine(sprite, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                      borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0)), np.float32)
    if grade is not None:
        grade_layer(layer, grade)
    # Contact shadow: the piece's blurred alpha, placed like the piece but shifted down-right.
    pad_s = (shadow_src.shape[1] - sw) // 2
    ms = m.copy()
    ms[:, 2] += np.array(SHADOW_OFFSET_MM) * s - ms[:, :2] @ np.array([pad_s, pad_s])
    shadow = np.asarray(cv2.warpAffine(shadow_src, ms, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR),
                        np.float32)
    keep = np.float32(pl.opacity)                      # fading pieces fade with their shadow
    if pl.occlude_face and face is not None and overlap(face.box, (x0, y0, x1, y1)):
        # The chin and jaw are in front of the top of a necklace.
        visible = 1.0 - face_mask(face, x0, y0, x1 - x0, y1 - y0, 1.5 * s)
        layer *= cv2.merge([visible] * 4)
    if cover is not None:
        _uncover(layer, shadow, cover.crop(x0, y0, x1, y1))
    if keep < 1.0:
        layer *= keep
        shadow *= keep
    # out = piece + background * (1 - shadow) * (1 - alpha), in OpenCV's vectorised arithmetic.
    rgb, alpha = layer[:, :, :3], layer[:, :, 3]
    through = cv2.multiply(1.0 - SHADOW_STRENGTH * shadow, 1.0 - alpha)
    roi = dst[y0:y1, x0:x1].astype(np.float32)
    out = cv2.scaleAdd(rgb, 255.0, cv2.multiply(roi, cv2.merge([through] * 3)))
    dst[y0:y1, x0:x1] = cv2.convertScaleAbs(out)   # rounds and saturates to uint8


def _uncover(layer: npt.NDArray[np.float32], shadow: npt.NDArray[np.float32] | None, cover: Mask) -> None:
    """Hides the (premultiplied) layer and its shadow where something is in front of them."""
    visible = 1.0 - cover
    layer *= visible[:, :, None]
    if shadow is not None:
        shadow *= visible


def composite_layer(dst: Image, rgba: npt.NDArray[np.float32], x0: int, y0: int, px_per_mm: float,
                    cover: HandCover | None = None) -> None:
    """A rendered 3D piece (premultiplied display-sRGB RGBA at (x0, y0), RGB order) over the
    frame, with the same soft contact shadow as a sprite: its coverage blurred and dropped a
    millimetre or so down-right. `cover` as for `draw`."""
    h, w = rgba.shape[:2]
    s = px_per_mm
    pad = int(math.ceil(s * (SHADOW_BLUR_MM * 3 + max(SHADOW_OFFSET_MM)))) + 2
    H, W = dst.shape[:2]
    bx0, by0 = max(0, x0 - pad), max(0, y0 - pad)
    bx1, by1 = min(W, x0 + w + pad), min(H, y0 + h + pad)
    if bx1 <= bx0 or by1 <= by0:
        return
    layer = np.zeros((by1 - by0, bx1 - bx0, 4), np.float32)
    lx0, ly0 = x0 - bx0, y0 - by0
    sx0, sy0 = max(0, -lx0), max(0, -ly0)
    sx1, sy1 = min(w, layer.shape[1] - lx0), min(h, layer.shape[0] - ly0)
    if sx1 <= sx0 or sy1 <= sy0:
        return
    layer[ly0 + sy0:ly0 + sy1, lx0 + sx0:lx0 + sx1] = rgba[sy0:sy1, sx0:sx1, [2, 1, 0, 3]]
    hidden = cover.crop(bx0, by0, bx1, by1) if cover is not None else None
    if hidden is not None:
        _uncover(layer, None, hidden)
    alpha = layer[:, :, 3]
    sigma = SHADOW_BLUR_MM * s
    k = max(3, int(sigma * 3) | 1)
    shift = np.array([[1, 0, SHADOW_OFFSET_MM[0] * s], [0, 1, SHADOW_OFFSET_MM[1] * s]], np.float32)
    shadow = np.asarray(cv2.GaussianBlur(cv2.warpAffine(alpha, shift, (alpha.shape[1], alpha.shape[0])),
                                         (k, k), sigma), np.float32)
    if hidden is not None:
        shadow *= 1.0 - hidden                    # what is in front takes no shadow from behind
    through = cv2.multiply(1.0 - SHADOW_STRENGTH * shadow, 1.0 - alpha)
    roi = dst[by0:by1, bx0:bx1].astype(np.float32)
    rgb = np.ascontiguousarray(layer[:, :, :3])
    out = cv2.scaleAdd(rgb, 255.0, cv2.multiply(roi, cv2.merge([through] * 3)))
    dst[by0:by1, bx0:bx1] = cv2.convertScaleAbs(out)
