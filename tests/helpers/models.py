"""The bundled 3D pieces as files: their folders, manifests, the generator, and a .glb read
with pygltflib (not the generator's own code), for the model and sprite tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pygltflib

from kiosk import paths

ROOT = paths.ASSETS_DIR / "jewelry"
SCRIPT = ROOT / "make_models.py"
MODELS = sorted(p.parent.name for p in ROOT.glob("*/model.glb"))


def manifest(pid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / pid / "manifest.json").read_text())
    return data


class Piece:
    """A .glb read with pygltflib: nodes in piece space at rest, in millimetres."""

    def __init__(self, path: Path):
        self.g = pygltflib.GLTF2().load(str(path))
        self.blob = self.g.binary_blob()
        self.world: dict[int, np.ndarray] = {}  # node -> 4x4 in piece space (metres)
        self.parent: dict[int, int] = {}
        for root in self.g.scenes[self.g.scene].nodes:
            self._walk(root, np.eye(4))

    def _walk(self, i: int, up: np.ndarray) -> None:
        n = self.g.nodes[i]
        m = np.eye(4)
        if n.rotation is not None:
            x, y, z, w = n.rotation
            m[:3, :3] = [
                [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
            ]
        if n.translation is not None:
            m[:3, 3] = n.translation
        self.world[i] = up @ m
        for c in n.children or []:
            self.parent[c] = i
            self._walk(c, self.world[i])

    def accessor(self, k: int) -> np.ndarray:
        a = self.g.accessors[k]
        v = self.g.bufferViews[a.bufferView]
        dt = {5126: np.float32, 5123: np.uint16, 5125: np.uint32}[a.componentType]
        width = {"VEC3": 3, "SCALAR": 1}[a.type]
        arr = np.frombuffer(self.blob, dt, a.count * width, v.byteOffset + (a.byteOffset or 0))
        return arr.reshape(a.count, width) if width > 1 else arr

    def named(self, name: str) -> int:
        return next(i for i, n in enumerate(self.g.nodes) if n.name == name)

    def subtree(self, i: int) -> set[int]:
        out = {i}
        for c in self.g.nodes[i].children or []:
            out |= self.subtree(c)
        return out

    def local_mesh(self, i: int) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """(material, positions, normals, triangles) of node i in its own space, metres."""
        n = self.g.nodes[i]
        if n.mesh is None:
            return []
        out = []
        for p in self.g.meshes[n.mesh].primitives:
            pos = self.accessor(p.attributes.POSITION).astype(np.float64)
            nrm = self.accessor(p.attributes.NORMAL).astype(np.float64)
            out.append((p.material, pos, nrm, self.accessor(p.indices).reshape(-1, 3)))
        return out

    def points_mm(self, skip: set[int] | None = None) -> np.ndarray:
        pts = []
        for i in self.world:
            if skip and i in skip:
                continue
            for _, pos, _, _ in self.local_mesh(i):
                pts.append((pos @ self.world[i][:3, :3].T + self.world[i][:3, 3]) * 1000)
        return np.concatenate(pts)

    def centre_mm(self, nodes: set[int]) -> tuple[np.ndarray, float]:
        """Area-weighted centre of the nodes' surfaces (a thin shell's centre of mass), in
        piece space, and the half-size of their extent in X-Z."""
        acc, area, pts = np.zeros(3), 0.0, []
        for i in nodes:
            w = self.world[i]
            for _, pos, _, tri in self.local_mesh(i):
                p = (pos @ w[:3, :3].T + w[:3, 3]) * 1000
                t = p[tri]
                a = np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1) / 2
                acc += (t.mean(axis=1) * a[:, None]).sum(axis=0)
                area += float(a.sum())
                pts.append(p)
        allp = np.concatenate(pts)
        half = float(max(np.ptp(allp[:, 0]), np.ptp(allp[:, 2]))) / 2
        return acc / area, half

    def triangles(self) -> int:
        return sum(len(f) for i in self.world for _, _, _, f in self.local_mesh(i))
