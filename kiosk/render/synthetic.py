"""Small procedural meshes and a .glb writer, for the renderer's tests, the bench and the
measuring script (the bundled catalogue is made by the asset generator, with trimesh).

Shapes are returned in metres like glTF wants: (positions (n, 3), normals (n, 3), faces (m, 3)).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pygltflib

Mesh = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.uint32]]


def _grid_faces(rows: int, cols: int, wrap_cols: bool) -> npt.NDArray[np.uint32]:
    """Two triangles per cell of a (rows+1) x cols(+1) vertex grid, counter-clockwise outside."""
    width = cols if wrap_cols else cols + 1
    faces = []
    for i in range(rows):
        for j in range(cols):
            a, b = i * width + j, i * width + (j + 1) % width
            c, d = a + width, b + width
            faces += [(a, c, b), (b, c, d)]
    return np.asarray(faces, np.uint32)


def uv_sphere(radius: float, rings: int = 24, segments: int = 48) -> Mesh:
    theta = np.linspace(0, math.pi, rings + 1)[:, None]
    phi = np.linspace(0, 2 * math.pi, segments, endpoint=False)[None, :]
    n = np.stack([np.sin(theta) * np.sin(phi), np.cos(theta) * np.ones_like(phi),
                  np.sin(theta) * np.cos(phi)], axis=2).reshape(-1, 3).astype(np.float32)
    return (n * radius).astype(np.float32), n, _grid_faces(rings, segments, True)


def torus(major: float, minor: float, n_major: int = 64, n_minor: int = 24) -> Mesh:
    """A ring in the XY plane (facing +Z), like a hoop seen from the front."""
    u = np.linspace(0, 2 * math.pi, n_major, endpoint=False)[:, None]
    v = np.linspace(0, 2 * math.pi, n_minor, endpoint=False)[None, :]
    one = np.ones_like(u * v)
    centre = np.stack([np.cos(u) * one, np.sin(u) * one, 0 * one], axis=2)
    n = np.stack([np.cos(u) * np.cos(v), np.sin(u) * np.cos(v), np.ones_like(u) * np.sin(v)], axis=2)
    pos = centre * major + n * minor
    faces = []
    for i in range(n_major):
        for j in range(n_minor):
            a, b = i * n_minor + j, i * n_minor + (j + 1) % n_minor
            c, d = ((i + 1) % n_major) * n_minor + j, ((i + 1) % n_major) * n_minor + (j + 1) % n_minor
            faces += [(a, c, b), (b, c, d)]
    return (pos.reshape(-1, 3).astype(np.float32), n.reshape(-1, 3).astype(np.float32),
            np.asarray(faces, np.uint32))


def brilliant(radius: float, facets: int = 16) -> Mesh:
    """A round-cut stone facing +Z: table, crown and pavilion facets, flat-shaded (each triangle
    has its own vertices so the normals are the facets')."""
    a = np.linspace(0, 2 * math.pi, facets, endpoint=False)

    def ring(r: float, z: float, off: float = 0.0) -> npt.NDArray[np.float64]:
        return np.stack([r * np.cos(a + off), r * np.sin(a + off), np.full_like(a, z)], 1)

    table, girdle = ring(0.55 * radius, 0.35 * radius, math.pi / facets), ring(radius, 0.0)
    top, culet = np.array([0, 0, 0.35 * radius]), np.array([0, 0, -0.85 * radius])
    tris = []
    for i in range(facets):
        j = (i + 1) % facets
        tris += [(top, table[i], table[j]), (girdle[i], girdle[j], table[i]),
                 (table[i], girdle[j], table[j]), (girdle[i], girdle[j], culet)]
    t = np.asarray(tris, np.float64)
    # The stone is convex: orient every facet outwards from its centre.
    n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    inward = np.einsum("ij,ij->i", n, t.mean(axis=1) - np.array([0, 0, -0.1 * radius])) < 0
    t[inward] = t[inward][:, ::-1]
    return _flat(t)


def quad(size: float) -> Mesh:
    """A square in the XY plane facing +Z, centred on the origin."""
    h = size / 2
    tris = np.array([[(-h, -h, 0), (h, -h, 0), (h, h, 0)], [(-h, -h, 0), (h, h, 0), (-h, h, 0)]], np.float64)
    return _flat(tris)


def _flat(tris: npt.NDArray[np.float64]) -> Mesh:
    n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    pos = tris.reshape(-1, 3).astype(np.float32)
    nrm = np.repeat(n, 3, axis=0).astype(np.float32)
    return pos, nrm, np.arange(len(pos), dtype=np.uint32).reshape(-1, 3)


def transformed(mesh: Mesh, rotation: npt.NDArray[np.float64] | None = None,
                offset: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Mesh:
    pos, nrm, faces = mesh
    r = np.eye(3) if rotation is None else np.asarray(rotation)
    return ((pos @ r.T + np.asarray(offset)).astype(np.float32), (nrm @ r.T).astype(np.float32), faces)


def combined(*meshes: Mesh) -> Mesh:
    offs = np.cumsum([0] + [len(m[0]) for m in meshes[:-1]])
    return (np.concatenate([m[0] for m in meshes]).astype(np.float32),
            np.concatenate([m[1] for m in meshes]).astype(np.float32),
            np.concatenate([m[2] + np.uint32(o) for m, o in zip(meshes, offs, strict=True)])
            .astype(np.uint32))


class GlbBuilder:
    """Build a small .glb: materials, single-primitive meshes, a node tree, scene extras."""

    def __init__(self) -> None:
        self.doc = pygltflib.GLTF2(asset=pygltflib.Asset(version="2.0"), scene=0)
        self.blob = bytearray()
        self.roots: list[int] = []

    def _view(self, data: bytes, target: int | None) -> int:
        while len(self.blob) % 4:
            self.blob += b"\0"
        self.doc.bufferViews.append(pygltflib.BufferView(buffer=0, byteOffset=len(self.blob),
                                                         byteLength=len(data), target=target))
        self.blob += data
        return len(self.doc.bufferViews) - 1

    def _accessor(self, arr: npt.NDArray[Any], kind: str, ctype: int, target: int | None) -> int:
        if arr.dtype.kind == "f":
            # -0.0 becomes 0.0: whether a zero comes out signed depends on the CPU's vector
            # maths (it differed between two machines here), and the committed models must
            # regenerate byte for byte anywhere.
            arr = arr + arr.dtype.type(0.0)
        view = self._view(arr.tobytes(), target)
        acc = pygltflib.Accessor(bufferView=view, componentType=ctype, count=len(arr), type=kind)
        if kind == "VEC3":
            acc.min, acc.max = arr.min(axis=0).tolist(), arr.max(axis=0).tolist()
        self.doc.accessors.append(acc)
        return len(self.doc.accessors) - 1

    def material(self, name: str, base: tuple[float, ...] = (1.0, 0.78, 0.34, 1.0), metallic: float = 1.0,
                 roughness: float = 0.25, extras: dict[str, Any] | None = None,
                 emissive: tuple[float, float, float] = (0.0, 0.0, 0.0), texture: int | None = None,
                 **kw: Any) -> int:
        pbr = pygltflib.PbrMetallicRoughness(baseColorFactor=list(base), metallicFactor=metallic,
                                             roughnessFactor=roughness)
        if texture is not None:
            pbr.baseColorTexture = pygltflib.TextureInfo(index=texture)
        self.doc.materials.append(pygltflib.Material(name=name, pbrMetallicRoughness=pbr, extras=extras or {},
                                                     emissiveFactor=list(emissive), **kw))
        return len(self.doc.materials) - 1

    def texture(self, png: bytes) -> int:
        """An embedded PNG as a texture index (for baseColorTexture)."""
        self.doc.images.append(pygltflib.Image(bufferView=self._view(png, None), mimeType="image/png"))
        self.doc.textures.append(pygltflib.Texture(source=len(self.doc.images) - 1))
        return len(self.doc.textures) - 1

    def mesh(self, mesh: Mesh, material: int | None, name: str = "", mode: int | None = None,
             uvs: npt.NDArray[np.float32] | None = None) -> int:
        pos, nrm, faces = mesh
        vec3 = [self._accessor(np.asarray(a, np.float32), "VEC3", 5126, 34962) for a in (pos, nrm)]
        attrs = pygltflib.Attributes(POSITION=vec3[0], NORMAL=vec3[1])
        if uvs is not None:
            attrs.TEXCOORD_0 = self._accessor(np.asarray(uvs, np.float32), "VEC2", 5126, 34962)
        idx = self._accessor(np.asarray(faces, np.uint32).reshape(-1, 1), "SCALAR", 5125, 34963)
        prim = pygltflib.Primitive(attributes=attrs, indices=idx, material=material, mode=mode)
        self.doc.meshes.append(pygltflib.Mesh(name=name, primitives=[prim]))
        return len(self.doc.meshes) - 1

    def node(self, name: str, mesh: int | None = None, parent: int | None = None,
             translation: tuple[float, float, float] | None = None, rotation: tuple[float, ...] | None = None,
             scale: tuple[float, float, float] | None = None, extras: dict[str, Any] | None = None) -> int:
        self.doc.nodes.append(pygltflib.Node(
            name=name, mesh=mesh, translation=list(translation) if translation else None,
            rotation=list(rotation) if rotation else None, scale=list(scale) if scale else None,
            extras=extras or {}))
        i = len(self.doc.nodes) - 1
        if parent is None:
            self.roots.append(i)
        else:
            self.doc.nodes[parent].children.append(i)
        return i

    def save(self, path: Path, scene_extras: dict[str, Any] | None = None) -> Path:
        self.doc.scenes = [pygltflib.Scene(nodes=list(self.roots), extras=scene_extras or {})]
        self.doc.buffers = [pygltflib.Buffer(byteLength=len(self.blob))]
        self.doc.set_binary_blob(bytes(self.blob))
        self.doc.save_binary(str(path))
        return path
