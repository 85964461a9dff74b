"""Interim sprites for new pieces: a front view of the model, drawn deterministically.

Today's loader needs a PNG for every piece; the lead's renderer will replace these with
studio renders. This is a painter's-algorithm drawing with OpenCV (triangles far to near, 4x
supersampled), each triangle shaded from its normal against a fixed studio light: enough to
be recognisable in the old 2D try-on, not a substitute for the 3D renderer.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .gltf import Model, Node
from .materials import MATERIALS
from .mesh import Arr

SS = 4


def world(model: Model, skip_back: bool) -> list[tuple[str, Arr, Arr]]:
    """(material, triangle corners (m,3,3), face normals (m,3)) in piece space, rest pose."""
    out = []

    def visit(n: Node) -> None:
        if n.part is not None:
            r = np.eye(3) if n.rotation is None else n.rotation
            o = np.asarray(n.origin, float)
            for mat, m in n.part.merged().items():
                v = m.v @ r.T + o
                tri = v[m.f]
                nrm = (m.n @ r.T)[m.f].mean(axis=1)
                if skip_back:  # a necklace's sprite shows its front, not the neck's back
                    keep = tri[:, :, 2].mean(axis=1) > 0.0
                    tri, nrm = tri[keep], nrm[keep]
                out.append((mat, tri, nrm))
        for c in n.children:
            visit(c)

    visit(model.root)
    return out


def _env(d: Arr) -> Arr:
    """A studio: soft key light up-front-left, a fill, a dim floor (linear radiance)."""
    up = d[:, 1:2]
    c = np.where(up > -0.1, 0.25 + 0.5 * np.clip(up + 0.3, 0, 1), 0.06) * np.array([1.0, 0.97, 0.92])
    for k, w, e in (((-0.45, 0.7, 0.55), 0.035, 6.0), ((0.7, 0.25, 0.65), 0.05, 2.5)):
        kd = np.asarray(k) / np.linalg.norm(k)
        c = c + e * np.exp(-np.sum((d - kd) ** 2, axis=1, keepdims=True) / w)
    return np.asarray(c)


def _shade(mat: str, n: Arr) -> Arr:
    m = MATERIALS[mat]
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    v = np.array([0.0, 0.0, 1.0])
    ndv = np.clip(n @ v, 0.0, 1.0)[:, None]
    r = 2 * ndv * n - v
    base = np.asarray(m.base)
    fres = (1 - ndv) ** 5
    if m.kind == "metal":
        col = (base + (1 - base) * fres) * _env(r)
    elif m.kind in ("gem", "polki"):
        ior = m.extra.get("ior", 1.5)
        f0 = ((ior - 1) / (ior + 1)) ** 2
        f = f0 + (1 - f0) * fres
        inner = _env(np.stack([-r[:, 0], r[:, 1], r[:, 2]], 1))  # light bounced inside
        col = f * _env(r) + (1 - f) * inner * base * (0.6 if m.kind == "polki" else 1.0)
    else:
        col = base * _env(n) * 0.9 + (0.04 + 0.96 * fres) * _env(r) * 0.5
    col = col / (1.0 + col)  # soft tone map
    return np.where(col <= 0.0031308, 12.92 * col, 1.055 * np.power(col, 1 / 2.4) - 0.055)


def draw(model: Model, px_per_mm: float, necklace: bool) -> tuple[Arr, tuple[float, float], float]:
    """RGBA uint8, the hook's pixel (the anchor), and the drawn width in mm."""
    parts = world(model, necklace)
    allv = np.concatenate([t.reshape(-1, 3) for _, t, _ in world(model, False)])
    x0, x1 = allv[:, 0].min(), allv[:, 0].max()  # the whole piece's width, as width_mm
    drawn = np.concatenate([t.reshape(-1, 3) for _, t, _ in parts])
    y0, y1 = drawn[:, 1].min(), drawn[:, 1].max()
    w = int(round((x1 - x0) * px_per_mm))
    h = int(round((y1 - y0) * px_per_mm)) + 2
    s = w / (x1 - x0)
    colour = np.zeros((h * SS, w * SS, 3), np.uint8)
    alpha = np.zeros((h * SS, w * SS), np.uint8)
    tris, cols = [], []
    for mat, t, nrm in parts:
        front = nrm[:, 2] > -0.05
        tris.append(t[front])
        cols.append(_shade(mat, nrm[front]))
    tri = np.concatenate(tris)
    col = np.concatenate(cols)
    order = np.argsort(tri[:, :, 2].mean(axis=1), kind="stable")
    fx = ((tri[:, :, 0] - x0) * s * SS * 16).round().astype(np.int32)
    fy = ((y1 - tri[:, :, 1]) * s * SS * 16 + SS * 16).round().astype(np.int32)
    c8 = (np.clip(col, 0, 1) * 255).round().astype(np.uint8)
    for i in order:
        pts = np.stack([fx[i], fy[i]], 1)
        cv2.fillConvexPoly(colour, pts, tuple(int(x) for x in c8[i][::-1]), cv2.LINE_8, 4)
        cv2.fillConvexPoly(alpha, pts, (255,), cv2.LINE_8, 4)
    a_big = alpha.astype(np.float32) / 255
    pm = np.asarray(
        cv2.resize(colour.astype(np.float32) * a_big[..., None], (w, h), interpolation=cv2.INTER_AREA)
    )
    a = np.asarray(cv2.resize(a_big, (w, h), interpolation=cv2.INTER_AREA))
    rgb = np.where(a[..., None] > 1e-4, pm / np.maximum(a[..., None], 1e-4), 0)
    img = np.dstack([np.clip(rgb, 0, 255), a * 255]).round().astype(np.uint8)
    anchor = (round(float(-x0 * s), 1), round(float(y1 * s + 1), 1) if not necklace else 0.0)
    return img, anchor, float(x1 - x0)


def write(model: Model, path: Path, px_per_mm: float, necklace: bool) -> tuple[float, float]:
    img, anchor, _ = draw(model, px_per_mm, necklace)
    cv2.imwrite(str(path), img)
    return anchor
