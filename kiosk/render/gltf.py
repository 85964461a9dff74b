"""Reading a glTF 2.0 binary (.glb): accessors, node transforms, images, with plain-word errors.

pygltflib only parses the JSON and splits the binary chunk; the buffers are read here with
numpy (strided views, normalised integers, bounds checked) so a damaged file gives one sentence
instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pygltflib

from kiosk.capture.base import Array
from kiosk.render.tone import srgb_decode

_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
_DTYPES: dict[int, Any] = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16,
                           5125: np.uint32, 5126: np.float32}
_UNSUPPORTED = {"KHR_draco_mesh_compression": "Draco mesh compression",
                "EXT_meshopt_compression": "meshopt compression",
                "KHR_mesh_quantization": "quantised meshes"}


class ModelError(Exception):
    """A .glb that cannot be used at all; the message is one plain sentence."""


class Gltf:
    """A parsed .glb and its binary chunk."""

    def __init__(self, path: Path):
        self.path = path
        try:
            doc = pygltflib.GLTF2().load_binary(str(path))
        except FileNotFoundError:
            raise ModelError(f"{path}: no such file") from None
        except Exception as e:        # pygltflib raises whatever its parser hit
            if _starts_with(path, b"{"):
                raise ModelError(f"{path}: this is glTF JSON (.gltf); export a binary .glb with the "
                                 "buffers and textures inside") from None
            raise ModelError(f"{path}: not a readable glTF binary (.glb) ({type(e).__name__}: {e})") from None
        if doc is None:
            raise ModelError(f"{path}: not a glTF binary (.glb)")
        self.doc: Any = doc
        version = str(getattr(doc.asset, "version", "") or "")
        if not version.startswith("2."):
            raise ModelError(f"{path}: glTF version {version or '?'}; only glTF 2.0 is supported")
        if doc.extensionsRequired:
            ext = doc.extensionsRequired[0]
            raise ModelError(f"{path}: needs the extension {ext} "
                             f"({_UNSUPPORTED.get(ext, 'not supported here')}); export without it")
        self.blob: bytes = doc.binary_blob() or b""

    def _view(self, index: int) -> tuple[int, int, int | None]:
        """(start, length, stride) of a buffer view inside the binary chunk."""
        views = self.doc.bufferViews
        if not 0 <= index < len(views):
            raise ModelError(f"{self.path}: buffer view {index} does not exist")
        bv = views[index]
        if bv.buffer != 0 or (self.doc.buffers and self.doc.buffers[0].uri):
            raise ModelError(f"{self.path}: data lives in an external file; export a self-contained .glb")
        start, length = int(bv.byteOffset or 0), int(bv.byteLength)
        if start + length > len(self.blob):
            raise ModelError(f"{self.path}: buffer view {index} runs past the end of the file (truncated?)")
        return start, length, (int(bv.byteStride) if bv.byteStride else None)

    def accessor(self, index: int) -> npt.NDArray[Any]:
        """(count, components) array of an accessor; normalised integers become 0..1 floats."""
        accs = self.doc.accessors
        if not 0 <= index < len(accs):
            raise ModelError(f"{self.path}: accessor {index} does not exist")
        acc = accs[index]
        if acc.sparse is not None:
            raise ModelError(f"{self.path}: sparse accessors are not supported; export without them")
        n, dtype = _COMPONENTS.get(acc.type), _DTYPES.get(acc.componentType)
        if n is None or dtype is None:
            raise ModelError(f"{self.path}: accessor {index} has an unknown type "
                             f"{acc.type}/{acc.componentType}")
        count = int(acc.count)
        if acc.bufferView is None:
            return np.zeros((count, n), dtype)
        start, length, stride = self._view(acc.bufferView)
        item = np.dtype(dtype).itemsize
        stride = stride or item * n
        offset = start + int(acc.byteOffset or 0)
        if count and offset + stride * (count - 1) + item * n > start + length:
            raise ModelError(f"{self.path}: accessor {index} runs past its buffer view (damaged file)")
        if offset % item:
            raise ModelError(f"{self.path}: accessor {index} is misaligned (damaged file)")
        arr: npt.NDArray[Any] = np.ndarray((count, n), dtype, buffer=self.blob, offset=offset,
                         strides=(stride, item)).copy()
        if acc.normalized and np.issubdtype(arr.dtype, np.integer):
            return np.asarray(np.maximum(arr / float(np.iinfo(arr.dtype).max), -1.0), np.float32)
        return arr

    def image(self, texture_index: int) -> Array | None:
        """A texture's image as (h, w, 4) float32 linear RGBA (decoded from sRGB), or None."""
        doc = self.doc
        if not 0 <= texture_index < len(doc.textures):
            return None
        source = doc.textures[texture_index].source
        if source is None or not 0 <= source < len(doc.images):
            return None
        img = doc.images[source]
        if img.bufferView is None:
            return None
        start, length, _ = self._view(img.bufferView)
        raw = np.frombuffer(self.blob, np.uint8, length, start)
        bgr = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)
        if bgr is None or bgr.ndim not in (2, 3):
            return None
        if bgr.ndim == 2:
            bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGRA)
        elif bgr.shape[2] == 3:
            bgr = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
        scale = 65535.0 if bgr.dtype == np.uint16 else 255.0
        rgba = cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGBA).astype(np.float32) / scale
        rgba[:, :, :3] = srgb_decode(rgba[:, :, :3])
        return rgba


def _starts_with(path: Path, prefix: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(prefix) + 64).lstrip().startswith(prefix)
    except OSError:
        return False


def node_matrix(node: Any, to_mm: float) -> Array:
    """A node's local transform (4x4, column vectors), translations scaled to mm."""
    if node.matrix is not None and len(node.matrix) == 16:
        m = np.asarray(node.matrix, np.float64).reshape(4, 4).T      # glTF stores column-major
        m[:3, 3] *= to_mm
        return np.asarray(m, np.float32)
    t = np.asarray(node.translation if node.translation is not None else (0, 0, 0), np.float64)
    x, y, z, w = (float(v) for v in (node.rotation if node.rotation is not None else (0, 0, 0, 1)))
    s = np.asarray(node.scale if node.scale is not None else (1, 1, 1), np.float64)
    norm = max(np.sqrt(x * x + y * y + z * z + w * w), 1e-12)
    x, y, z, w = x / norm, y / norm, z / norm, w / norm
    r = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                  [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                  [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    m = np.eye(4)
    m[:3, :3] = r * s[None, :]
    m[:3, 3] = t * to_mm
    return np.asarray(m, np.float32)


def vertex_normals(positions: Array, faces: npt.NDArray[np.uint32]) -> Array:
    """Area-weighted smooth normals, for meshes exported without them."""
    p = positions[faces]
    fn = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    n = np.zeros_like(positions)
    for k in range(3):
        np.add.at(n, faces[:, k], fn)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return np.asarray(np.where(length > 1e-12, n / np.maximum(length, 1e-12), [0.0, 0.0, 1.0]), np.float32)
