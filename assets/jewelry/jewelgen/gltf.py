"""A small, deterministic glTF 2.0 binary (.glb) writer for our piece conventions.

Written here rather than through trimesh's exporter because the conventions need extras on
nodes (swing pivots), on materials (kind, ior, dispersion) and on the scene (neck radius), and
because the files are committed: the same input must give the same bytes. So: insertion-ordered
JSON with rounded floats, positions rounded to 0.1 micron before float32, normals to 1e-4,
no timestamps, every buffer view 4-byte aligned.

Node layout of every piece: the root (named after the piece, identity transform) holds the rigid
geometry and has children `hook` (no mesh: the attachment point) and the swinging parts. Each
swing node's translation is its pivot (so the pivot in its extras is the same point in the parent's
space) and its mesh is relative to that pivot; swing nodes may nest.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .materials import MATERIALS
from .mesh import Arr, Part

MM = 1e-3  # the files are in metres, as glTF says


@dataclass
class Node:
    name: str
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)  # piece space, mm
    part: Part | None = None  # relative to origin, mm
    children: list[Node] = field(default_factory=list)
    damping: float | None = None  # set: a swinging part
    extras: dict[str, Any] = field(default_factory=dict)
    rotation: Arr | None = None  # 3x3, about origin (rest pose)
    hinge: Arr | None = None  # 2nd point of a pinned swing's axis, mm

    def walk(self) -> list[Node]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def swing(
    name: str,
    pivot: Arr | tuple[float, float, float],
    part: Part,
    damping: float,
    children: list[Node] | None = None,
    hinge: Arr | None = None,
    **extras: Any,
) -> Node:
    """A swinging node from geometry built in piece space: re-expressed about its pivot.
    hinge: for a part pinned at both ends (a nath's chain), the other end in piece space; the
    swing's extras then carry it (in the parent's space, metres, like the pivot): the part turns
    only about the line from the pivot to it."""
    p = tuple(float(x) for x in np.asarray(pivot, float))
    return Node(
        name if name.startswith("swing") else f"swing_{name}",
        (p[0], p[1], p[2]),
        part.moved(t=-np.asarray(p)),
        children or [],
        damping,
        dict(extras),
        hinge=None if hinge is None else np.asarray(hinge, float),
    )


def instance(
    name: str,
    origin: Arr | tuple[float, float, float],
    shared: Part,
    damping: float | None = None,
    children: list[Node] | None = None,
    rotation: Arr | None = None,
) -> Node:
    """A node drawing a mesh shared with other nodes (one pearl drop among twenty), turned by
    `rotation` about its origin (its rest pose, e.g. lying on the chest)."""
    o = tuple(float(x) for x in np.asarray(origin, float))
    return Node(name, (o[0], o[1], o[2]), shared, children or [], damping, rotation=rotation)


def quaternion(rot: Arr) -> list[float]:
    """glTF's (x, y, z, w) from a rotation matrix."""
    m = np.asarray(rot, float)
    w = np.sqrt(max(0.0, 1.0 + m[0, 0] + m[1, 1] + m[2, 2])) / 2
    x = np.sqrt(max(0.0, 1.0 + m[0, 0] - m[1, 1] - m[2, 2])) / 2
    y = np.sqrt(max(0.0, 1.0 - m[0, 0] + m[1, 1] - m[2, 2])) / 2
    z = np.sqrt(max(0.0, 1.0 - m[0, 0] - m[1, 1] + m[2, 2])) / 2
    x = np.copysign(x, m[2, 1] - m[1, 2])
    y = np.copysign(y, m[0, 2] - m[2, 0])
    z = np.copysign(z, m[1, 0] - m[0, 1])
    q = np.array([x, y, z, w])
    return [_r(v, 6) for v in q / np.linalg.norm(q)]


@dataclass
class Model:
    id: str
    root: Node
    scene_extras: dict[str, Any] = field(default_factory=dict)

    def nodes(self) -> list[Node]:
        return self.root.walk()

    def triangles(self) -> int:
        return sum(n.part.triangles for n in self.nodes() if n.part is not None)

    def points(self, skip: tuple[str, ...] = ()) -> Arr:
        """Every vertex in piece space (mm), optionally without some nodes and their subtrees."""
        out: list[Arr] = []

        def visit(n: Node, off: Arr) -> None:
            if n.name in skip:
                return
            o = np.asarray(n.origin, float)
            if n.part is not None and n.part.triangles:
                r = np.eye(3) if n.rotation is None else n.rotation
                out.append(n.part.points() @ r.T + o)
            for c in n.children:
                visit(c, o)

        visit(self.root, np.zeros(3))
        return np.concatenate(out)


def _r(x: float, nd: int = 6) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


class _Bin:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.views: list[dict[str, Any]] = []
        self.accessors: list[dict[str, Any]] = []

    def add(self, data: bytes, target: int) -> int:
        pad = (-self.size) % 4
        if pad:
            self.chunks.append(b"\0" * pad)
            self.size += pad
        self.views.append({"buffer": 0, "byteOffset": self.size, "byteLength": len(data), "target": target})
        self.chunks.append(data)
        self.size += len(data)
        return len(self.views) - 1

    def accessor(self, arr: Arr, kind: str, ctype: int, target: int, bounds: bool = False) -> int:
        acc: dict[str, Any] = {
            "bufferView": self.add(arr.tobytes(), target),
            "componentType": ctype,
            "count": int(arr.shape[0]),
            "type": kind,
        }
        if bounds:
            acc["min"] = [float(x) for x in arr.min(axis=0)]
            acc["max"] = [float(x) for x in arr.max(axis=0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1


def to_glb(model: Model, copyright_: str) -> bytes:
    binr = _Bin()
    mat_index: dict[str, int] = {}
    materials: list[dict[str, Any]] = []
    meshes: list[dict[str, Any]] = []
    mesh_of: dict[int, int] = {}
    nodes: list[dict[str, Any]] = []

    def material(name: str) -> int:
        if name not in mat_index:
            mat_index[name] = len(materials)
            materials.append(MATERIALS[name].gltf())
        return mat_index[name]

    def mesh(part: Part, name: str) -> int:
        if id(part) in mesh_of:
            return mesh_of[id(part)]
        prims = []
        for mat, m in part.merged().items():
            pos = (np.round(m.v, 4) * MM).astype(np.float32)
            nrm = np.round(m.n, 4).astype(np.float32)
            big = len(m.v) > 65535
            idx = m.f.astype(np.uint32 if big else np.uint16).reshape(-1)
            prims.append(
                {
                    "attributes": {
                        "POSITION": binr.accessor(pos, "VEC3", 5126, 34962, True),
                        "NORMAL": binr.accessor(nrm, "VEC3", 5126, 34962),
                    },
                    "indices": binr.accessor(idx, "SCALAR", 5125 if big else 5123, 34963),
                    "material": material(mat),
                    "mode": 4,
                }
            )
        meshes.append({"name": name, "primitives": prims})
        mesh_of[id(part)] = len(meshes) - 1
        return mesh_of[id(part)]

    def emit(n: Node, parent_origin: Arr) -> int:
        i = len(nodes)
        nodes.append({})
        t = (np.asarray(n.origin, float) - parent_origin) * MM
        d: dict[str, Any] = {"name": n.name}
        if n.name == "hook" or n.damping is not None or np.any(np.abs(t) > 1e-12):
            d["translation"] = [_r(x, 7) for x in t]
        if n.rotation is not None:
            # child origins are kept in piece space, which only holds if nothing hangs below
            assert not n.children, f"{n.name}: a rotated node must be a leaf"
            d["rotation"] = quaternion(n.rotation)
        if n.part is not None and n.part.triangles:
            d["mesh"] = mesh(n.part, n.name)
        kids = [emit(c, np.asarray(n.origin, float)) for c in n.children]
        if kids:
            d["children"] = kids
        extras = dict(n.extras)
        if n.damping is not None:
            sw: dict[str, Any] = {"pivot": [_r(x, 7) for x in t], "damping": _r(n.damping, 3)}
            if n.hinge is not None:
                sw["hinge"] = [_r(x, 7) for x in (n.hinge - parent_origin) * MM]
            extras = {"swing": sw, **extras}
        if extras:
            d["extras"] = extras
        nodes[i] = d
        return i

    emit(model.root, np.zeros(3))
    doc: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": "assets/jewelry/make_models.py", "copyright": copyright_},
        "scene": 0,
        "scenes": [
            {"name": model.id, "nodes": [0], **({"extras": model.scene_extras} if model.scene_extras else {})}
        ],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
        "accessors": binr.accessors,
        "bufferViews": binr.views,
        "buffers": [{"byteLength": 0}],
    }
    blob = b"".join(binr.chunks)
    blob += b"\0" * ((-len(blob)) % 4)
    doc["buffers"][0]["byteLength"] = len(blob)
    js = json.dumps(doc, separators=(",", ":"), ensure_ascii=True).encode()
    js += b" " * ((-len(js)) % 4)
    total = 12 + 8 + len(js) + 8 + len(blob)
    return (
        struct.pack("<III", 0x46546C67, 2, total)
        + struct.pack("<II", len(js), 0x4E4F534A)
        + js
        + struct.pack("<II", len(blob), 0x004E4942)
        + blob
    )
