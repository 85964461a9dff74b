"""A coin drawn into a photo: a struck metal disc (raised rim, relief, light from the upper
left), anti-aliased, softened like a lens and noised like a sensor; optionally part of its rim
hidden under a fingertip."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

STEEL_BGR = (168.0, 172.0, 176.0)
BRASS_BGR = (70.0, 150.0, 190.0)
SS = 4                                        # drawn at 4x, then averaged down


def draw_coin(img: npt.NDArray[np.uint8], centre: tuple[float, float], radius_px: float,
              metal: tuple[float, float, float] = STEEL_BGR, seed: int = 0,
              thumb_deg: float | None = None) -> None:
    """In place. `thumb_deg`: a fingertip over the rim at that angle (image degrees, 0 = right)."""
    rng = np.random.default_rng(seed)
    pad = 4
    half = int(np.ceil(radius_px)) + pad
    x0, y0 = int(np.floor(centre[0])) - half, int(np.floor(centre[1])) - half
    n = 2 * half
    yy, xx = (np.mgrid[0:n * SS, 0:n * SS] + 0.5) / SS
    dx, dy = xx - (centre[0] - x0), yy - (centre[1] - y0)
    rho = np.hypot(dx, dy) / radius_px
    shade = 0.9 - 0.18 * (dx + dy) / (radius_px * np.sqrt(2))
    noise = rng.normal(0, 1, (n * SS, n * SS)).astype(np.float32)
    relief = cv2.GaussianBlur(noise, (0, 0), SS * radius_px / 12)
    relief *= 0.12 / (float(np.abs(relief).max()) or 1.0)
    rim = np.where(rho > 0.86, 1.12, 1.0 + relief * (rho < 0.8))          # raised rim, relief inside
    k = rim * np.where(np.abs(rho - 0.84) < 0.015, 0.7, 1.0)               # the groove inside the rim
    colour = np.clip(np.array(metal, np.float32)[None, None, :] * (shade * k)[:, :, None], 0, 255)
    alpha = (rho <= 1.0).astype(np.float32)
    if thumb_deg is not None:
        a = np.radians(thumb_deg)
        tx, ty = np.cos(a) * radius_px * 1.05, np.sin(a) * radius_px * 1.05
        thumb = ((dx - tx) ** 2 + (dy - ty) ** 2) < (0.55 * radius_px) ** 2
        colour[thumb] = (110.0, 140.0, 190.0)       # skin
        alpha[thumb] = 1.0
    small_c = cv2.resize(colour * alpha[:, :, None], (n, n), interpolation=cv2.INTER_AREA)
    small_a = cv2.resize(alpha, (n, n), interpolation=cv2.INTER_AREA)[:, :, None]
    h, w = img.shape[:2]
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + n), min(h, y0 + n)
    roi = img[sy0:sy1, sx0:sx1].astype(np.float32)
    c = small_c[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
    a = small_a[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
    out = cv2.GaussianBlur(roi * (1 - a) + c, (0, 0), 0.7) + rng.normal(0, 2.0, roi.shape)
    img[sy0:sy1, sx0:sx1] = np.clip(out, 0, 255).astype(np.uint8)
