"""The light around the customer, as the renderer and the light estimate share it.

Directions are in camera space (kiosk/render/camera.py: x right, y down, z away from the
camera). The customer faces the camera, so +z is behind them (what the camera sees) and -z is
the store in front of them (what their jewelry mostly reflects, and the camera cannot see).

Equirectangular radiance: row 0 is straight up (-y), the last row straight down (+y); column
u = 0.5 + atan2(x, z) / 2pi, so the middle column looks along +z:

    u = 0.5 + atan2(d.x, d.z) / (2 pi)        v = acos(clamp(-d.y, -1, 1)) / pi

Diffuse light is 9 real spherical-harmonic coefficients per colour (bands 0-2, the order and
constants below), already convolved with the cosine lobe and divided by pi: the diffuse colour
of a Lambertian surface with albedo a and normal n is a * sh_eval(sh, n). GLSL implementations
must use the same basis (see `SH_C`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kiosk.capture.base import Array

# Real SH basis, bands 0..2, for a unit direction (x, y, z):
#   Y0 = C0; Y1 = C1 y; Y2 = C1 z; Y3 = C1 x; Y4 = C2 x y; Y5 = C2 y z; Y6 = C3 (3 z^2 - 1);
#   Y7 = C2 x z; Y8 = C4 (x^2 - y^2)
SH_C = (0.282095, 0.488603, 1.092548, 0.315392, 0.546274)
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)          # linear sRGB -> Y
FACE_NORMAL = np.array([[0.0, 0.0, -1.0]], np.float32)          # a surface facing the camera



def sh_basis(d: Array) -> Array:
    """(N, 3) unit directions -> (N, 9) basis values."""
    d = np.asarray(d, np.float32).reshape(-1, 3)
    x, y, z = d[:, 0], d[:, 1], d[:, 2]
    c0, c1, c2, c3, c4 = SH_C
    out = np.stack([np.full_like(x, c0), c1 * y, c1 * z, c1 * x, c2 * x * y, c2 * y * z,
                    c3 * (3 * z * z - 1), c2 * x * z, c4 * (x * x - y * y)], axis=1)
    return np.asarray(out, np.float32)


def sh_eval(sh: Array, n: Array) -> Array:
    """(9, 3) coefficients at (N, 3) normals -> (N, 3) linear RGB diffuse radiance."""
    return np.asarray(sh_basis(n) @ np.asarray(sh, np.float32), np.float32)


def equirect_uv(d: Array) -> Array:
    d = np.asarray(d, np.float32).reshape(-1, 3)
    d = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    u = 0.5 + np.arctan2(d[:, 0], d[:, 2]) / (2 * math.pi)
    v = np.arccos(np.clip(-d[:, 1], -1.0, 1.0)) / math.pi
    return np.asarray(np.stack([u, v], axis=1), np.float32)


def equirect_dirs(height: int, width: int) -> Array:
    """(H, W, 3) the direction at each texel's centre (the inverse of `equirect_uv`)."""
    v = (np.arange(height, dtype=np.float32) + 0.5) / height
    u = (np.arange(width, dtype=np.float32) + 0.5) / width
    theta = v[:, None] * math.pi                     # from up
    phi = (u[None, :] - 0.5) * 2 * math.pi          # from +z towards +x
    s = np.sin(theta)
    x, z = s * np.sin(phi), s * np.cos(phi)
    y = -np.cos(theta) * np.ones_like(phi)
    return np.asarray(np.stack([x, y, z], axis=2), np.float32)


@dataclass
class Environment:
    """Linear-light radiance around the customer; `version` changes whenever it is re-estimated
    so a renderer knows when to upload it again."""

    equirect: Array                          # (H, W, 3) float32 linear RGB, H x 2H
    sh: Array                                # (9, 3) float32, see the module doc
    exposure: float = 1.0                    # multiplies everything before tone mapping
    version: int = 0
    # What the light estimate measured, for `kiosk tryon --json` and the tests.
    stats: dict[str, float] = field(default_factory=dict)
    # The colour of the light on the customer (linear RGB, luminance 1): the map holds what the
    # camera recorded under it, so the map divided by it is the scene under white light. A photo
    # piece is graded by exposure * light alone (light.sprite_grade), not by the map.
    light: Array = field(default_factory=lambda: np.ones(3, np.float32))

    @classmethod
    def studio(cls, height: int = 32) -> Environment:
        """Neutral studio light: a bright soft key above-front, a dimmer fill, a grey floor.
        Used for catalogue tiles and when no frame has been seen yet."""
        d = equirect_dirs(height, height * 2)
        up = np.clip(-d[:, :, 1], 0, 1)
        front = np.clip(-d[:, :, 2], 0, 1)            # the side the viewer is on
        key = np.exp(-((d[:, :, 0] + 0.4) ** 2 + (d[:, :, 1] + 0.6) ** 2 + (d[:, :, 2] + 0.6) ** 2) * 4)
        rad = 0.25 + 0.6 * up + 0.35 * front + 6.0 * key
        img = np.repeat(rad[:, :, None], 3, axis=2).astype(np.float32)
        return cls(img, project_sh(img))


def project_sh(equirect: Array) -> Array:
    """Diffuse SH (cosine-convolved, / pi) of an equirectangular radiance map."""
    h, w = equirect.shape[:2]
    d = equirect_dirs(h, w).reshape(-1, 3)
    theta = (np.arange(h, dtype=np.float32) + 0.5) / h * math.pi
    solid = (np.sin(theta) * (math.pi / h) * (2 * math.pi / w))[:, None].repeat(w, axis=1).reshape(-1)
    basis = sh_basis(d)
    coeffs = (basis * solid[:, None]).T @ equirect.reshape(-1, 3).astype(np.float32)   # (9, 3)
    # Cosine-lobe convolution (Ramamoorthi & Hanrahan): A0 = pi, A1 = 2pi/3, A2 = pi/4; / pi.
    band = np.array([1.0, 2 / 3, 2 / 3, 2 / 3, 0.25, 0.25, 0.25, 0.25, 0.25], np.float32)
    return np.asarray(coeffs * band[:, None], np.float32)
