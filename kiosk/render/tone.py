"""The renderer's tone curve in numpy: what shaders/common.glsl does after shading, and back.

display = srgb_encode(aces(exposure * radiance)). The light estimate can use
`linear_from_display` on the frame's pixels: a white diffuse surface lit by that radiance then
renders at the frame's own brightness, which is what keeps a piece's lightness moving with the
skin's when the store gets darker or warmer.
"""

from __future__ import annotations

import numpy as np

from kiosk.capture.base import Array

_A, _B, _C, _D, _E = 2.51, 0.03, 2.43, 0.59, 0.14     # Narkowicz's ACES fit


def aces(x: Array) -> Array:
    x = np.maximum(np.asarray(x, np.float32), 0.0)
    return np.asarray(np.clip(x * (_A * x + _B) / (x * (_C * x + _D) + _E), 0.0, 1.0), np.float32)


def aces_inverse(y: Array) -> Array:
    """The radiance that `aces` maps to y (0 <= y < ~1; 1 maps to a large finite value)."""
    y = np.clip(np.asarray(y, np.float64), 0.0, 0.9999)
    # y (C x^2 + D x + E) = A x^2 + B x  ->  (C y - A) x^2 + (D y - B) x + E y = 0
    a, b, c = _C * y - _A, _D * y - _B, _E * y
    disc = np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))
    return np.asarray((-b - disc) / (2 * a), np.float32)


def srgb_encode(c: Array) -> Array:
    c = np.clip(np.asarray(c, np.float32), 0.0, 1.0)
    return np.asarray(np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055), np.float32)


def srgb_decode(c: Array) -> Array:
    c = np.asarray(c, np.float32)
    return np.asarray(np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4), np.float32)


def display_from_linear(radiance: Array, exposure: float = 1.0) -> Array:
    return srgb_encode(aces(np.asarray(radiance, np.float32) * exposure))


def linear_from_display(display: Array, exposure: float = 1.0) -> Array:
    return np.asarray(aces_inverse(srgb_decode(display)) / max(exposure, 1e-6), np.float32)
