"""Jewelry catalogue on disk: assets/jewelry/<id>/manifest.json with an RGBA PNG or a pair.

manifest.json: id, name, category (earring | necklace | nose_ring | maang_tikka | ring | bangle |
bracelet | set), style,
price, width_mm (the real width of the drawn piece), anchor [x, y] (the hook point, in image
pixels), jeweler_id, and either "image" or "images": {"left", "right"} (the pair for the ear
on the image's left / right), or for a set "pieces": [ids]. A nose ring may add
"chain_to_ear": true (a bridal nath whose chain runs up to the hair above the ear). A 3D piece
adds "model": "model.glb" (glTF 2.0, kiosk/render/model.py) and may add "model_live" (the same
piece at live level of detail, what the mirror draws), "tile" (the catalogue tile, an RGBA PNG)
and "yaw_sprites": [{"yaw": deg, "image": png, "anchor": [x, y], "px_per_mm": s}, ...], the
piece rendered at several head yaws (kiosk.render.preview.rotation's sign) at one scale: what
is drawn when no OpenGL context can be made. Its "image", rendered from the model too, is the
front view the photo-only paths draw.

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

CATEGORIES = ("earring", "necklace", "nose_ring", "maang_tikka", "ring", "bangle", "bracelet")
# A hand piece's width is its outside diameter seen from the front: rings 18-30 mm (a cocktail
# ring's head may pass the band), bangles and kadas sizes 2.2-2.10 (54-67 mm inside) and
# their thickness, bracelets closed round a child's to a large wrist.
WIDTH_MM = {"earring": (4, 80), "necklace": (60, 400), "nose_ring": (5, 60), "maang_tikka": (8, 80),
            "ring": (14, 40), "bangle": (55, 100), "bracelet": (45, 100)}
Sprite = npt.NDArray[np.float32]     # (h, w, 4) premultiplied, 0..1


class AssetError(Exception):
    pass


@dataclass(frozen=True)
class YawSprite:
    """The piece rendered turned `yaw` degrees: its hook at `anchor` (px), `px_per_mm` px a mm."""
    yaw: float
    path: Path
    anchor: tuple[float, float]
    px_per_mm: float

    def sprite(self) -> Sprite:
        return _load_sprite(self.path)


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
    model_live: Path | None = None                         # its live level of detail
    tile: Path | None = None                               # its catalogue tile
    yaw_sprites: tuple[YawSprite, ...] = ()                # by increasing yaw

    def sprite(self, side: str = "single") -> Sprite:
        name = self.files.get(side) or self.files.get("single") or next(iter(self.files.values()))
        return _load_sprite(self.folder / name)

    def tile_image(self) -> Sprite:
        """The catalogue tile (rendered from a model, three-quarter view), else the sprite."""
        return _load_sprite(self.tile) if self.tile is not None else self.sprite()

    def yaw_sprite(self, yaw_deg: float) -> YawSprite | None:
        """The pre-rendered view nearest a head yaw (None for a piece without them)."""
        return min(self.yaw_sprites, key=lambda v: abs(v.yaw - yaw_deg), default=None)

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


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) of an RGBA PNG from its header: a catalogue's dozens of yaw sprites are
    checked at load without decoding them."""
    try:
        with path.open("rb") as fh:
            head = fh.read(26)
    except OSError as e:
        raise AssetError(f"{path}: cannot be read ({e.strerror or e})") from None
    if len(head) < 26 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssetError(f"{path}: not a PNG image")
    if head[25] not in (4, 6):              # grey + alpha, RGB + alpha
        raise AssetError(f"{path}: needs an alpha channel (RGBA PNG)")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _file(folder: Path, m: dict[str, Any], key: str, what: str) -> Path | None:
    if not m.get(key):
        return None
    path = folder / str(m[key])
    if not path.is_file():
        raise AssetError(f"{folder}: the {what} {m[key]} is missing")
    return path


def _yaw_sprites(folder: Path, raw: Any) -> tuple[YawSprite, ...]:
    """The manifest's "yaw_sprites", checked: files, anchors inside them, distinct yaws."""
    if not isinstance(raw, list):
        raise AssetError(f"{folder}: yaw_sprites must be a list of {{yaw, image, anchor, px_per_mm}}")
    out = []
    for item in raw:
        try:
            yaw, scale = float(item["yaw"]), float(item["px_per_mm"])
            ax, ay = (float(v) for v in item["anchor"])
            name = str(item["image"])
        except (TypeError, ValueError, KeyError):
            raise AssetError(f"{folder}: each yaw sprite needs a yaw, an image, an anchor [x, y] "
                             "and px_per_mm") from None
        if not (-90.0 <= yaw <= 90.0 and scale > 0):
            raise AssetError(f"{folder}: yaw sprite {name}: yaw {yaw:g} (-90 to 90) or px_per_mm "
                             f"{scale:g} (> 0) is out of range")
        path = folder / name
        if not path.is_file():
            raise AssetError(f"{folder}: the yaw sprite {name} is missing")
        w, h = _png_size(path)
        if not (0 <= ax <= w and 0 <= ay <= h):
            raise AssetError(f"{folder}: yaw sprite {name}: anchor ({ax:g}, {ay:g}) is outside "
                             f"the {w}x{h} image")
        out.append(YawSprite(yaw, path, (ax, ay), scale))
    if len({v.yaw for v in out}) != len(out):
        raise AssetError(f"{folder}: two yaw sprites have the same yaw")
    return tuple(sorted(out, key=lambda v: v.yaw))


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
    model, live = _file(folder, m, "model", "model"), _file(folder, m, "model_live", "live model")
    if live is not None and model is None:
        raise AssetError(f"{folder}: a live model needs its model")
    tile = _file(folder, m, "tile", "tile")
    if tile is not None:
        _png_size(tile)
    yaws = _yaw_sprites(folder, m["yaw_sprites"]) if "yaw_sprites" in m else ()
    piece = Piece(pid, str(need("name")), category, str(m.get("style", "")), price, width, (ax, ay),
                  str(need("jeweler_id")), folder, files, chain_to_ear=chain, model=model,
                  model_live=live, tile=tile, yaw_sprites=yaws)
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
