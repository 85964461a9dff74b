"""The schema: numbered migrations tracked in ``PRAGMA user_version``, the one place a schema
change is written.

Before migrating an existing database it is copied to ``backups/`` with SQLite's online backup
API, so a failed upgrade can be rolled back by restoring that file.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from kiosk.store.connection import StoreError

log = logging.getLogger(__name__)

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY,        -- creation order
        id              TEXT NOT NULL,              -- uuid4, sent as Idempotency-Key
        kind            TEXT NOT NULL,              -- event | person.* | image.upload | share.send
        stream          TEXT NOT NULL,              -- rows of one stream are sent in seq order
        session_id      TEXT,
        person_id       TEXT,                       -- persons.local_id for person.* rows
        payload         TEXT NOT NULL,              -- JSON
        blob_path       TEXT,                       -- file under the data dir sent with the row
        created_at      REAL NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        last_error      TEXT,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'delivered', 'dead')),
        delivered_at    REAL,
        response        TEXT                        -- event_id / person id from the cloud
    );
    -- The only index: every extra b-tree is another page in each fsync'd commit, and
    -- recording speed is bounded by those commits. Status queries scan instead.
    CREATE INDEX outbox_pending ON outbox (stream, seq) WHERE state = 'pending';

    CREATE TABLE persons (
        local_id    TEXT PRIMARY KEY,
        cloud_id    TEXT,
        session_id  TEXT,
        vector      BLOB NOT NULL,                  -- 128 float64, little endian
        image_path  TEXT,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL
    );

    CREATE TABLE sync_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """),
]
MIGRATIONS.append((2, """
    -- Consent and retention for face data; the visit record the seller's screens read back.
    ALTER TABLE persons ADD COLUMN consented_at REAL;
    ALTER TABLE persons ADD COLUMN consent_version TEXT;
    ALTER TABLE persons ADD COLUMN expires_at REAL;
    ALTER TABLE persons ADD COLUMN full_name TEXT;
    ALTER TABLE persons ADD COLUMN phone TEXT;
    ALTER TABLE persons ADD COLUMN last_seen REAL;
    CREATE INDEX persons_expiry ON persons (expires_at);
    CREATE INDEX persons_phone ON persons (phone);

    CREATE TABLE sessions (
        id              TEXT PRIMARY KEY,
        started_at      REAL NOT NULL,
        ended_at        REAL,
        seller_id       TEXT NOT NULL,
        jeweler_id      TEXT NOT NULL,
        customer_name   TEXT NOT NULL DEFAULT '',
        customer_phone  TEXT NOT NULL DEFAULT '',
        customer_email  TEXT NOT NULL DEFAULT '',
        consent_at      REAL,
        consent_version TEXT,
        person_id       TEXT,                       -- persons.local_id when consented
        tried           TEXT NOT NULL DEFAULT '[]', -- JSON [[id, name], ...] in order tried
        sale_made       INTEGER
    );
    CREATE INDEX sessions_person ON sessions (person_id, started_at);
    """))
MIGRATIONS.append((3, """
    -- Try-on photos offered to customers (QR page, WhatsApp, email) and each send of one.
    CREATE TABLE shares (
        token        TEXT PRIMARY KEY,              -- >= 128 random bits, the only key to the page
        session_id   TEXT NOT NULL,
        image_path   TEXT NOT NULL,                 -- branded JPEG under the data dir
        created_at   REAL NOT NULL,
        expires_at   REAL NOT NULL,
        jewelry_id   TEXT NOT NULL,
        jewelry_name TEXT NOT NULL,
        price        REAL,
        image_url    TEXT,                          -- public URLs once the daemon uploaded it
        page_url     TEXT
    );
    CREATE TABLE share_sends (
        id           TEXT PRIMARY KEY,
        token        TEXT NOT NULL,
        session_id   TEXT NOT NULL,
        channel      TEXT NOT NULL,
        destination  TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
        message_sid  TEXT NOT NULL DEFAULT '',
        error        TEXT NOT NULL DEFAULT '',
        event_payload TEXT NOT NULL,                -- image.shared fields known at send time
        recorded     INTEGER NOT NULL DEFAULT 0,    -- its image.shared event is in the outbox
        created_at   REAL NOT NULL,
        updated_at   REAL NOT NULL
    );
    CREATE INDEX share_sends_session ON share_sends (session_id);
    """))
MIGRATIONS.append((4, """
    -- The local catalogue the app reads (works offline): jewelers and the pieces prepared
    -- for try-on under catalog/pieces/<id>/ (manifest.json + PNG). Bundled demo pieces stay
    -- under assets/; rows here are imported (commerce API) or added by staff.
    CREATE TABLE catalog_jewelers (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        logo_path   TEXT,                           -- under the data dir
        accent      TEXT,                           -- #rrggbb
        currency    TEXT,
        source      TEXT NOT NULL,                  -- commerce | staff
        updated_at  REAL NOT NULL
    );
    CREATE TABLE catalog_pieces (
        id          TEXT PRIMARY KEY,
        jeweler_id  TEXT NOT NULL,
        name        TEXT NOT NULL,
        category    TEXT NOT NULL,
        price       REAL,
        width_mm    REAL NOT NULL,
        anchor_x    REAL NOT NULL,
        anchor_y    REAL NOT NULL,
        folder      TEXT NOT NULL,                  -- under the data dir
        source      TEXT NOT NULL,                  -- commerce | staff
        remote_id   TEXT,                           -- the commerce product id
        remote_sig  TEXT,                           -- what the import saw last (skip if unchanged)
        hidden      INTEGER NOT NULL DEFAULT 0,     -- gone upstream: not listed, still wearable
        updated_at  REAL NOT NULL
    );
    CREATE UNIQUE INDEX catalog_pieces_remote ON catalog_pieces (source, remote_id);
    """))
MIGRATIONS.append((5, """
    -- Bit 1: an attempt whose outcome is unknown (answer lost after the request may have been
    -- carried out); bit 2: a person create on the wire whose outcome is not recorded yet. The
    -- next attempt of a person create with either looks the record up first.
    ALTER TABLE outbox ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
    """))
MIGRATIONS.append((6, """
    -- The try-on clip (H.264 MP4) shared with the photo, when one was recorded.
    ALTER TABLE shares ADD COLUMN clip_path TEXT;   -- under the data dir, beside the photo
    ALTER TABLE shares ADD COLUMN clip_url TEXT;    -- its public URL once uploaded
    """))
LATEST = MIGRATIONS[-1][0]


def migrate_db(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise StoreError(f"{path} has schema v{version}, newer than this kiosk (v{LATEST}): "
                         "it was written by a newer release; roll forward or restore a backup")
    if version == LATEST:
        return
    if version > 0:
        backup(conn, path, f"v{version}")
    for number, sql in MIGRATIONS:
        if number <= version:
            continue
        log.info("migrating %s to schema v%d", path, number)
        # executescript would COMMIT on its own; run statement by statement in one txn.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _statements(sql):
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> Iterator[str]:
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf
            buf = ""
    if buf.strip():
        yield buf


def backup(conn: sqlite3.Connection, path: Path, label: str) -> Path:
    dest_dir = path.parent / "backups"
    dest_dir.mkdir(exist_ok=True)
    dest = dest_dir / f"{path.stem}-{label}-{time.strftime('%Y%m%dT%H%M%S')}.db"
    with sqlite3.connect(dest) as out:
        conn.backup(out)
        # A self-contained file: opening it later (even read-only) must not leave -wal/-shm.
        out.execute("PRAGMA journal_mode = DELETE")
    out.close()
    log.info("backed up %s to %s", path, dest)
    return dest
