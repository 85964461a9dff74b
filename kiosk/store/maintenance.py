"""`kiosk db backup|migrate|schema|restore`: what install.sh does to the database around an upgrade.

Backups use SQLite's online backup API (a consistent copy even with the WAL in use). A
restore never destroys anything: the database it replaces is first kept as
``backups/kiosk-replaced-<time>.db``, so events recorded after the backup can still be
recovered by hand.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import time
from pathlib import Path

from kiosk.store.db import DB_NAME, LATEST, StoreError, connect, explain, migrate_db
from kiosk.store.db import backup as backup_conn
from kiosk.store.outbox import fsync_dir


def _db(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def schema(path: Path) -> int:
    """The file's schema version (PRAGMA user_version); 0 for no database."""
    if not Path(path).exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise StoreError(f"{path}: {explain(e)}") from e


def backup(data_dir: Path, label: str) -> Path | None:
    path = _db(data_dir)
    if not path.exists():
        return None
    try:
        conn = connect(path)
        try:
            return backup_conn(conn, path, label)
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as e:
        msg = explain(e) if isinstance(e, sqlite3.Error) else e.strerror
        raise StoreError(f"cannot back up {path}: {msg}") from e


def migrate(data_dir: Path) -> str:
    path = _db(data_dir)
    before = schema(path)
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        try:
            migrate_db(conn, path)
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise StoreError(f"migrating {path} from v{before}: {explain(e)}") from e
    if before == LATEST:
        return f"{path}: schema v{LATEST}, up to date"
    return f"{path}: schema v{before} -> v{LATEST}"


def _daemon_running(data_dir: Path) -> bool:
    lock = Path(data_dir) / "sync.lock"
    if not lock.exists():
        return False
    with open(lock) as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def restore(data_dir: Path, source: Path) -> str:
    path = _db(data_dir)
    if _daemon_running(data_dir):
        raise StoreError("the sync daemon is running: stop kiosk-app and kiosk-sync first")
    if not source.is_file():
        raise StoreError(f"{source}: no such backup")
    schema(source)                          # refuses a file that is not a database
    kept = ""
    if path.exists():
        kept = str(backup(data_dir, "replaced"))
    tmp = path.with_name(path.name + ".restore")
    try:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as e:
        raise StoreError(f"cannot restore {source} to {path}: {e.strerror}") from e
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    return (f"{when} restored {source.name} (schema v{schema(path)}) to {path}"
            + (f"; the database it replaced is kept as {kept}" if kept else ""))
