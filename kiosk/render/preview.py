"""A piece on its own in studio light: the catalogue tile (three-quarter view) and the
fallback sprites (several yaw angles) for machines where no OpenGL context can be made (those
are rendered ahead of time, where one can).

Through a narrow lens (near-orthographic) and framed by the piece's bounding sphere, so every
angle of one piece has the same scale: `px_per_mm` and the hook's pixel make a sprite that the
existing sprite path can place (width_mm = sprite width / px_per_mm, anchor = hook_px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from kiosk.capture.base import Array
from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.model import Model
from kiosk.render.renderer import FACING_CAMERA, DrawItem, Renderer

TILE_YAW_DEG, TILE_PITCH_DEG = 30.0, 15.0      # the catalogue's three-quarter view
PREVIEW_HFOV_DEG = 12.0
STUDIO_EXPOSURE = 0.6
FILL = 0.92                                     # of the tile the bounding sphere spans


@dataclass
class Preview:
    rgba: Array                        # (size, size, 4) premultiplied display sRGB
    hook_px: tuple[float, float] | None   # where the hook lands (x, y), None without a hook
    px_per_mm: float                   # at the piece's centre
    pose: Array                        # model -> camera, for anything drawn with it


def rotation(yaw_deg: float, pitch_deg: float) -> Array:
    """Model-space turn: yaw > 0 swings the piece's front towards the image's right (about its
    +Y), pitch > 0 tips its front down, so the camera sees it from above (about its +X)."""
    y, p = math.radians(yaw_deg), math.radians(pitch_deg)
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    return np.asarray(rx @ ry, np.float32)


def preview_pose(model: Model, size_px: int, yaw_deg: float, pitch_deg: float,
                 hfov_deg: float = PREVIEW_HFOV_DEG) -> tuple[Camera, Array, float]:
    """The preview's camera, the pose, and the depth of the piece's centre (mm)."""
    lo, hi = model.bbox
    centre = (lo + hi) / 2
    radius = max(float(np.linalg.norm(hi - lo)) / 2, 0.5)
    cam = Camera.from_hfov(size_px, size_px, hfov_deg)
    dist = radius / math.sin(math.radians(hfov_deg) / 2 * FILL)
    pose = np.eye(4, dtype=np.float32)
    pose[:3, :3] = FACING_CAMERA[:3, :3] @ rotation(yaw_deg, pitch_deg)
    pose[:3, 3] = np.array([0.0, 0.0, dist], np.float32) - pose[:3, :3] @ centre
    return cam, pose, dist


def render_preview(renderer: Renderer, model: Model, size_px: int, yaw_deg: float = TILE_YAW_DEG,
                   pitch_deg: float = TILE_PITCH_DEG, env: Environment | None = None) -> Preview:
    """The piece alone on transparent black, supersampled ("still" quality)."""
    # Studio light at exposure 1 puts polished gold in the tone curve's shoulder (pale);
    # a product shot exposes for the metal.
    env = env or replace(Environment.studio(), exposure=STUDIO_EXPOSURE)
    cam, pose, dist = preview_pose(model, size_px, yaw_deg, pitch_deg)
    layer = renderer.render([DrawItem(model, pose)], cam, env, quality="still", rect=(0, 0, size_px, size_px))
    rgba = layer.rgba if layer is not None else np.zeros((size_px, size_px, 4), np.float32)
    hook = None
    if model.hook is not None:
        hx, hy = cam.project((pose[:3, :3] @ model.hook + pose[:3, 3])[None])[0]
        hook = (float(hx), float(hy))
    return Preview(rgba, hook, cam.fx / dist, pose)
