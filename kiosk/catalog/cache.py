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

from kiosk.store.db import DB_NAME, Database, connect
from kiosk.store.outbox import write_file_durably
from kiosk.tryon.assets import AssetError, Catalog, Piece, piece_from_manifest

log = logging.getLogger(__name__)
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


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:60] or "piece"


def save_piece(db: Database, p: NewPiece, png: bytes, *, source: str, remote_id: str | None = None,
               remote_sig: str | None = None, now: float) -> Piece:
    """Write the sprite and manifest, check them as the app will, then the row. Raises AssetError."""
    folder_rel = f"{PIECES_DIR}/{p.id}"
    folder = db.data_dir / folder_rel
    folder.mkdir(parents=True, exist_ok=True)
    image = f"piece-{hashlib.sha256(png).hexdigest()[:12]}.png"
    write_file_durably(folder / image, png)
    manifest = {"id": p.id, "name": p.name, "category": p.category, "style": p.style, "price": p.price,
                "width_mm": round(p.width_mm, 2), "anchor": list(p.anchor), "jeweler_id": p.jeweler_id,
                "image": image, "source": source}
    piece = piece_from_manifest(folder, manifest)       # same checks as the app's loader
    write_file_durably(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
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
    taken = {r[0] for r in db.read("SELECT id FROM catalog_pieces WHERE id LIKE ?", (wanted + "%",))}
    taken |= {p for p in Catalog.load().pieces if p.startswith(wanted)}
    pid, n = wanted, 2
    while pid in taken:
        pid, n = f"{wanted}_{n}", n + 1
    return pid


def load(data_dir: Path, bundled: Catalog | None = None) -> Catalog:
    """Bundled pieces plus the cached ones. A cached piece whose files are damaged is left out
    with a log line; the rest load (one bad import must not empty the seller's screen)."""
    catalog = bundled or Catalog.load()
    pieces = dict(catalog.pieces)
    for row in _rows(data_dir):
        folder = data_dir / row["folder"]
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            piece = piece_from_manifest(folder, manifest)
        except (OSError, ValueError, AssetError) as e:
            log.error("catalogue piece %s left out: %s", row["id"], e)
            continue
        pieces[piece.id] = dataclasses.replace(piece, hidden=bool(row["hidden"]))
    return Catalog(pieces)


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


def _rows(data_dir: Path) -> list[sqlite3.Row]:
    return _read(data_dir, "SELECT id, folder, hidden FROM catalog_pieces ORDER BY id")


def _read(data_dir: Path, sql: str) -> list[sqlite3.Row]:
    path = data_dir / DB_NAME
    if not path.exists():
        return []
    conn = connect(path, readonly=True)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError as e:      # an older schema: nothing cached yet
        log.info("no local catalogue yet (%s)", e)
        return []
    finally:
        conn.close()
