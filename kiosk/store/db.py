"""SQLite plumbing shared by the app and the sync daemon.

One connection per process does the writing (guarded by a lock), in autocommit mode with
explicit ``BEGIN IMMEDIATE`` so a writer takes the lock up front instead of failing with
SQLITE_BUSY halfway through. WAL lets the daemon read while the app writes;
``synchronous=FULL`` makes a committed event survive a power cut.

The connection and its error are in kiosk.store.connection, the schema's migrations in
kiosk.store.schema; both are re-exported here, where their importers have long found them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.store import damage, datadir
from kiosk.store.connection import BUSY_TIMEOUT_MS, DB_NAME, StoreError, connect, explain
from kiosk.store.schema import LATEST, MIGRATIONS, backup, migrate_db

__all__ = ["BUSY_TIMEOUT_MS", "DB_NAME", "LATEST", "MIGRATIONS", "ChangeWatcher", "Database", "StoreError",
           "backup", "connect", "explain", "migrate_db", "time_bare_commits"]


class Database:
    """The process's single writing connection, opened through the checks of kiosk.store.datadir
    (the data dir takes writes) and kiosk.store.damage (the file is a healthy database)."""

    def __init__(self, data_dir: Path, *, migrate: bool = True):
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        datadir.check_writable(data_dir)
        try:
            self.conn, self._use, self.set_aside = damage.open_database(data_dir, migrate=migrate)
        except (sqlite3.Error, OSError) as e:
            why = explain(e) if isinstance(e, sqlite3.Error) else e.strerror
            raise datadir.explain_open(data_dir, e) or StoreError(f"cannot open {self.path}: {why}") from e
        self.lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back on any exception."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise StoreError(explain(e)) from e
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise StoreError(explain(e)) from e
                raise

    def read(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise StoreError(explain(e)) from e

    def close(self) -> None:
        with self.lock:
            self.conn.close()
            self._use.release()     # after the close: its checkpoint is the last write


class ChangeWatcher:
    """Sees other connections' commits: ``PRAGMA data_version`` changes when another connection
    commits, so the sync daemon learns of a new event with no IPC beyond the database."""

    def __init__(self, path: Path):
        self.conn = connect(path)

    def version(self) -> int:
        try:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as e:
            raise StoreError(explain(e)) from e

    def close(self) -> None:
        self.conn.close()


def time_bare_commits(path: Path, n: int) -> float:
    """Seconds for `n` one-row transactions on a fresh WAL + synchronous=FULL database at `path`
    (the settings of the store's own commits): the floor fsync sets, and a check that the disk
    takes a database at all. Raises sqlite3.Error."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
        t0 = time.perf_counter()
        for _ in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (body) VALUES (?)", ("x" * 300,))
            conn.execute("COMMIT")
        return time.perf_counter() - t0
    finally:
        conn.close()
