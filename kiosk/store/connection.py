"""Connections to the kiosk's SQLite file, and the one error type of the store.

Writers run in autocommit mode with explicit ``BEGIN IMMEDIATE`` (kiosk.store.db.Database), in
WAL so the daemon reads while the app writes, with ``synchronous=FULL`` so a committed event
survives a power cut.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DB_NAME = "kiosk.db"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A storage problem a seller or technician can act on (disk full, read-only, corrupt)."""


def explain(e: sqlite3.Error) -> str:
    msg = str(e)
    low = msg.lower()
    if "full" in low:
        return f"the data disk is full ({msg}); free space or raise the limit, nothing was lost"
    if "readonly" in low or "read-only" in low:
        return f"the data directory is read-only ({msg}); check its permissions and mount"
    if "malformed" in low or "not a database" in low:
        return (f"the database file is damaged ({msg}): the app or the sync daemon sets it aside and starts"
                " a fresh one when it starts; see kiosk status for the backup to restore")
    if "locked" in low or "busy" in low:
        return f"the database stayed locked by another process ({msg})"
    return msg


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn
