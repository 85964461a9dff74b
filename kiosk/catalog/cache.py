"""The local catalogue: what the app shows, with no network needed.

Pieces imported from the commerce API or added by staff live under
``<data_dir>/catalog/pieces/<id>/`` in the bundled assets' format (manifest.json + RGBA PNG),
with a row in ``catalog_pieces``; jewelers in ``catalog_jewelers``. The app reads the bundled
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
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk import paths
from kiosk.catalog.prepare import Prepared
from kiosk.store.db import DB_NAME, Database, connect
from kiosk.store.outbox import write_file_durably
from kiosk.tryon.assets import WIDTH_MM, AssetError, Catalog, Piece, piece_from_manifest

log = logging.getLogger(__name__)
BUNDLED = paths.ASSETS_DIR / "jewelry"
PIECES_DIR = "catalog/pieces"
LOGOS_DIR = "catalog/logos"


@dataclass(frozen=True)
class NewPiece:
    id: str
    jeweler_id: str
    name: str
    category: str
    price: float | None
    width_mm: float                  # the whole image's width in mm (the placement's convention)
    anchor: tuple[int, int]
    style: str = ""


@dataclass(frozen=True)
class Jeweler:
    id: str
    name: str
    accent: str | None
    currency: str | None
    logo_path: Path | None


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
    with db.write() as conn:
        conn.execute(
            "INSERT INTO catalog_pieces (id, jeweler_id, name, category, price, width_mm, anchor_x, anchor_y,"
            " folder, source, remote_id, remote_sig, hidden, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
            " ON CONFLICT (id) DO UPDATE SET jeweler_id = excluded.jeweler_id, name = excluded.name,"
            "  category = excluded.category, price = excluded.price, width_mm = excluded.width_mm,"
            "  anchor_x = excluded.anchor_x, anchor_y = excluded.anchor_y, folder = excluded.folder,"
            "  source = excluded.source, remote_id = excluded.remote_id, remote_sig = excluded.remote_sig,"
            "  hidden = 0, updated_at = excluded.updated_at",
            (p.id, p.jeweler_id, p.name, p.category, p.price, p.width_mm, p.anchor[0], p.anchor[1],
             folder_rel, source, remote_id, remote_sig, now))
    return piece


def save_jeweler(db: Database, j: Jeweler, *, source: str, now: float) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO catalog_jewelers (id, name, logo_path, accent, currency, source, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " logo_path = COALESCE(excluded.logo_path, logo_path), accent = excluded.accent,"
            " currency = excluded.currency, updated_at = excluded.updated_at",
            (j.id, j.name, str(j.logo_path) if j.logo_path else None, j.accent, j.currency, source, now))


def unique_id(db: Database, wanted: str) -> str:
    """`wanted`, or `wanted_2`, `_3`... so no cached or bundled piece (a folder of its id) is taken."""
    taken = {r[0] for r in db.read("SELECT id FROM catalog_pieces WHERE id LIKE ?", (wanted + "%",))}
    pid, n = wanted, 2
    while pid in taken or (BUNDLED / pid).exists():
        pid, n = f"{wanted}_{n}", n + 1
    return pid


def load(data_dir: Path, bundled: Catalog | None = None) -> Catalog:
    """Bundled pieces plus the cached ones. A cached piece whose files are damaged is left out
    with a log line; the rest load (one bad import must not empty the seller's screen)."""
    catalog = bundled or Catalog.load()
    pieces = dict(catalog.pieces)
    for row in _read(data_dir, "SELECT id, folder, hidden FROM catalog_pieces ORDER BY id"):
        folder = data_dir / row["folder"]
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            piece = piece_from_manifest(folder, manifest)
        except (OSError, ValueError, AssetError) as e:
            log.error("catalogue piece %s left out: %s", row["id"], e)
            continue
        pieces[piece.id] = dataclasses.replace(piece, hidden=bool(row["hidden"]))
    return Catalog(pieces)


def piece_folders(data_dir: Path) -> dict[str, Path]:
    """Every piece of the local catalogue (hidden ones too) and the folder the app loads it from."""
    return {r["id"]: data_dir / r["folder"] for r in _read(data_dir, "SELECT id, folder FROM catalog_pieces")}


def version(data_dir: Path) -> tuple[object, ...]:
    """Changes whenever a piece is added, updated, hidden or shown again (cheap: the app polls it)."""
    rows = _read(data_dir, "SELECT COUNT(*), MAX(updated_at), SUM(hidden) FROM catalog_pieces")
    return tuple(rows[0]) if rows else ()


def jewelers(data_dir: Path) -> list[Jeweler]:
    out = []
    for r in _read(data_dir, "SELECT * FROM catalog_jewelers ORDER BY name"):
        out.append(Jeweler(r["id"], r["name"], r["accent"], r["currency"],
                           data_dir / r["logo_path"] if r["logo_path"] else None))
    return out


def _read(data_dir: Path, sql: str) -> list[sqlite3.Row]:
    path = data_dir / DB_NAME
    if not path.exists():
        return []
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as e:
        log.error("the local catalogue in %s cannot be read (%s): bundled pieces only", path, e)
        return []
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError as e:      # an older schema: nothing cached yet
        log.info("no local catalogue yet (%s)", e)
        return []
    except sqlite3.DatabaseError as e:         # a damaged file: the store's own checks deal with it
        log.error("the local catalogue in %s cannot be read (%s): bundled pieces only", path, e)
        return []
    finally:
        conn.close()
