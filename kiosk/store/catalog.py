"""The local catalogue's tables: `catalog_jewelers` and `catalog_pieces` (kiosk.catalog.cache
owns the files under catalog/pieces/ each row points at).

The app's reads open their own read-only connection: the catalogue screen polls `version`
while the sync daemon, the only other writer, imports pieces. A missing database, an older
schema or a damaged file reads as an empty catalogue with a log line: the bundled pieces
still work, and the store's own checks deal with the file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.store.db import DB_NAME, Database, connect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Jeweler:
    id: str
    name: str
    accent: str | None
    currency: str | None
    logo_path: Path | None


@dataclass(frozen=True)
class NewPiece:
    """A piece about to be saved (its files are written by kiosk.catalog.cache)."""

    id: str
    jeweler_id: str
    name: str
    category: str
    price: float | None
    width_mm: float                  # the whole image's width in mm (the placement's convention)
    anchor: tuple[int, int]
    style: str = ""


@dataclass(frozen=True)
class StoredPiece:
    """A row of catalog_pieces as its readers need it (the rest is in the piece's manifest)."""

    id: str
    name: str
    folder: str                     # under the data dir
    remote_id: str | None           # the commerce product id
    remote_sig: str | None          # what the import saw last
    hidden: bool                    # gone upstream: not listed, still wearable


_COLUMNS = "id, name, folder, remote_id, remote_sig, hidden"


def save_piece(db: Database, p: NewPiece, *, folder: str, source: str, remote_id: str | None,
               remote_sig: str | None, now: float) -> None:
    """Added, or updated and shown again. `folder` is under the data dir; `source` commerce | staff."""
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
             folder, source, remote_id, remote_sig, now))


def save_jeweler(db: Database, j: Jeweler, *, source: str, now: float) -> None:
    """A jeweler without a logo keeps the one it had."""
    with db.write() as conn:
        conn.execute(
            "INSERT INTO catalog_jewelers (id, name, logo_path, accent, currency, source, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " logo_path = COALESCE(excluded.logo_path, logo_path), accent = excluded.accent,"
            " currency = excluded.currency, updated_at = excluded.updated_at",
            (j.id, j.name, str(j.logo_path) if j.logo_path else None, j.accent, j.currency, source, now))


def ids_like(db: Database, prefix: str) -> set[str]:
    """Ids that may clash with `prefix` (LIKE: `_` matches any character, which only widens it)."""
    return {r[0] for r in db.read("SELECT id FROM catalog_pieces WHERE id LIKE ?", (prefix + "%",))}


def remote_piece(db: Database, source: str, remote_id: str) -> StoredPiece | None:
    """The piece a commerce product became, if it was imported before."""
    rows = db.read(f"SELECT {_COLUMNS} FROM catalog_pieces WHERE source = ? AND remote_id = ?",
                   (source, remote_id))
    return _piece(rows[0]) if rows else None


def listed(db: Database, source: str, jeweler_ids: Sequence[str]) -> list[StoredPiece]:
    """The pieces of these jewelers from `source` that are offered (not hidden)."""
    if not jeweler_ids:
        return []
    marks = ",".join("?" * len(jeweler_ids))
    rows = db.read(f"SELECT {_COLUMNS} FROM catalog_pieces WHERE source = ? AND hidden = 0"
                   f" AND jeweler_id IN ({marks})", (source, *jeweler_ids))
    return [_piece(r) for r in rows]


def _piece(r: sqlite3.Row) -> StoredPiece:
    return StoredPiece(r["id"], r["name"], r["folder"], r["remote_id"], r["remote_sig"], bool(r["hidden"]))


def set_hidden(db: Database, ids: Sequence[str], hidden: bool, *, now: float) -> None:
    """Gone upstream (hidden: no longer offered, still wearable), or back again; one transaction."""
    with db.write() as conn:
        for pid in ids:
            conn.execute("UPDATE catalog_pieces SET hidden = ?, updated_at = ? WHERE id = ?",
                         (int(hidden), now, pid))


def cached_pieces(data_dir: Path) -> list[StoredPiece]:
    """Every piece, hidden ones too, by id."""
    return [_piece(r) for r in _read(data_dir, f"SELECT {_COLUMNS} FROM catalog_pieces ORDER BY id")]


def version(data_dir: Path) -> tuple[object, ...]:
    """Changes whenever a piece is added, updated, hidden or shown again (cheap: the app polls it)."""
    rows = _read(data_dir, "SELECT COUNT(*), MAX(updated_at), SUM(hidden) FROM catalog_pieces")
    return tuple(rows[0]) if rows else ()


def jewelers(data_dir: Path) -> list[Jeweler]:
    return [Jeweler(r["id"], r["name"], r["accent"], r["currency"],
                    data_dir / r["logo_path"] if r["logo_path"] else None)
            for r in _read(data_dir, "SELECT * FROM catalog_jewelers ORDER BY name")]


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
