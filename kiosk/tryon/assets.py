"""Jewelry catalogue on disk: assets/jewelry/<id>/manifest.json with an RGBA PNG or a pair.

manifest.json: id, name, category (earring | necklace | nose_ring | maang_tikka | set), style,
price, width_mm (the real width of the drawn piece), anchor [x, y] (the hook point, in image
pixels), jeweler_id, and either "image" or "images": {"left", "right"} (the pair for the ear
on the image's left / right), or for a set "pieces": [ids]. A nose ring may add
"chain_to_ear": true (a bridal nath whose chain runs up to the hair above the ear). A 3D piece
adds "model": "model.glb" (glTF 2.0, kiosk/render/model.py); its sprites, rendered from the
model, are what is drawn when no OpenGL context can be made.

Sprites are premultiplied once at load: resampling premultiplied colour is what keeps the
anti-aliased edges free of the dark fringe straight alpha gets from transparent black pixels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk import paths

CATEGORIES = ("earring", "necklace", "nose_ring", "maang_tikka")
WIDTH_MM = {"earring": (4, 80), "necklace": (60, 400), "nose_ring": (5, 60), "maang_tikka": (8, 80)}
Sprite = npt.NDArray[np.float32]     # (h, w, 4) premultiplied, 0..1


class AssetError(Exception):
    pass


@dataclass(frozen=True)
class Piece:
    id: str
    name: str
    category: str
    style: str
    price: float | None
    width_mm: float
    anchor: tuple[float, float]
    jeweler_id: str
    folder: Path
    files: dict[str, str] = field(default_factory=dict)   # "single" or "left"/"right" -> file name
    parts: tuple[str, ...] = ()                            # for sets
    chain_to_ear: bool = False                             # a nath with its chain to the ear
    hidden: bool = False                                   # gone upstream: wearable, not listed
    model: Path | None = None                              # a 3D piece's .glb (sprites stay the fallback)

    def sprite(self, side: str = "single") -> Sprite:
        name = self.files.get(side) or self.files.get("single") or next(iter(self.files.values()))
        return _load_sprite(self.folder / name)

    def image_width_px(self) -> int:
        return int(self.sprite().shape[1])


@lru_cache(maxsize=64)
def _load_sprite(path: Path) -> Sprite:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise AssetError(f"{path}: not a readable image")
    if img.ndim != 3 or img.shape[2] != 4:
        raise AssetError(f"{path}: needs an alpha channel (RGBA PNG)")
    f = img.astype(np.float32) / 255.0
    f[:, :, :3] *= f[:, :, 3:4]
    return f


def piece_from_manifest(folder: Path, m: dict[str, Any]) -> Piece:
    """One piece, checked: fields, category, width range, sprite with alpha, anchor inside."""
    def need(key: str) -> Any:
        if key not in m:
            raise AssetError(f"{folder / 'manifest.json'}: '{key}' is missing")
        return m[key]

    pid, category = str(need("id")), str(need("category"))
    if pid != folder.name:
        raise AssetError(f"{folder / 'manifest.json'}: id {pid!r} differs from its folder name")
    price = m.get("price")
    if category == "set":
        parts = tuple(str(p) for p in need("pieces"))
        if not parts:
            raise AssetError(f"{folder}: a set needs pieces")
        return Piece(pid, str(need("name")), "set", "set", price, 0.0, (0.0, 0.0),
                     str(need("jeweler_id")), folder, parts=parts)
    if category not in CATEGORIES:
        raise AssetError(f"{folder}: category {category!r} is not one of {', '.join(CATEGORIES)}, set")
    width = float(need("width_mm"))
    lo, hi = WIDTH_MM[category]
    if not lo <= width <= hi:
        raise AssetError(f"{folder}: width_mm {width} is outside {lo}-{hi} mm for a {category}")
    files = {"single": m["image"]} if "image" in m else dict(need("images"))
    ax, ay = (float(v) for v in need("anchor"))
    chain = bool(m.get("chain_to_ear", False))
    if chain and category != "nose_ring":
        raise AssetError(f"{folder}: chain_to_ear is for nose rings only")
    model = folder / str(m["model"]) if m.get("model") else None
    if model is not None and not model.is_file():
        raise AssetError(f"{folder}: the model {m['model']} is missing")
    piece = Piece(pid, str(need("name")), category, str(m.get("style", "")), price, width, (ax, ay),
                  str(need("jeweler_id")), folder, files, chain_to_ear=chain, model=model)
    for side in files:
        if not (folder / files[side]).is_file():
            raise AssetError(f"{folder}: the image {files[side]} is missing")
        spr = piece.sprite(side)
        h, w = spr.shape[:2]
        if not (0 <= ax <= w and 0 <= ay <= h):
            raise AssetError(f"{folder}: anchor ({ax:g}, {ay:g}) is outside the {w}x{h} image")
    return piece


class Catalog:
    def __init__(self, pieces: dict[str, Piece]):
        self.pieces = pieces

    @classmethod
    def load(cls, root: Path | None = None) -> Catalog:
        root = root or paths.ASSETS_DIR / "jewelry"
        pieces = {}
        for manifest in sorted(root.glob("*/manifest.json")):
            try:
                data = json.loads(manifest.read_text())
            except ValueError as e:
                raise AssetError(f"{manifest}: not valid JSON ({e})") from None
            p = piece_from_manifest(manifest.parent, data)
            pieces[p.id] = p
        for p in pieces.values():
            missing = [x for x in p.parts if x not in pieces or pieces[x].category == "set"]
            if missing:
                raise AssetError(f"set {p.id} names unknown pieces: {', '.join(missing)}")
        return cls(pieces)

    def listed(self) -> list[Piece]:
        """What the seller can pick: hidden pieces stay wearable but are not offered."""
        return [p for p in self.pieces.values() if not p.hidden]

    def get(self, pid: str) -> Piece:
        try:
            return self.pieces[pid]
        except KeyError:
            known = ", ".join(sorted(self.pieces))
            raise AssetError(f"unknown jewelry id {pid!r}; known: {known}") from None

    def expand(self, ids: list[str]) -> list[Piece]:
        """Pieces to draw: sets opened up, one piece per category (the last chosen wins)."""
        chosen: dict[str, Piece] = {}
        for pid in ids:
            p = self.get(pid)
            for part in ([self.get(x) for x in p.parts] if p.category == "set" else [p]):
                chosen[part.category] = part
        return list(chosen.values())
