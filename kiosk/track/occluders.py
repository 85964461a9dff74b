"""Depth-only stand-ins for the customer's head and neck, in camera space, from the head pose.

Three parts, merged into one `Occluder` for the renderer's depth pre-pass:

- the face: the canonical topology's triangles on the tracked landmarks (lifted to the fitted
  depths), so its outline is exactly the face's outline in the frame and the far earring goes
  behind the cheek as the head turns, wherever that happens for this face;
- the skull: a closed ellipsoid for the cranium, back of the head and ear region, which the face
  mesh (it stops at the face's oval) does not cover; it is kept inside the face surface and
  narrower than the ear lobes, so it never hides the near earring or a piece on the forehead;
- the neck: a closed cylinder from under the head to below the neck base, so the back of a
  necklace's chain is hidden behind the neck (its radius stays inside a piece's neck_radius_mm).

`ray_depths` and `hidden` answer, without a renderer, whether a point is behind the occluder:
the tests use them, and a sprite fallback can hide a far earring the same way.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.camera import Camera
from kiosk.render.occluder import Occluder
from kiosk.track.headpose import HeadPose, canonical_face
from kiosk.track.neck import NECK_PIVOT_MM, NeckBase

# The skull, head space mm (canonical axes: +Y up, +Z out of the face). Adult head length
# (glabella-opisthocranion) ~185-195 mm, breadth ~145-155 mm, vertex ~125-135 mm above the
# tragus (Farkas, Anthropometry of the Head and Face, 1994): centre and semi-axes chosen inside
# those and checked (tests/track/test_occluders.py) to stay behind every vertex of the face
# mesh and inside the ear lobe anchors, so the ellipsoid only ever adds the head behind the face.
SKULL_CENTRE_MM = (0.0, 30.0, -50.0)
SKULL_AXES_MM = (72.0, 105.0, 85.0)
# Neck: circumference ~320-380 mm (r 51-60); 50 mm stays inside a necklace's neck_radius_mm.
NECK_RADIUS_MM = 50.0
NECK_BELOW_BASE_MM = 60.0
SPHERE_RINGS, SPHERE_SEGMENTS, CYLINDER_SEGMENTS = 12, 18, 18


def _tri(faces: list[tuple[int, int, int]]) -> npt.NDArray[np.int32]:
    return np.asarray(faces, np.int32).reshape(-1, 3)


@functools.lru_cache(maxsize=1)
def _unit_sphere() -> tuple[Array, npt.NDArray[np.int32]]:
    """A closed UV sphere: poles + rings x segments."""
    verts = [(0.0, 1.0, 0.0)]
    for i in range(1, SPHERE_RINGS):
        th = math.pi * i / SPHERE_RINGS
        for j in range(SPHERE_SEGMENTS):
            ph = 2 * math.pi * j / SPHERE_SEGMENTS
            verts.append((math.sin(th) * math.sin(ph), math.cos(th), math.sin(th) * math.cos(ph)))
    verts.append((0.0, -1.0, 0.0))
    n, last = SPHERE_SEGMENTS, len(verts) - 1
    faces = []
    for j in range(n):
        faces.append((0, 1 + j, 1 + (j + 1) % n))
        base = 1 + (SPHERE_RINGS - 2) * n
        faces.append((last, base + (j + 1) % n, base + j))
    for i in range(SPHERE_RINGS - 2):
        a, b = 1 + i * n, 1 + (i + 1) * n
        for j in range(n):
            k = (j + 1) % n
            faces += [(a + j, b + j, b + k), (a + j, b + k, a + k)]
    return np.asarray(verts, np.float32), _tri(faces)


@functools.lru_cache(maxsize=1)
def _unit_cylinder() -> tuple[Array, npt.NDArray[np.int32]]:
    """A closed cylinder of radius 1 from y = 0 to y = 1 (axis +y)."""
    n = CYLINDER_SEGMENTS
    ring = [(math.sin(2 * math.pi * j / n), math.cos(2 * math.pi * j / n)) for j in range(n)]
    verts = [(x, 0.0, z) for x, z in ring] + [(x, 1.0, z) for x, z in ring]
    verts += [(0.0, 0.0, 0.0), (0.0, 1.0, 0.0)]
    top, bottom = 2 * n, 2 * n + 1
    faces = []
    for j in range(n):
        k = (j + 1) % n
        faces += [(j, n + j, n + k), (j, n + k, k), (top, k, j), (bottom, n + j, n + k)]
    return np.asarray(verts, np.float32), _tri(faces)


def face_occluder(pose: HeadPose) -> Occluder:
    return Occluder(np.ascontiguousarray(pose.landmarks, np.float32), canonical_face().faces.copy())


def skull_occluder(pose: HeadPose) -> Occluder:
    unit, faces = _unit_sphere()
    head = unit * np.asarray(SKULL_AXES_MM, np.float32) + np.asarray(SKULL_CENTRE_MM, np.float32)
    return Occluder(pose.to_camera(head), faces.copy())


def cylinder(start: npt.ArrayLike, end: npt.ArrayLike, radius_mm: float, extend_mm: float = 0.0) -> Occluder:
    """A closed round cylinder from `start` through `end` (camera mm), `extend_mm` past it."""
    top = np.asarray(start, np.float64).reshape(3)
    axis = np.asarray(end, np.float64).reshape(3) - top
    length = float(np.linalg.norm(axis)) + extend_mm
    y = axis / max(float(np.linalg.norm(axis)), 1e-6)
    # Any two directions across the axis: the cylinder is round.
    x = np.cross(y, [0.0, 0.0, 1.0])
    if np.linalg.norm(x) < 1e-6:
        x = np.cross(y, [1.0, 0.0, 0.0])
    x /= np.linalg.norm(x)
    z = np.cross(x, y)
    unit, faces = _unit_cylinder()
    pts = top + unit[:, 0:1] * radius_mm * x + unit[:, 1:2] * length * y + unit[:, 2:3] * radius_mm * z
    return Occluder(np.asarray(pts, np.float32), faces.copy())


def slab(outline: npt.ArrayLike, normal: npt.ArrayLike, half_mm: float) -> Occluder:
    """A closed slab `2 * half_mm` thick round a (near planar, convex) outline of camera-mm
    points in order: a palm between its wrist and knuckles. Cylinders along its bones leave
    gaps a piece's proud stones showed through."""
    pts = np.asarray(outline, np.float64).reshape(-1, 3)
    n = np.asarray(normal, np.float64).reshape(3)
    n = n / max(float(np.linalg.norm(n)), 1e-6) * half_mm
    k = len(pts)
    centre = pts.mean(axis=0)
    verts = np.concatenate([pts + n, pts - n, [centre + n, centre - n]])
    faces = []
    for i in range(k):
        j = (i + 1) % k
        faces += [(2 * k, i, j), (2 * k + 1, k + j, k + i), (i, k + i, k + j), (i, k + j, j)]
    return Occluder(np.asarray(verts, np.float32), np.asarray(faces, np.int32))


def neck_occluder(pose: HeadPose, neck: NeckBase, radius_mm: float = NECK_RADIUS_MM) -> Occluder:
    """From the head's neck pivot straight down through the neck base to below it."""
    return cylinder(pose.to_camera(NECK_PIVOT_MM)[0], neck.anchor.position, radius_mm * pose.scale,
                    NECK_BELOW_BASE_MM * pose.scale)


def merge(parts: list[Occluder]) -> Occluder:
    verts, faces, n = [], [], 0
    for p in parts:
        verts.append(p.vertices)
        faces.append(p.faces + n)
        n += len(p.vertices)
    return Occluder(np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.int32))


def head_occluder(pose: HeadPose, neck: NeckBase | None = None,
                  neck_radius_mm: float = NECK_RADIUS_MM) -> Occluder:
    """Face + skull, and the neck when its base is known (kiosk.track.neck.neck_base)."""
    parts = [face_occluder(pose), skull_occluder(pose)]
    if neck is not None:
        parts.append(neck_occluder(pose, neck, neck_radius_mm))
    return merge(parts)


def ray_depths(occ: Occluder, camera: Camera, pixels: npt.ArrayLike, chunk: int = 64) -> Array:
    """(N, 2) pixels -> (N,) camera z of the nearest occluder surface along each pixel's ray
    (inf where the ray misses). Moller-Trumbore, vectorised over the triangles."""
    px = np.asarray(pixels, np.float64).reshape(-1, 2)
    dirs = np.stack([(px[:, 0] - camera.cx) / camera.fx, (px[:, 1] - camera.cy) / camera.fy,
                     np.ones(len(px))], axis=1)
    v = occ.vertices.astype(np.float64)
    v0, v1, v2 = v[occ.faces[:, 0]], v[occ.faces[:, 1]], v[occ.faces[:, 2]]
    e1, e2 = v1 - v0, v2 - v0
    tvec = -v0                               # ray origin (the camera centre) minus v0
    q = np.cross(tvec, e1)
    out = np.full(len(px), np.inf)
    for start in range(0, len(px), chunk):
        d = dirs[start:start + chunk]                       # (n, 3)
        p = np.cross(d[:, None, :], e2[None, :, :])         # (n, m, 3)
        det = np.einsum("nmk,mk->nm", p, e1)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        u = np.einsum("nmk,mk->nm", p, tvec) * inv
        w = np.einsum("nk,mk->nm", d, q) * inv
        s = np.einsum("mk,mk->m", e2, q)[None, :] * inv     # distance in units of d (d.z = 1): z
        hit = ok & (u >= 0) & (w >= 0) & (u + w <= 1) & (s > 0)
        out[start:start + chunk] = np.where(hit, s, np.inf).min(axis=1)
    return np.asarray(out, np.float32)


def hidden(occ: Occluder, camera: Camera, points_cam: npt.ArrayLike,
           tolerance_mm: float = 1.0) -> npt.NDArray[np.bool_]:
    """Whether each camera-space point has occluder surface in front of it (by more than the
    tolerance, so a point lying on the surface counts as seen)."""
    p = np.asarray(points_cam, np.float64).reshape(-1, 3)
    depth = ray_depths(occ, camera, camera.project(p.astype(np.float32)))
    return np.asarray(depth < p[:, 2] - tolerance_mm, np.bool_)
