"""The lamp that lights the customer's face, which the camera cannot see.

The face is lit, often brightly, by lights in front of the customer (a store's ceiling lights
and spots, a studio's softbox), and those are what a polished piece facing the camera mirrors:
without them the front of a gold jhumka reflected only the dim guess of the room that the
camera frame gives (kiosk/render/light.py), in a dark studio nearly black. The environment
gets one lamp in front, above eye level, on the side the face is lit from; how much of the
light it gives is light.py's (KEY_SHARE_RANGE).

Its side comes from the face itself: a Lambertian cheek turned ~35 deg towards a lamp at
azimuth phi is brighter than the other by (R - L) / (R + L) = tan(phi) tan(35 deg); the fill
light dilutes the difference, so the turn read is if anything too small. Its height is not
read (the forehead and chin differ in albedo and shape more than the light makes them): ceiling
lights, so a fixed elevation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array, Image
from kiosk.render.environment import FACE_NORMAL, LUMA, equirect_dirs, project_sh, sh_eval

LEFT_CHEEK, RIGHT_CHEEK = 50, 280          # MediaPipe face mesh; which is which by x below
CHEEK_TURN = math.tan(math.radians(35.0))
MAX_AZIMUTH_DEG = 50.0
ELEVATION_DEG = 40.0                        # above the customer's eye line
SPREAD = 0.05                               # the lobe's width: 1 - cos of ~18 deg (light.KEY_ROOM)
# Turned further, the far cheek's landmark nears the face's edge and its patch sees the hair or
# the backdrop, no longer a cheek lit by the lamp: the cheeks' say fades out by then.
CHEEKS_UP_TO_YAW_DEG = (25.0, 40.0)
STEP_DEG = 5.0                              # azimuths kept to this step (cached lobes)


def azimuth_deg(frame: Image, cheeks: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]],
                radius: int, to_linear: Array, yaw_deg: float = 0.0) -> float:
    """The lamp's side from the two cheeks' linear luminance (positive: from the image's right,
    so the image-right cheek is the brighter); 0 where a cheek is off the frame. `yaw_deg`: the
    head's turn (positive: the nose towards the image's right), which turns the cheeks with it."""
    h, w = frame.shape[:2]
    lum = []
    for c in sorted(cheeks, key=lambda p: float(p[0])):
        x, y = int(c[0]), int(c[1])
        patch = frame[max(0, y - radius):min(h, y + radius), max(0, x - radius):min(w, x + radius)]
        if patch.size < 12:
            return 0.0
        b, g, r = (float(to_linear[int(v)]) for v in np.median(patch.reshape(-1, 3), axis=0))
        lum.append(float(np.array([r, g, b], np.float32) @ LUMA))
    left, right = lum
    if left + right < 1e-4:
        return 0.0
    lo, hi = CHEEKS_UP_TO_YAW_DEG
    say = float(np.clip((hi - abs(yaw_deg)) / (hi - lo), 0.0, 1.0))
    phi = yaw_deg + say * math.degrees(math.atan((right - left) / (right + left) / CHEEK_TURN))
    return float(np.clip(phi, -MAX_AZIMUTH_DEG, MAX_AZIMUTH_DEG))


@lru_cache(maxsize=32)
def _lobe(height: int, step: int) -> tuple[Array, Array]:
    phi, el = math.radians(step * STEP_DEG), math.radians(ELEVATION_DEG)
    # Camera space: x right, y down, z away from the camera; the lamp is on the camera's side.
    d = np.array([math.cos(el) * math.sin(phi), -math.sin(el), -math.cos(el) * math.cos(phi)], np.float32)
    cos = equirect_dirs(height, height * 2) @ d
    lobe = np.exp((cos - 1.0) / SPREAD).astype(np.float32)
    sh = project_sh(np.repeat(lobe[:, :, None], 3, axis=2))[:, 0]
    return lobe, np.asarray(sh, np.float32)


def add(equirect: Array, sh: Array, azimuth: float, colour: Array, share: float) -> tuple[Array, Array]:
    """The map (H, 2H, 3) and its diffuse SH (9, 3) with the lamp added in `colour`, so that it
    gives `share` of the light on a surface facing the camera."""
    lamp, lamp_sh = _lobe(equirect.shape[0], int(round(azimuth / STEP_DEG)))
    lamp_facing = float(sh_eval(np.repeat(lamp_sh[:, None], 3, axis=1), FACE_NORMAL)[0, 0])
    rest = max(float(sh_eval(sh, FACE_NORMAL)[0] @ LUMA), 0.0)   # band-2 SH can dip below 0
    k = share / (1.0 - share) * rest / max(lamp_facing, 1e-6)
    return (np.asarray(equirect + (k * lamp)[:, :, None] * colour[None, None, :], np.float32),
            np.asarray(sh + k * lamp_sh[:, None] * colour[None, :], np.float32))
