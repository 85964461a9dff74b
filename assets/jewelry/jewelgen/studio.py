"""Studio renders of a piece through the kiosk's own renderer (kiosk/render): the sprite the
photo-only paths draw, the fallback sprites at several yaws, the catalogue tile.

Everything is rendered at still quality (MSAA and 2x2 supersampling) under
`Environment.studio()` exposed as kiosk.render.preview exposes its product shots, and saved
as straight-alpha RGBA PNG (the kiosk premultiplies sprites when it loads them).

Sprites and tiles are drawn through a near-orthographic lens (the camera 30 bounding radii
away: sizes on the piece vary by under 4% front to back). Sprites are at a fixed scale, so
that their pixels map to millimetres the way the 2D compositor assumes, and what the wearer's
body hides is hidden by invisible occluders: the neck behind a necklace, the ear lobe round an
earring's post or wire, the nostril round a nose pin's pin. Tiles take kiosk.render.preview's
three-quarter view, filled with what shows; a necklace's tile keeps the neck occluder (a
necklace on an invisible bust), other tiles show the whole piece, post and all, as a product
shot does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.model import Model
from kiosk.render.occluder import Occluder
from kiosk.render.preview import STUDIO_EXPOSURE, TILE_PITCH_DEG, TILE_YAW_DEG, rotation
from kiosk.render.renderer import FACING_CAMERA, DrawItem, Renderer
from kiosk.render.segments import segment_matrices

from .mesh import Arr, Mesh
from .shapes import sphere, tube

DISTANCE_RADII = 30.0  # the sprite camera's distance in bounding radii: near-orthographic
MAX_DISTANCE_MM = 4000.0  # inside the renderer's far plane (5 m) with the piece's depth
TILE_FILL = 0.9  # of the tile's side the piece spans
# The wearer, in piece space (mm): what hides part of a piece when it is worn. Ellipsoids
# (centre, semi-axes): round an ear post the lobe and, behind it, the head, as far as the
# post's end 10 mm back (the butterfly included); round a French hook's wire the lobe it
# passes through (the wire's back end still shows below it, as it does); round a nose pin's
# pin the nostril wall, as far as the screw-back's turn.
LOBES = {
    "post": ((0.0, 2.0, -5.3), (7.0, 9.0, 5.3)),
    "wire": ((0.0, 1.5, 0.0), (6.0, 8.0, 1.2)),
    "pin": ((0.0, -0.5, -3.3), (3.5, 3.5, 3.3)),
}


def studio_env() -> Environment:
    return replace(Environment.studio(), exposure=STUDIO_EXPOSURE)


@dataclass
class Shot:
    rgba: Arr  # (h, w, 4) premultiplied display sRGB, 0..1, cropped
    anchor: tuple[float, float]  # the hook's pixel in it
    px_per_mm: float


def _points(model: Model) -> Arr:
    """Every vertex of the model at rest, model space (mm)."""
    segs = segment_matrices(model)
    out = []
    for p in model.parts:
        m = segs[p.segment] if p.segment >= 0 else np.eye(4, dtype=np.float32)
        out.append(p.positions @ m[:3, :3].T + m[:3, 3])
    return np.concatenate(out)


def _occluder(mesh: Mesh, pose: Arr) -> Occluder:
    v = mesh.v @ pose[:3, :3].T + pose[:3, 3]
    return Occluder(np.asarray(v, np.float32), np.asarray(mesh.f, np.int32))


def wearer(model: Model, lobe: str | None) -> list[Mesh]:
    """The invisible body parts that hide what they would hide on the customer, piece space."""
    out = []
    if model.necklace is not None:
        # the neck: a tube along its axis from just below its base up to the head, a hair
        # inside the radius the chain rests at behind it
        axis = np.array([[0.0, -10.0, 0.0], [0.0, 200.0, 0.0]])
        out.append(tube(axis, float(model.necklace["neck_radius_mm"]) - 0.5, 48))
    if lobe is not None:
        c, ax = LOBES[lobe]
        out.append(sphere(1.0, 24, 12).scaled(*ax).moved(t=c))
    return out


def _straight(rgba: Arr) -> Arr:
    """Premultiplied float RGBA -> straight-alpha 8-bit BGRA for cv2.imwrite."""
    a = rgba[:, :, 3:4]
    rgb = np.where(a > 0, rgba[:, :, :3] / np.maximum(a, 1e-6), 0.0)
    out = np.concatenate([np.clip(rgb, 0, 1)[:, :, ::-1], a], axis=2)
    return np.asarray(np.round(out * 255), np.uint8)


def save(rgba: Arr, path: Path) -> None:
    if not cv2.imwrite(str(path), _straight(rgba), [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"cannot write {path}")


class _View:
    """A piece turned (yaw, pitch) in front of a near-orthographic camera, and where its
    vertices land (image coordinates at a focal length of 1)."""

    def __init__(self, model: Model, yaw: float, pitch: float, turn: Arr | None = None):
        lo, hi = model.bbox
        centre = (lo + hi) / 2
        radius = max(float(np.linalg.norm(hi - lo)) / 2, 0.5)
        self.dist = min(DISTANCE_RADII * radius, MAX_DISTANCE_MM)
        pose = np.eye(4, dtype=np.float32)
        pose[:3, :3] = FACING_CAMERA[:3, :3] @ rotation(yaw, pitch) @ (np.eye(3) if turn is None else turn)
        pose[:3, 3] = np.array([0.0, 0.0, self.dist], np.float32) - pose[:3, :3] @ centre
        self.pose = pose
        cam_pts = _points(model) @ pose[:3, :3].T + pose[:3, 3]
        self.uv = cam_pts[:, :2] / cam_pts[:, 2:3]
        self.lo, self.hi = self.uv.min(axis=0), self.uv.max(axis=0)
        hook = pose[:3, :3] @ (model.hook if model.hook is not None else centre) + pose[:3, 3]
        self.hook_uv = hook[:2] / hook[2]

    def camera(self, f: float, lo: Arr, size: tuple[int, int]) -> Camera:
        """Focal length f (px), image coordinate `lo` at pixel (0, 0)."""
        return Camera(f, f, -float(lo[0]) * f, -float(lo[1]) * f, int(size[0]), int(size[1]))


def _render(r: Renderer, model: Model, view: _View, cam: Camera, hidden: list[Mesh]) -> Arr:
    occ = [_occluder(m, view.pose) for m in hidden]
    layer = r.render([DrawItem(model, view.pose)], cam, studio_env(), occ, quality="still",
                     rect=(0, 0, cam.width, cam.height))
    return layer.rgba if layer is not None else np.zeros((cam.height, cam.width, 4), np.float32)


def fit(model: Model, yaws: Sequence[float], px_per_mm: float, max_px: int) -> float:
    """The scale, `px_per_mm` or less, at which the piece turned to any of `yaws` keeps its
    longer side within `max_px` (margins included): one scale for a set of sprites."""
    for yaw in yaws:
        v = _View(model, yaw, 0.0)
        span = float((v.hi - v.lo).max()) * px_per_mm * v.dist
        if span + 4 > max_px:
            px_per_mm *= (max_px - 4) / span
    return px_per_mm


def sprite(
    r: Renderer,
    model: Model,
    yaw: float,
    px_per_mm: float,
    lobe: str | None = None,
    full_width: bool = False,
) -> Shot:
    """The piece as worn, turned `yaw` degrees (kiosk.render.preview.rotation: positive turns
    its front towards the image's right), at `px_per_mm` (see `fit`). Cropped to what shows,
    with the hook's pixel always inside; `full_width` keeps the whole width of the piece (its
    width_mm, for the 2D compositor) even where a part is hidden."""
    v = _View(model, yaw, 0.0)
    f = px_per_mm * v.dist
    u0, v0 = np.floor(v.lo * f) - 2  # whole pixels, a margin of two
    u1, v1 = np.ceil(v.hi * f) + 2
    cam = v.camera(f, np.array([u0, v0]) / f, (int(u1 - u0), int(v1 - v0)))
    rgba = _render(r, model, v, cam, wearer(model, lobe))
    hx, hy = (float(c) for c in (v.hook_uv * f - np.array([u0, v0])))
    on = np.nonzero(np.round(rgba[:, :, 3] * 255) > 0)
    ys = [*on[0], math.floor(hy), math.ceil(hy) - 1]
    xs = [*on[1], math.floor(hx), math.ceil(hx) - 1]
    y0, y1 = max(min(ys), 0), min(max(ys) + 1, cam.height)
    if full_width:  # the piece's own extent, as projected: its width in mm at this scale
        x0, x1 = 2, cam.width - 2
    else:
        x0, x1 = max(min(xs), 0), min(max(xs) + 1, cam.width)
    crop = np.ascontiguousarray(rgba[y0:y1, x0:x1])
    return Shot(crop, (round(hx - x0, 1), round(hy - y0, 1)), px_per_mm)


def tile(r: Renderer, model: Model, size_px: int, turn: Arr | None = None) -> Arr:
    """The catalogue tile: the three-quarter view of kiosk.render.preview, framed on what
    shows (a necklace sits on its invisible neck, whose back it hides): a first small render
    finds that, the second fills the tile with it. `turn` (a rotation of the piece before the
    view's) stands a piece the way a product shot shows it: a ring upright on its band."""
    v = _View(model, TILE_YAW_DEG, TILE_PITCH_DEG, turn)
    hidden = wearer(model, None)
    lo, hi = v.lo, v.hi
    if hidden:
        probe = 160 / float((hi - lo).max())
        first = _render(r, model, v, v.camera(probe, lo, (162, 162)), hidden)
        ys, xs = np.nonzero(first[:, :, 3] > 0)
        if len(xs):
            lo, hi = (lo + np.array([xs.min() - 1, ys.min() - 1]) / probe,
                      lo + np.array([xs.max() + 2, ys.max() + 2]) / probe)
    f = size_px * TILE_FILL / float((hi - lo).max())
    corner = (lo + hi) / 2 - size_px / 2 / f  # the content centred
    return _render(r, model, v, v.camera(f, corner, (size_px, size_px)), hidden)
