"""The local catalogue: what the app shows, with no network needed.

Pieces imported from the commerce API or added by staff live under
``<data_dir>/catalog/pieces/<id>/`` in the bundled assets' format (manifest.json + RGBA PNG),
with a row in ``catalog_pieces``; jewelers in ``catalog_jewelers`` (the SQL of both is in
kiosk.store.catalog; its jeweler helpers are re-exported here). The app reads the bundled
pieces plus these. A piece that disappeared upstream is hidden: not listed any more, still
wearable by a visit that already has it on.

The PNG's name carries a hash of its bytes, so an updated piece never overwrites a file a
running app may still read; the manifest is replaced atomically and the row written after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from pathlib import Path

import cv2
import numpy as np

from kiosk import paths
from kiosk.catalog.pieces import WIDTH_MM, AssetError, Catalog, Piece, piece_from_manifest
from kiosk.catalog.prepare import Prepared
from kiosk.store import catalog as rows
from kiosk.store.catalog import Jeweler as Jeweler
from kiosk.store.catalog import NewPiece as NewPiece
from kiosk.store.catalog import jewelers as jewelers
from kiosk.store.catalog import save_jeweler as save_jeweler
from kiosk.store.catalog import version as version
from kiosk.store.db import Database
from kiosk.store.files import write_file_durably

log = logging.getLogger(__name__)
BUNDLED = paths.ASSETS_DIR / "jewelry"
PIECES_DIR = "catalog/pieces"
LOGOS_DIR = "catalog/logos"


def vendor_jeweler_id(vendor_id: int | str) -> str:
    """The local id of a commerce-platform vendor (seed 002)."""
    return f"vendor-{vendor_id}"


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:60] or "piece"


def new_piece(prep: Prepared, *, pid: str, jeweler_id: str, name: str, category: str, price: float | None,
              piece_mm: float, anchor: tuple[int, int], style: str = "") -> tuple[NewPiece, bytes]:
    """A cut-out as a catalogue piece and its PNG; AssetError if the width is implausible for the
    category. ``piece_mm`` is the piece's real width as staff or the product measure it."""
    check_width(category, piece_mm)
    ok, png = cv2.imencode(".png", prep.rgba)
    if not ok:
        raise AssetError("could not encode the cut-out as PNG")
    width = round(image_width_mm(prep, piece_mm), 2)
    return NewPiece(pid, jeweler_id, name, category, price, width, anchor, style), png.tobytes()


def check_width(category: str, piece_mm: float) -> None:
    lo, hi = WIDTH_MM[category]
    if not lo <= piece_mm <= hi:
        raise AssetError(f"a {category} {piece_mm:g} mm wide is outside {lo}-{hi} mm: "
                         "check the width (or the coin it was measured with)")


def image_width_mm(prep: Prepared, piece_mm: float) -> float:
    """The manifest's width_mm is the whole image's; staff measure the piece itself."""
    xs = np.nonzero((prep.rgba[:, :, 3] > 127).any(axis=0))[0]
    drawn = int(xs[-1] - xs[0] + 1) if xs.size else prep.rgba.shape[1]
    return piece_mm * prep.rgba.shape[1] / drawn


def write_piece_files(folder: Path, p: NewPiece, png: bytes, source: str,
                      model: bytes | None = None) -> Piece:
    """The sprite (and a 3D piece's .glb) and the manifest in `folder`, checked as the app's
    loader will. Raises AssetError."""
    folder.mkdir(parents=True, exist_ok=True)
    image = f"piece-{hashlib.sha256(png).hexdigest()[:12]}.png"
    write_file_durably(folder / image, png)
    manifest = {"id": p.id, "name": p.name, "category": p.category, "style": p.style, "price": p.price,
                "width_mm": round(p.width_mm, 2), "anchor": list(p.anchor), "jeweler_id": p.jeweler_id,
                "image": image, "source": source}
    if model is not None:
        write_file_durably(folder / "model.glb", model)
        manifest["model"] = "model.glb"
    piece = piece_from_manifest(folder, manifest)
    write_file_durably(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
    return piece


def save_piece(db: Database, p: NewPiece, png: bytes, *, source: str, remote_id: str | None = None,
               remote_sig: str | None = None, now: float, model: bytes | None = None) -> Piece:
    """Write the sprite (and model) and manifest, check them as the app will, then the row.
    Raises AssetError."""
    folder_rel = f"{PIECES_DIR}/{p.id}"
    piece = write_piece_files(db.data_dir / folder_rel, p, png, source, model)
    rows.save_piece(db, p, folder=folder_rel, source=source, remote_id=remote_id, remote_sig=remote_sig,
                    now=now)
    return piece


def unique_id(db: Database, wanted: str) -> str:
    """`wanted`, or `wanted_2`, `_3`... so no cached or bundled piece (a folder of its id) is taken."""
    taken = rows.ids_like(db, wanted)
    pid, n = wanted, 2
    while pid in taken or (BUNDLED / pid).exists():
        pid, n = f"{wanted}_{n}", n + 1
    return pid


def load(data_dir: Path, bundled: Catalog | None = None) -> Catalog:
    """Bundled pieces plus the cached ones. A cached piece whose files are damaged is left out
    with a log line; the rest load (one bad import must not empty the seller's screen)."""
    catalog = bundled or Catalog.load()
    pieces = dict(catalog.pieces)
    for row in rows.cached_pieces(data_dir):
        folder = data_dir / row.folder
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            piece = piece_from_manifest(folder, manifest)
        except (OSError, ValueError, AssetError) as e:
            log.error("catalogue piece %s left out: %s", row.id, e)
            continue
        pieces[piece.id] = dataclasses.replace(piece, hidden=row.hidden)
    return Catalog(pieces)


def piece_folders(data_dir: Path) -> dict[str, Path]:
    """Every piece of the local catalogue (hidden ones too) and the folder the app loads it from."""
    return {r.id: data_dir / r.folder for r in rows.cached_pieces(data_dir)}
