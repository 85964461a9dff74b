"""Triangle meshes in millimetres: parametric grids with smooth normals, transforms, parts.

A `Part` groups meshes by material name: each glTF node gets one primitive per material, so a
piece is drawn in a handful of draw calls however many beads and stones it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]
Vec = Sequence[float] | Arr  # a point or direction: a tuple or an array


@dataclass
class Mesh:
    v: Arr  # (n, 3) positions, mm
    n: Arr  # (n, 3) unit normals
    f: Arr  # (m, 3) vertex indices, counter-clockwise seen from the normal's side

    @property
    def triangles(self) -> int:
        return int(len(self.f))

    def moved(self, rot: Arr | None = None, t: Vec = (0.0, 0.0, 0.0), scale: float = 1.0) -> Mesh:
        r = np.eye(3) if rot is None else np.asarray(rot, float)
        return Mesh(self.v * scale @ r.T + np.asarray(t, float), self.n @ r.T, self.f.copy())

    def scaled(self, sx: float, sy: float, sz: float) -> Mesh:
        s = np.array([sx, sy, sz], float)
        n = self.n / s  # normals take the inverse-transpose
        return Mesh(self.v * s, n / np.linalg.norm(n, axis=1, keepdims=True), self.f.copy())

    def mirrored_x(self) -> Mesh:
        """The mirror image across x=0 (winding reversed so it stays outward-facing)."""
        s = np.array([-1.0, 1.0, 1.0])
        return Mesh(self.v * s, self.n * s, self.f[:, ::-1].copy())


def concat(meshes: Iterable[Mesh]) -> Mesh:
    ms = [m for m in meshes if m.triangles]
    if not ms:
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3), np.int64))
    offs = np.cumsum([0] + [len(m.v) for m in ms[:-1]])
    return Mesh(
        np.concatenate([m.v for m in ms]),
        np.concatenate([m.n for m in ms]),
        np.concatenate([m.f + o for m, o in zip(ms, offs, strict=True)]),
    )


def _unit(a: Arr) -> tuple[Arr, Arr]:
    ln = np.linalg.norm(a, axis=-1, keepdims=True)
    return a / np.maximum(ln, 1e-12), ln[..., 0]


def grid(p: Arr, wrap_u: bool = False, wrap_v: bool = False, flip: bool = False) -> Mesh:
    """A surface from a (nu, nv, 3) grid of points; normal = dP/du x dP/dv (flip reverses).

    Repeated rows (a profile point given twice) make a crease: the derivatives on each side
    are one-sided there. Rows that collapse to a point (a lathe's pole) take the average normal
    of the next row, which is the axis by symmetry.
    """
    nu, nv = p.shape[:2]

    def diff(axis: int, wrap: bool) -> Arr:
        if wrap:
            return np.asarray(np.roll(p, -1, axis) - np.roll(p, 1, axis))
        return np.asarray(np.gradient(p, axis=axis))  # central inside, one-sided at the ends

    n, ln = _unit(np.cross(diff(0, wrap_u), diff(1, wrap_v)))
    if flip:
        n = -n
    bad = ln < 1e-9 * max(1.0, float(np.abs(p).max()))
    for i in np.unique(np.nonzero(bad)[0]):
        j = i + 1 if i + 1 < nu else i - 1
        avg, la = _unit(n[j].mean(axis=0))
        if la < 1e-6:
            # The next row's normals cancel out (a coarse ball's pole next to its equator):
            # the fan of triangles round the pole gives the axis, facing the same way.
            ring = p[j]
            along = np.roll(ring, -1, 0) - np.roll(ring, 1, 0) if wrap_v else np.gradient(ring, axis=0)
            fan = np.cross((ring - p[i]) * (1.0 if j > i else -1.0), along).sum(axis=0)
            avg, _ = _unit(-fan if flip else fan)
        n[i][bad[i]] = avg
    iu = np.arange(nu if wrap_u else nu - 1)
    iv = np.arange(nv if wrap_v else nv - 1)
    i, j = np.meshgrid(iu, iv, indexing="ij")
    a = i * nv + j
    b = ((i + 1) % nu) * nv + j
    c = ((i + 1) % nu) * nv + (j + 1) % nv
    d = i * nv + (j + 1) % nv
    f = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])
    if flip:
        f = f[:, ::-1]
    v = p.reshape(-1, 3)
    area = np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)
    return Mesh(v.copy(), n.reshape(-1, 3), f[area > 1e-10])


def flat(v: Arr, f: Arr) -> Mesh:
    """Faceted: every triangle gets its own three vertices and its own normal (cut stones)."""
    tri = v[f]  # (m, 3, 3)
    n, _ = _unit(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]))
    return Mesh(tri.reshape(-1, 3), np.repeat(n, 3, axis=0), np.arange(len(f) * 3).reshape(-1, 3))


# ---- rotations ---------------------------------------------------------------------------


def rot_x(deg: float) -> Arr:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_z(deg: float) -> Arr:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def frame(normal: Vec, up: Vec = (0.0, 1.0, 0.0)) -> Arr:
    """Rotation taking local +Z to `normal` and local +Y as close to `up` as it can."""
    z, _ = _unit(np.asarray(normal, float))
    u = np.asarray(up, float)
    x, ln = _unit(np.cross(u, z))
    if ln < 1e-9:
        x, _ = _unit(np.cross((0.0, 0.0, 1.0) if abs(z[2]) < 0.9 else (1.0, 0.0, 0.0), z))
    return np.stack([x, np.cross(z, x), z], axis=1)


# ---- parts ---------------------------------------------------------------------------------


class Part:
    """Meshes grouped by material name (insertion order kept: the file order is stable)."""

    def __init__(self) -> None:
        self.by_mat: dict[str, list[Mesh]] = {}

    def add(self, material: str, *meshes: Mesh) -> Part:
        self.by_mat.setdefault(material, []).extend(meshes)
        return self

    def extend(self, other: Part) -> Part:
        for mat, ms in other.by_mat.items():
            self.add(mat, *ms)
        return self

    def moved(self, rot: Arr | None = None, t: Vec = (0.0, 0.0, 0.0), scale: float = 1.0) -> Part:
        out = Part()
        for mat, ms in self.by_mat.items():
            out.add(mat, *(m.moved(rot, t, scale) for m in ms))
        return out

    def mirrored_x(self) -> Part:
        out = Part()
        for mat, ms in self.by_mat.items():
            out.add(mat, *(m.mirrored_x() for m in ms))
        return out

    def merged(self) -> dict[str, Mesh]:
        return {mat: concat(ms) for mat, ms in self.by_mat.items() if any(m.triangles for m in ms)}

    @property
    def triangles(self) -> int:
        return sum(m.triangles for ms in self.by_mat.values() for m in ms)

    def points(self) -> Arr:
        vs = [m.v for ms in self.by_mat.values() for m in ms if len(m.v)]
        return np.concatenate(vs) if vs else np.zeros((0, 3))
