"""Retention and deletion of face data, and what the kiosk may read back about a person.

Only consented persons exist in the `persons` table (EventStore.record_person demands a
Consent). Their vector and photo are kept `[privacy] retention_days` after the last consented
visit; `expire` deletes what is older, `forget` deletes a person on request. Deleting also
drops that person's rows still waiting in the outbox, so data that never left the device
never will. A person already in the cloud gets a queued PUT that blanks their name and phone;
seed 001 has no delete endpoint, so the vector and photo there have to be removed by the
cloud's operator: `forget` returns the cloud ids so the technician can say which.
Nothing biometric (vectors, photos) is written to logs; only counts and local ids.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.store.outbox import EventStore

log = logging.getLogger(__name__)


@dataclass
class Forgotten:
    local_ids: list[str] = field(default_factory=list)
    cloud_ids: list[str] = field(default_factory=list)
    unsent_dropped: int = 0


@dataclass(frozen=True)
class History:
    local_id: str
    cloud_id: str | None
    full_name: str | None
    phone: str | None
    last_visit: float | None
    tried: list[str]            # names of pieces tried in earlier visits, most recent first


def _delete(store: EventStore, conn: sqlite3.Connection, local_ids: list[str], out: Forgotten) -> list[Path]:
    files = []
    for lid in local_ids:
        row = conn.execute("SELECT cloud_id, image_path FROM persons WHERE local_id = ?", (lid,)).fetchone()
        if row is None:
            continue
        if row["cloud_id"]:
            out.cloud_ids.append(row["cloud_id"])
            store.queue_erase(conn, lid, row["cloud_id"])
        if row["image_path"]:
            files.append(store.data_dir / row["image_path"])
        out.unsent_dropped += conn.execute(
            "DELETE FROM outbox WHERE person_id = ? AND state != 'delivered'", (lid,)).rowcount
        # Delivered rows keep their audit trail but lose the personal payload.
        conn.execute("UPDATE outbox SET payload = '{}' WHERE person_id = ?", (lid,))
        conn.execute("UPDATE sessions SET person_id = NULL WHERE person_id = ?", (lid,))
        conn.execute("DELETE FROM persons WHERE local_id = ?", (lid,))
        out.local_ids.append(lid)
    return files


EPOCH_KEY = "privacy_epoch"


def _bump_epoch(conn: sqlite3.Connection) -> None:
    """Tells other processes (the app's in-memory gallery) that persons were deleted."""
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, '1') ON CONFLICT (key)"
                 " DO UPDATE SET value = CAST(value AS INTEGER) + 1", (EPOCH_KEY,))


def epoch(store: EventStore) -> int:
    rows = store.db.read("SELECT value FROM sync_state WHERE key = ?", (EPOCH_KEY,))
    return int(rows[0][0]) if rows else 0


def _remove_files(files: list[Path]) -> None:
    # After the commit: a crash in between leaves an orphan photo for the next run, never a
    # row pointing at nothing.
    for f in files:
        try:
            f.unlink(missing_ok=True)
        except OSError as e:
            log.warning("could not delete a person photo (%s)", e.strerror)


def expire(store: EventStore) -> Forgotten:
    """Delete persons whose retention ran out."""
    out = Forgotten()
    with store.db.write() as conn:
        ids = [r[0] for r in conn.execute("SELECT local_id FROM persons WHERE expires_at IS NOT NULL"
                                          " AND expires_at < ?", (store.clock(),))]
        files = _delete(store, conn, ids, out)
        if out.local_ids:
            _bump_epoch(conn)
    _remove_files(files)
    if out.local_ids:
        log.info("retention: deleted %d expired face record(s)", len(out.local_ids))
    return out


def forget(store: EventStore, *, phone: str | None = None, person: str | None = None) -> Forgotten:
    """Delete everything local about a person, found by phone or by local/cloud id."""
    if not phone and not person:
        raise ValueError("say whom to forget: a phone number or a person id")
    out = Forgotten()
    with store.db.write() as conn:
        if phone:
            ids = [r[0] for r in conn.execute("SELECT local_id FROM persons WHERE phone = ?", (phone,))]
            ids += [r[0] for r in conn.execute("SELECT person_id FROM sessions WHERE customer_phone = ?"
                                               " AND person_id IS NOT NULL", (phone,))]
            conn.execute("UPDATE sessions SET customer_name = '', customer_phone = '', customer_email = ''"
                         " WHERE customer_phone = ?", (phone,))
        else:
            ids = [r[0] for r in conn.execute("SELECT local_id FROM persons"
                                              " WHERE local_id = ? OR cloud_id = ?", (person, person))]
        files = _delete(store, conn, sorted(set(ids)), out)
        _bump_epoch(conn)
    _remove_files(files)
    log.info("forget: deleted %d person record(s), dropped %d unsent row(s)",
             len(out.local_ids), out.unsent_dropped)
    return out


def gallery_rows(store: EventStore) -> list[tuple[str, list[float]]]:
    """(local id, vector) of every consented, unexpired person, for the recognition gallery."""
    rows = store.db.read("SELECT local_id, vector FROM persons WHERE expires_at IS NULL OR expires_at >= ?",
                         (store.clock(),))
    return [(r["local_id"], list(struct.unpack("<128d", r["vector"]))) for r in rows]


def history(store: EventStore, local_id: str) -> History | None:
    rows = store.db.read("SELECT cloud_id, full_name, phone, last_seen FROM persons WHERE local_id = ?",
                         (local_id,))
    if not rows:
        return None
    p = rows[0]
    visits = store.db.read("SELECT tried, started_at FROM sessions WHERE person_id = ?"
                           " ORDER BY started_at DESC LIMIT 5", (local_id,))
    tried: list[str] = []
    for v in visits:
        for _pid, name in json.loads(v["tried"]):
            if name not in tried:
                tried.append(name)
    last = visits[0]["started_at"] if visits else p["last_seen"]
    return History(local_id, p["cloud_id"], p["full_name"], p["phone"], last, tried)
