"""`kiosk db backup|migrate|schema|restore`: what install.sh does to the database around an upgrade.

Backups use SQLite's online backup API (a consistent copy even with the WAL in use). A
restore never destroys anything: the database it replaces is first kept as
``backups/kiosk-replaced-<time>.db`` (or, when that file is damaged and cannot be copied, set
aside whole as ``kiosk.db.damaged-<time>``), so events recorded after the backup can still be
recovered by hand. It refuses while any process has the database open (see kiosk.store.damage).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import time
from pathlib import Path

from kiosk.store import damage
from kiosk.store.db import DB_NAME, LATEST, Database, StoreError, connect, explain
from kiosk.store.db import backup as backup_conn
from kiosk.store.files import fsync_dir


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
    try:
        # Not even opened when its header is wrong: it is kept aside exactly as it is.
        before = schema(path) if damage.header_verdict(path) is None else -1
    except StoreError:
        before = -1                 # damaged: opening it below sets it aside
    db = Database(Path(data_dir))   # the same checked, locked open as the app's and the daemon's
    db.close()
    if db.set_aside is not None:
        return (f"{path}: was damaged, set aside as {db.set_aside.name}; a fresh database at schema "
                f"v{LATEST} was started (kiosk status names the backup to restore)")
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
    why = damage.verdict(source, alone=True)
    if why is not None:
        raise StoreError(f"{source} is not a healthy database ({why}): choose another backup")
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with damage.open_lock(data_dir):
            if damage.in_use(data_dir):
                raise StoreError("the database is open in another process: stop kiosk-app and kiosk-sync"
                                 " first")
            kept = _keep_current(data_dir, path)
            tmp = path.with_name(path.name + ".restore")
            shutil.copyfile(source, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, path)
            fsync_dir(path.parent)
    except OSError as e:
        raise StoreError(f"cannot restore {source} to {path}: {e.strerror}") from e
    damage.clear(data_dir)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    return (f"{when} restored {source.name} (schema v{schema(path)}) to {path}"
            + (f"; the database it replaced is kept as {kept}" if kept else ""))


def _keep_current(data_dir: Path, path: Path) -> str:
    """Keep the database about to be replaced: a backup copy, or the whole file when damaged."""
    if not path.exists():
        return ""
    why = damage.verdict(path)
    if why is None:
        return str(backup(data_dir, "replaced"))
    return str(damage.set_aside(data_dir, path, why))
