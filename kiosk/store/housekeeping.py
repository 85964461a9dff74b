"""Storage housekeeping, run hourly by the sync daemon: the kiosk must never fill its disk.

What may go, and when:
- a photo (share JPEG, face photo sent with a person record) once every outbox row that
  carries it is delivered and the delivery is older than ``[store] keep_images_days``; a
  photo still pending or dead-lettered is never touched (it is the only copy); a share's
  try-on clip goes with its photo (they are uploaded together);
- delivered outbox rows after ``keep_delivered_days`` (their count is carried in
  ``sync_state.delivered_pruned`` so the totals stay right); pending and dead rows never go;
- files under persons/ and shares/ that no row mentions (a crash between writing the file
  and its transaction), after a day;
- database backups beyond the newest three.
The database is checkpointed every run and vacuumed when a quarter of it is free pages.

Every run starts with ``PRAGMA integrity_check`` (~0.1 s for 100k outbox rows, on its own
read-only connection so nothing waits for it). A damaged database stops the run: nothing is
deleted on the word of a file that may be lying about what was delivered. It is reported (a
log line, `kiosk status`, the app's banner: kiosk.store.damage) but not moved, since both
processes have it open; the backup the technician is told to restore is never pruned here.

Under low disk (free space below ``[store] min_free_mb``) the age limits are dropped: every
delivered photo and row goes at once and only the newest backup is kept. Undelivered events
and photos are kept whatever the disk says; the app meanwhile stops storing new face
records (see kiosk.session.visit), the one kind of data the store can do without.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.store import damage
from kiosk.store.db import StoreError, explain
from kiosk.store.outbox import PERSON_DIR, EventStore
from kiosk.store.shares import SHARE_DIR

log = logging.getLogger(__name__)

DAY = 86400.0
ORPHAN_AGE_S = DAY
KEEP_BACKUPS = 3
VACUUM_FREE_RATIO = 0.25
VACUUM_MIN_PAGES = 256


@dataclass
class Swept:
    photos_deleted: int = 0
    bytes_freed: int = 0
    rows_pruned: int = 0
    orphans_deleted: int = 0
    backups_deleted: int = 0
    vacuumed: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.photos_deleted} delivered photo(s) and {self.orphans_deleted} orphan file(s) deleted"
                f" ({self.bytes_freed / 1e6:.1f} MB), {self.rows_pruned} delivered row(s) pruned,"
                f" {self.backups_deleted} old backup(s) deleted"
                + (", database vacuumed" if self.vacuumed else ""))


def _remove(path: Path, swept: Swept) -> bool:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as e:
        swept.notes.append(f"cannot delete {path}: {e.strerror}")
        return False
    swept.bytes_freed += size
    return True


def sweep(store: EventStore, *, keep_images_days: float, keep_delivered_days: float,
          low_disk: bool = False, now: float | None = None) -> Swept:
    now = store.clock() if now is None else now
    image_cutoff = now if low_disk else now - keep_images_days * DAY
    row_cutoff = now if low_disk else now - keep_delivered_days * DAY
    swept = Swept()
    broken = damage.check_in_use(store.data_dir)
    if broken is not None:
        raise StoreError(f"nothing swept: {broken}")
    try:
        _photos(store, image_cutoff, swept)
        _rows(store, row_cutoff, image_cutoff, swept)
        _orphans(store, now, swept)
    except sqlite3.Error as e:
        raise StoreError(explain(e)) from e
    keep = 1 if low_disk else KEEP_BACKUPS
    _backups(store.data_dir / "backups", keep, damage.protected(store.data_dir), swept)
    swept.vacuumed = compact(store)
    return swept


def _photos(store: EventStore, cutoff: float, swept: Swept) -> None:
    # In one write transaction: nothing can queue the same file again between the check and
    # the delete (every writer takes BEGIN IMMEDIATE first).
    with store.db.write() as conn:
        rows = conn.execute(
            "SELECT DISTINCT blob_path FROM outbox o WHERE blob_path IS NOT NULL AND state = 'delivered'"
            " AND delivered_at < ? AND NOT EXISTS (SELECT 1 FROM outbox u WHERE u.blob_path = o.blob_path"
            " AND u.state != 'delivered')", (cutoff,)).fetchall()
        gone = []
        for (rel,) in rows:
            path = store.data_dir / rel
            if _remove(path, swept):
                swept.photos_deleted += 1
                gone.append(rel)
            elif not path.exists():
                gone.append(rel)
            for (clip,) in conn.execute("SELECT clip_path FROM shares WHERE image_path = ?"
                                        " AND clip_path IS NOT NULL", (rel,)).fetchall():
                _remove(store.data_dir / clip, swept)
        # A person's photo is only ever needed for its create request; the path goes too.
        conn.executemany("UPDATE persons SET image_path = NULL WHERE image_path = ?", [(g,) for g in gone])


def _rows(store: EventStore, cutoff: float, image_cutoff: float, swept: Swept) -> None:
    with store.db.write() as conn:
        # A row that carried a photo stays until the photo's own time is up: it is how the
        # photo sweep knows the file was delivered.
        n = conn.execute("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?"
                         " AND (blob_path IS NULL OR delivered_at < ?)", (cutoff, image_cutoff)).rowcount
        if n:
            conn.execute("INSERT INTO sync_state (key, value) VALUES ('delivered_pruned', ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?", (n, n))
    swept.rows_pruned = n


def _orphans(store: EventStore, now: float, swept: Swept) -> None:
    known: set[str] = set()
    for sql in ("SELECT blob_path FROM outbox WHERE blob_path IS NOT NULL",
                "SELECT image_path FROM persons WHERE image_path IS NOT NULL",
                "SELECT image_path FROM shares",
                "SELECT clip_path FROM shares WHERE clip_path IS NOT NULL"):
        known.update(r[0] for r in store.db.read(sql))
    for sub in (PERSON_DIR, SHARE_DIR):
        folder = store.data_dir / sub
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            rel = f"{sub}/{path.name}"
            try:
                old = now - path.stat().st_mtime > ORPHAN_AGE_S
            except OSError:
                continue
            if path.is_file() and old and rel not in known and _remove(path, swept):
                swept.orphans_deleted += 1


def _backups(folder: Path, keep: int, protected: set[Path], swept: Swept) -> None:
    if not folder.is_dir():
        return
    backups = sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in backups[keep:]:
        if old.resolve() in protected:
            continue
        if _remove(old, swept):
            swept.backups_deleted += 1


def compact(store: EventStore) -> bool:
    """WAL checkpoint always; VACUUM when free pages are a quarter of the file and there is
    room for the copy VACUUM writes. Returns whether it vacuumed."""
    conn = store.db.conn
    with store.db.lock:
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        except sqlite3.Error as e:
            log.warning("checkpoint: %s", explain(e))
            return False
        if pages < VACUUM_MIN_PAGES or free < VACUUM_FREE_RATIO * pages:
            return False
        st = os.statvfs(store.data_dir)
        if st.f_bavail * st.f_frsize < 2 * pages * page_size:
            log.warning("database is %d%% free pages but the disk has no room to vacuum it",
                        100 * free // pages)
            return False
        t0 = time.monotonic()
        try:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            log.warning("vacuum: %s", explain(e))
            return False
        log.info("vacuumed the database (%d of %d pages were free) in %.1f s", free, pages,
                 time.monotonic() - t0)
        return True
