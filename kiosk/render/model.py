"""A jewelry piece as the renderer draws it: a .glb read into millimetres, grouped for drawing.

Conventions (issue 20): glTF units are metres, +Y up, +Z out of the piece's front, +X to its own
left-to-right seen from the front. `hook` is an empty node where the piece hangs from. A node
whose name starts with `swing` and whose extras are {"swing": {"pivot": [x, y, z], "damping": d}}
rotates with its children about the pivot (metres, in the node's parent space); swings nest.
A node whose name starts with `slide` and whose extras are {"slide": {"axis": [x, y, z],
"travel": [back, forward]}} moves along the axis (its parent's space) by up to `travel` metres
each way from where it rests: bangles of a stack sliding along the arm.
A necklace's scene extras carry {"necklace": {"neck_radius_mm": r}}.

The geometry is grouped into *parts*, one per (segment, material): a segment is the piece's rigid
body (-1) or one swinging node with its rigid descendants. Each part's vertices are stored in its
segment's frame, so a frame costs one draw per part whatever the node count, and a swing only
changes that segment's matrix (kiosk/render/segments.py). A slide is a segment too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.gltf import Gltf, ModelError, node_matrix, vertex_normals

__all__ = ["DEFAULT_MATERIAL", "KINDS", "TRIANGLE_BUDGET", "Material", "Model", "ModelError", "Node", "Part",
           "Swing", "load_model"]

TO_MM = 1000.0
TRIANGLE_BUDGET = 60_000         # what llvmpipe draws in a few ms at kiosk sizes, per piece
KINDS = ("metal", "gem", "pearl", "enamel", "polki", "dielectric")
Mat4 = Array
Chunk = tuple[Array, Array, Array | None, npt.NDArray[np.uint32]]     # positions, normals, uvs, faces


@dataclass(frozen=True)
class Material:
    name: str
    kind: str                                   # one of KINDS
    base_color: tuple[float, float, float, float]   # linear RGBA
    metallic: float
    roughness: float
    emissive: tuple[float, float, float] = (0.0, 0.0, 0.0)
    ior: float = 1.5
    dispersion: float = 0.0
    texture: int | None = None                  # index into Model.textures (base colour)
    double_sided: bool = False
    alpha_cutoff: float | None = None           # alphaMode MASK


DEFAULT_MATERIAL = Material("(none)", "dielectric", (1.0, 1.0, 1.0, 1.0), 1.0, 1.0)


@dataclass(frozen=True)
class Node:
    name: str
    parent: int                                  # -1 for a root of the scene
    local: Mat4                                  # rest transform in the parent's space, mm
    mesh: int | None


@dataclass(frozen=True)
class Swing:
    name: str
    node: int
    parent: int              # the enclosing swing (index into Model.swings), -1 for the rigid body
    pivot: Array             # (3,) mm, in the node's parent space
    damping: float
    offset: Mat4             # rest transform from the enclosing segment's frame to the node's parent
    local: Mat4              # the node's own local transform
    # A slide instead of a swing (a bangle of a stack moving along the arm): its unit axis in
    # the node's parent space and how far it may go each way from rest (mm).
    axis: Array | None = None
    travel: tuple[float, float] = (0.0, 0.0)

    @property
    def slides(self) -> bool:
        return self.axis is not None


@dataclass
class Part:
    positions: Array                             # (n, 3) mm in the segment's frame
    normals: Array                               # (n, 3)
    uvs: Array | None                            # (n, 2) or None
    indices: npt.NDArray[np.uint32]              # (m, 3)
    material: int
    segment: int                                 # -1 rigid body, else index into Model.swings
    lo: Array = field(init=False)                # bbox in the segment's frame
    hi: Array = field(init=False)

    def __post_init__(self) -> None:
        self.lo, self.hi = self.positions.min(axis=0), self.positions.max(axis=0)


@dataclass
class Model:
    path: Path | None
    nodes: list[Node]
    parts: list[Part]
    materials: list[Material]
    swings: list[Swing]
    textures: list[Array]                        # (h, w, 4) linear RGBA
    hook: Array | None                           # (3,) mm in model space, None without a hook
    necklace: dict[str, float] | None            # the scene's necklace extras
    bbox: tuple[Array, Array]                    # (lo, hi) mm, at rest
    triangles: int
    problems: list[str] = field(default_factory=list)    # found while loading (catalog.model3d checks)
    # A ring's or bangle's scene extras: {"inner_diameter_mm": d, "band_width_mm": w}, the
    # size the model is authored at (the kiosk scales it to the customer's finger or hand).
    hand: dict[str, float] | None = None

    @property
    def size_mm(self) -> Array:
        return np.asarray(self.bbox[1] - self.bbox[0], np.float32)


def _kind(name: str, extras: Any, metallic: float, problems: list[str]) -> tuple[str, float, float]:
    kind = str(extras.get("kind", "")) if isinstance(extras, dict) else ""
    if kind and kind not in KINDS[:-1]:
        problems.append(f"material {name!r}: kind {kind!r} is not one of {', '.join(KINDS[:-1])}")
        kind = ""
    if not kind:
        kind = "metal" if metallic >= 0.5 else "dielectric"
    ior, disp = 1.5, 0.0
    if kind == "gem":
        try:
            ior = float(extras.get("ior", 1.76))
            disp = float(extras.get("dispersion", 0.018))
        except (TypeError, ValueError):
            problems.append(f"material {name!r}: gem ior/dispersion are not numbers")
            ior, disp = 1.76, 0.018
        if not 1.3 <= ior <= 2.7:
            problems.append(f"material {name!r}: gem ior {ior:g} is not 1.3-2.7 (diamond is 2.42)")
            ior = min(max(ior, 1.3), 2.7)
        if not 0.0 <= disp <= 0.2:
            problems.append(f"material {name!r}: gem dispersion {disp:g} is not 0-0.2 (diamond is 0.044)")
            disp = min(max(disp, 0.0), 0.2)
    return kind, ior, disp


def _material(g: Gltf, index: int, textures: dict[int, int], images: list[Array],
              problems: list[str]) -> Material:
    m = g.doc.materials[index]
    name = str(m.name or f"material {index}")
    ext = m.extensions or {}
    if "KHR_materials_pbrSpecularGlossiness" in ext:
        problems.append(f"material {name!r} is specular-glossiness, not metallic-roughness PBR")
    if "KHR_materials_unlit" in ext:
        problems.append(f"material {name!r} is unlit, so it would not take the store's light")
    pbr = m.pbrMetallicRoughness
    if pbr is None:
        problems.append(f"material {name!r} has no metallic-roughness values (not PBR)")
    base = tuple(float(v) for v in (pbr.baseColorFactor if pbr and pbr.baseColorFactor else (1, 1, 1, 1)))
    metallic = float(pbr.metallicFactor if pbr and pbr.metallicFactor is not None else 1.0)
    rough = float(pbr.roughnessFactor if pbr and pbr.roughnessFactor is not None else 1.0)
    kind, ior, disp = _kind(name, m.extras, metallic, problems)
    tex: int | None = None
    info = pbr.baseColorTexture if pbr else None
    if info is not None and info.index is not None:
        if info.index not in textures:
            img = g.image(info.index)
            if img is None:
                problems.append(f"material {name!r}: its base colour texture cannot be decoded")
            else:
                textures[info.index] = len(images)
                images.append(img)
        tex = textures.get(info.index)
        if (info.texCoord or 0) != 0:
            problems.append(f"material {name!r}: only the first UV set (TEXCOORD_0) is used")
    if str(m.alphaMode or "OPAQUE") == "BLEND":
        problems.append(f"material {name!r} uses alpha blending; the kiosk draws it opaque "
                        "(use a gem kind for stones, MASK for cut-outs)")
    cutoff = float(m.alphaCutoff if m.alphaCutoff is not None else 0.5) if m.alphaMode == "MASK" else None
    emissive = tuple(float(v) for v in (m.emissiveFactor or (0, 0, 0)))
    return Material(name, kind, (base[0], base[1], base[2], base[3]), min(max(metallic, 0.0), 1.0),
                    min(max(rough, 0.0), 1.0), (emissive[0], emissive[1], emissive[2]), ior, disp, tex,
                    bool(m.doubleSided), cutoff)


def _swing_extras(node: Any, name: str, problems: list[str]) -> tuple[Array, float] | None:
    extras = node.extras if isinstance(node.extras, dict) else {}
    swing = extras.get("swing")
    named = name.lower().startswith("swing")
    if swing is None:
        if named:
            problems.append(f"node {name!r} is named swing* but has no swing extras "
                            '({"swing": {"pivot": [x, y, z], "damping": 0-1}}): kept rigid')
        return None
    if not named:
        problems.append(f"node {name!r} has swing extras but its name does not start with 'swing': "
                        "kept rigid")
        return None
    try:
        pivot = np.asarray([float(v) for v in swing["pivot"]], np.float32) * TO_MM
        damping = float(swing.get("damping", 0.3))
    except (TypeError, ValueError, KeyError):
        problems.append(f"node {name!r}: swing extras need a pivot [x, y, z] in metres and a damping: "
                        "kept rigid")
        return None
    if pivot.shape != (3,) or not np.all(np.isfinite(pivot)):
        problems.append(f"node {name!r}: the swing pivot must be three numbers: kept rigid")
        return None
    if not 0.0 <= damping <= 1.0:
        problems.append(f"node {name!r}: swing damping {damping:g} is not between 0 and 1: kept rigid")
        return None
    return pivot, damping


def _slide_extras(node: Any, name: str, problems: list[str]) -> tuple[Array, tuple[float, float]] | None:
    extras = node.extras if isinstance(node.extras, dict) else {}
    slide = extras.get("slide")
    named = name.lower().startswith("slide")
    if slide is None or not named:
        if slide is not None or named:
            problems.append(f"node {name!r}: a slide is a node named slide* with slide extras "
                            '({"slide": {"axis": [x, y, z], "travel": [back, forward]}}): kept rigid')
        return None
    try:
        axis = np.asarray([float(v) for v in slide["axis"]], np.float32)
        back, forward = (float(v) * TO_MM for v in slide["travel"])
    except (TypeError, ValueError, KeyError):
        problems.append(f"node {name!r}: slide extras need an axis [x, y, z] and a travel [back, forward] "
                        "in metres: kept rigid")
        return None
    norm = float(np.linalg.norm(axis)) if axis.shape == (3,) else 0.0
    if not (np.isfinite(norm) and norm > 1e-6 and 0.0 <= back <= 50.0 and 0.0 <= forward <= 50.0):
        problems.append(f"node {name!r}: the slide axis must be a direction and its travel 0-50 mm "
                        "each way: kept rigid")
        return None
    return axis / np.float32(norm), (-back, forward)


def _primitive(g: Gltf, prim: Any, where: str, problems: list[str]) -> Chunk | None:
    mode = 4 if prim.mode is None else int(prim.mode)
    if mode != 4:
        problems.append(f"{where}: drawn as points/lines/strips (mode {mode}), not triangles: skipped")
        return None
    attrs = prim.attributes
    if attrs.POSITION is None:
        problems.append(f"{where}: no vertex positions: skipped")
        return None
    pos = np.asarray(g.accessor(attrs.POSITION)[:, :3], np.float32) * TO_MM
    idx = (g.accessor(prim.indices).reshape(-1) if prim.indices is not None
           else np.arange(len(pos), dtype=np.uint32))
    if len(idx) % 3 or len(idx) == 0:
        problems.append(f"{where}: {len(idx)} indices is not a whole number of triangles: skipped")
        return None
    faces = np.asarray(idx, np.uint32).reshape(-1, 3)
    if faces.max() >= len(pos):
        raise ModelError(f"{g.path}: {where} indexes past its vertices (damaged file)")
    nrm = (np.asarray(g.accessor(attrs.NORMAL)[:, :3], np.float32) if attrs.NORMAL is not None
           else vertex_normals(pos, faces))
    uv = np.asarray(g.accessor(attrs.TEXCOORD_0)[:, :2], np.float32) if attrs.TEXCOORD_0 is not None else None
    return pos, nrm, uv, faces


def load_model(path: Path) -> Model:
    """Read a .glb into millimetres. Raises ModelError when nothing usable can be read; softer
    problems (no hook, bad swing extras, non-PBR materials) go to `Model.problems`."""
    g = Gltf(Path(path))
    doc, problems = g.doc, list[str]()
    scene_index = doc.scene if doc.scene is not None else 0
    if not doc.scenes or not 0 <= scene_index < len(doc.scenes):
        raise ModelError(f"{path}: the file has no scene")
    scene = doc.scenes[scene_index]
    tex_map: dict[int, int] = {}
    images: list[Array] = []
    materials = [_material(g, i, tex_map, images, problems) for i in range(len(doc.materials))]
    nodes: list[Node] = []
    swings: list[Swing] = []
    groups: dict[tuple[int, int], list[Chunk]] = {}
    world_pts: list[Array] = []
    hook: Array | None = None
    seen: set[int] = set()

    def visit(ni: int, parent: int, world: Mat4, segment: int, seg_rel: Mat4) -> None:
        nonlocal hook
        if ni in seen or not 0 <= ni < len(doc.nodes):
            raise ModelError(f"{path}: node {ni} is missing or appears twice in the hierarchy (damaged file)")
        seen.add(ni)
        src = doc.nodes[ni]
        name = str(src.name or f"node {ni}")
        local = node_matrix(src, TO_MM)
        me = len(nodes)
        nodes.append(Node(name, parent, local, src.mesh))
        swing = _swing_extras(src, name, problems)
        slide = _slide_extras(src, name, problems) if swing is None else None
        if swing is not None or slide is not None:
            if any(s.name == name for s in swings):
                problems.append(f"two swing nodes are named {name!r}; names must be unique")
            if swing is not None:
                swings.append(Swing(name, me, segment, swing[0], swing[1], seg_rel, local))
            elif slide is not None:
                swings.append(Swing(name, me, segment, np.zeros(3, np.float32), 0.0, seg_rel, local,
                                    slide[0], slide[1]))
            segment, seg_rel = len(swings) - 1, np.eye(4, dtype=np.float32)
        else:
            seg_rel = seg_rel @ local
        world = world @ local
        if name.lower() == "hook":
            hook = np.asarray(world[:3, 3], np.float32)
            if src.mesh is not None:
                problems.append("the hook node has a mesh; it should be an empty point")
        if src.mesh is not None:
            if not 0 <= src.mesh < len(doc.meshes):
                raise ModelError(f"{path}: node {name!r} uses a mesh that does not exist")
            mesh = doc.meshes[src.mesh]
            for k, prim in enumerate(mesh.primitives):
                where = f"mesh {mesh.name or src.mesh!r} primitive {k}"
                got = _primitive(g, prim, where, problems)
                if got is None:
                    continue
                pos, nrm, uv, faces = got
                if prim.material is None or not 0 <= prim.material < len(materials):
                    problems.append(f"{where} has no material")
                    mat = len(materials)
                else:
                    mat = prim.material
                rot = seg_rel[:3, :3]
                pos_seg = pos @ rot.T + seg_rel[:3, 3]
                nrm_seg = nrm @ np.linalg.inv(rot).astype(np.float32)   # inverse transpose
                nrm_seg /= np.maximum(np.linalg.norm(nrm_seg, axis=1, keepdims=True), 1e-12)
                if np.linalg.det(rot) < 0:    # a mirrored instance: keep triangles front-facing
                    faces = faces[:, ::-1].copy()
                groups.setdefault((segment, mat), []).append((pos_seg, nrm_seg, uv, faces))
                world_pts.append(pos @ world[:3, :3].T + world[:3, 3])
        for child in src.children or []:
            visit(child, me, world, segment, seg_rel)

    eye = np.eye(4, dtype=np.float32)
    for root in scene.nodes or []:
        visit(root, -1, eye, -1, eye)
    if any(mat == len(materials) for _, mat in groups):
        materials.append(DEFAULT_MATERIAL)
    parts = [_merge(chunks, mat, seg) for (seg, mat), chunks in sorted(groups.items())]
    if not parts:
        raise ModelError(f"{path}: the scene has no triangles to draw")
    pts = np.concatenate(world_pts)
    necklace = _necklace(scene.extras, problems)
    if hook is None:
        problems.append("no 'hook' node: the kiosk cannot tell where the piece hangs from")
    tris = sum(len(p.indices) for p in parts)
    return Model(Path(path), nodes, parts, materials, swings, images, hook, necklace,
                 (pts.min(axis=0), pts.max(axis=0)), tris, problems, _hand(scene.extras, problems))


def _merge(chunks: list[Chunk], mat: int, seg: int) -> Part:
    pos = np.concatenate([c[0] for c in chunks]).astype(np.float32)
    nrm = np.concatenate([c[1] for c in chunks]).astype(np.float32)
    uvs = None
    if any(c[2] is not None for c in chunks):
        uvs = np.concatenate([c[2] if c[2] is not None else np.zeros((len(c[0]), 2), np.float32)
                              for c in chunks]).astype(np.float32)
    offsets = np.cumsum([0] + [len(c[0]) for c in chunks[:-1]])
    idx = np.concatenate([c[3] + np.uint32(o) for c, o in zip(chunks, offsets, strict=True)])
    return Part(pos, nrm, uvs, idx.astype(np.uint32), mat, seg)


def _necklace(extras: Any, problems: list[str]) -> dict[str, float] | None:
    if not isinstance(extras, dict) or "necklace" not in extras:
        return None
    raw = extras["necklace"]
    try:
        r = float(raw["neck_radius_mm"])
    except (TypeError, ValueError, KeyError):
        problems.append('the scene\'s necklace extras need {"neck_radius_mm": r}')
        return None
    if not 30.0 <= r <= 90.0:
        problems.append(f"necklace neck_radius_mm {r:g} is not a neck's (30-90 mm)")
    return {"neck_radius_mm": r}


def _hand(extras: Any, problems: list[str]) -> dict[str, float] | None:
    if not isinstance(extras, dict) or "inner_diameter_mm" not in extras:
        return None
    try:
        d = float(extras["inner_diameter_mm"])
        w = float(extras.get("band_width_mm", 0.0))
    except (TypeError, ValueError):
        problems.append('a hand piece\'s scene extras need {"inner_diameter_mm": d} in mm')
        return None
    if not 10.0 <= d <= 90.0:
        problems.append(f"inner_diameter_mm {d:g} is neither a ring's nor a bangle's (10-90 mm)")
    return {"inner_diameter_mm": d, "band_width_mm": w}
