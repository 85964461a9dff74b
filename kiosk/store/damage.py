"""A damaged database is noticed, set aside (never deleted) and replaced by a fresh one.

On open (every process that writes: the app, the sync daemon, `kiosk simulate`...) the file
gets a cheap look at its header and size, then ``PRAGMA quick_check`` (~90 ms for 100k outbox
rows with a warm cache). A file that fails either, or a 0-byte file (the kiosk never leaves
one: a new database gets its schema before anyone else may open it), is renamed to
``kiosk.db.damaged-<UTC time>`` with its -wal and -shm as ``...-wal``/``...-shm`` (so
``sqlite3 kiosk.db.damaged-... .recover`` can still read it whole), a fresh database is
started and the technician is told which backup to restore: a log line, ``db-damage.json``
in the data dir (read by `kiosk status`, `kiosk sync status` and the app's banner) until
`kiosk db restore` is run or the kept file is taken away.

Two processes may open the database at the same moment, so the check, the move and the
creation of the fresh file happen under an exclusive flock on ``db-open.lock``; and every
process keeps a shared flock on ``db-use.lock`` while it has the database open. A file that
another process has open is never moved: at start that refuses to open it (writing into a
damaged file makes it worse), and the hourly ``integrity_check`` only reports it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.store.connection import BUSY_TIMEOUT_MS, DB_NAME, StoreError, connect
from kiosk.store.files import fsync_dir, write_file_durably
from kiosk.store.schema import migrate_db

log = logging.getLogger(__name__)

OPEN_LOCK = "db-open.lock"
USE_LOCK = "db-use.lock"
NOTICE = "db-damage.json"
BACKUPS = "backups"
OPEN_WAIT_S = 30.0
HEADER = b"SQLite format 3\x00"
_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_STOP = "stop kiosk-app and kiosk-sync"


class DamagedInUse(StoreError):
    """Damaged, but another process has it open: it stays where it is."""


def is_damage(e: sqlite3.Error) -> bool:
    return str(getattr(e, "sqlite_errorname", "")).startswith(_DAMAGE)


def _ro(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = f"{path.absolute().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _wal_empty(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size == 0


def _utc(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


# ---- what is wrong with a file ------------------------------------------------------------

def header_verdict(path: Path) -> str | None:
    """What is wrong with the file from its size and header alone (cheap: `kiosk status`)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None                 # absent, or unreadable: opening it says why
    if size == 0:
        return "the file is empty, 0 bytes"
    if not head.startswith(HEADER):
        return "file is not a database: its header is not SQLite's"
    if len(head) < 100:
        return f"the file is truncated to {size} bytes"
    raw = struct.unpack(">H", head[16:18])[0]
    page = 65536 if raw == 1 else raw
    counter, pages, valid_for = (struct.unpack(">I", head[o:o + 4])[0] for o in (24, 28, 92))
    # With WAL content the main file may lawfully lag its header (a checkpoint cut short by a
    # crash is finished from the WAL): quick_check, which reads through the WAL, decides then.
    if _wal_empty(path) and counter == valid_for and pages and size < pages * page:
        return f"the file is truncated to {size // page} of {pages} pages"
    return None


def verdict(path: Path, *, alone: bool = False) -> str | None:
    """Why `path` is not a usable database, or None (healthy, or absent). `alone`: no other
    process has it open (nor can open it meanwhile: the caller holds open_lock)."""
    why = header_verdict(path)
    if why is not None or not path.exists():
        return why
    try:
        # Read-only, so closing it does not checkpoint a WAL into a file about to be kept; and
        # when the main file is the whole database and nobody writes it, immutable, so no
        # -wal/-shm is created beside it either.
        conn = _ro(path, immutable=alone and _wal_empty(path))
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as e:
        return str(e) if is_damage(e) else None     # busy, locked...: not the file's fault
    bad = [str(r[0]) for r in rows if r[0] != "ok"]
    return ("quick_check: " + "; ".join(bad))[:300] if bad else None


def newest_backup(data_dir: Path) -> Path | None:
    """The newest file in backups/ that is a healthy database."""
    folder = Path(data_dir) / BACKUPS
    if not folder.is_dir():
        return None
    for p in sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True):
        if verdict(p, alone=True) is None:         # nobody writes a backup
            return p
    return None


# ---- locks --------------------------------------------------------------------------------

def _lockfd(path: Path) -> int:
    # Read-only is enough for flock, and lets the kiosk user lock a file root created (a
    # technician's `sudo kiosk db restore`).
    return os.open(path, os.O_RDONLY | os.O_CREAT, 0o660)


@contextmanager
def open_lock(data_dir: Path) -> Iterator[None]:
    """One process at a time checks, sets aside, creates or replaces the database."""
    path = Path(data_dir) / OPEN_LOCK
    fd = _lockfd(path)
    try:
        deadline = time.monotonic() + OPEN_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(f"another process has held {path} for {OPEN_WAIT_S:.0f} s"
                                     " while opening the database") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)            # releases the flock


class UseLock:
    """A shared flock on db-use.lock for as long as this process has the database open."""

    def __init__(self, data_dir: Path):
        self._fd: int | None = _lockfd(Path(data_dir) / USE_LOCK)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@contextmanager
def _nobody_else(data_dir: Path) -> Iterator[bool]:
    """True (and held) when no process has the database open."""
    fd = _lockfd(Path(data_dir) / USE_LOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            alone = False
        yield alone
    finally:
        os.close(fd)


def in_use(data_dir: Path) -> bool:
    with _nobody_else(data_dir) as alone:
        return not alone


# ---- setting aside ------------------------------------------------------------------------

def set_aside(data_dir: Path, path: Path, why: str) -> Path:
    """Rename the file with its -wal/-shm to kiosk.db.damaged-<UTC time>; the caller holds open_lock."""
    with _nobody_else(data_dir) as alone:
        if not alone:
            raise DamagedInUse(f"{path} is damaged ({why}) and another process has it open: "
                               + restore_hint(newest_backup(data_dir), in_use=True))
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        kept = path.with_name(f"{path.name}.damaged-{stamp}")
        n = 1
        while kept.exists():
            n += 1
            kept = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        os.rename(path, kept)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.rename(side, f"{kept}{suffix}")
        fsync_dir(path.parent)
    return kept


def open_database(data_dir: Path, *, migrate: bool = True) -> tuple[sqlite3.Connection, UseLock, Path | None]:
    """The checked writing connection, its use lock, and the file set aside if there was one."""
    path = Path(data_dir) / DB_NAME
    kept = None
    with open_lock(data_dir):
        why = verdict(path, alone=not in_use(data_dir))
        if why is not None:
            try:
                kept = set_aside(data_dir, path, why)
            except DamagedInUse as e:
                _note_in_use(data_dir, why)
                log.error("%s", e)
                raise
            _note_set_aside(data_dir, kept, why)
        fresh = not path.exists()
        conn = connect(path)
        try:
            if migrate or fresh:        # a new file gets its schema before the lock is let go
                migrate_db(conn, path)
            held = UseLock(data_dir)
        except BaseException:
            conn.close()
            raise
    return conn, held, kept


# ---- telling the technician ---------------------------------------------------------------

def restore_hint(backup: Path | None, *, in_use: bool = False) -> str:
    if backup is not None:
        return (f"to get back what it held up to {_utc(backup.stat().st_mtime)}, {_STOP} and run: "
                f"kiosk db restore {backup}" + (" (the damaged file is kept aside)" if in_use else ""))
    if in_use:
        return ("there is no backup to restore: restart kiosk-app and kiosk-sync (the first to start"
                " sets the file aside and starts a fresh one)")
    return ("there is no backup in backups/ to restore: what it held can only be salvaged by hand"
            " (sqlite3 FILE .recover)")


def _load(data_dir: Path) -> dict[str, Any]:
    """db-damage.json: {"set_aside": [{at, kept, reason, backup}...], "in_use": {at, reason, backup}|null}."""
    try:
        raw = json.loads((Path(data_dir) / NOTICE).read_text())
    except (OSError, ValueError):
        raw = None
    raw = raw if isinstance(raw, dict) else {}
    aside = raw.get("set_aside")
    return {"set_aside": [e for e in aside if isinstance(e, dict)] if isinstance(aside, list) else [],
            "in_use": raw["in_use"] if isinstance(raw.get("in_use"), dict) else None}


def _update(data_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    notice = _load(data_dir)
    before = json.dumps(notice, sort_keys=True)
    change(notice)
    if json.dumps(notice, sort_keys=True) == before:
        return
    path = Path(data_dir) / NOTICE
    try:
        if notice["set_aside"] or notice["in_use"]:
            write_file_durably(path, json.dumps(notice, indent=1).encode())
        else:
            path.unlink(missing_ok=True)
    except OSError as e:        # the log line is the technician's record then
        log.warning("cannot keep the database damage notice in %s: %s", path, e.strerror)


def _entry(data_dir: Path, why: str, **more: str) -> dict[str, Any]:
    backup = newest_backup(data_dir)
    return {"at": time.time(), "reason": why, "backup": str(backup) if backup else None, **more}


def _backup(e: dict[str, Any]) -> Path | None:
    """The backup an entry names, while it is still there."""
    b = e.get("backup")
    return Path(b) if isinstance(b, str) and Path(b).is_file() else None


def _note_set_aside(data_dir: Path, kept: Path, why: str) -> None:
    entry = _entry(data_dir, why, kept=kept.name)

    def change(n: dict[str, Any]) -> None:
        n["set_aside"].append(entry)
        n["in_use"] = None

    _update(data_dir, change)
    log.error("%s", _set_aside_line(Path(data_dir), entry))


def _note_in_use(data_dir: Path, why: str) -> dict[str, Any]:
    def change(n: dict[str, Any]) -> None:
        if not n["in_use"] or n["in_use"].get("reason") != why:
            n["in_use"] = _entry(data_dir, why)

    _update(data_dir, change)
    return _load(data_dir)["in_use"] or _entry(data_dir, why)


def _set_aside_line(data_dir: Path, e: dict[str, Any]) -> str:
    return (f"the database was damaged ({e.get('reason')}): set aside at {_utc(float(e.get('at', 0)))}"
            f" as {data_dir / str(e.get('kept'))} and a fresh one started; " + restore_hint(_backup(e)))


def _in_use_line(e: dict[str, Any]) -> str:
    return (f"the database is damaged ({e.get('reason')}; found {_utc(float(e.get('at', 0)))}) and in use: "
            + restore_hint(_backup(e), in_use=True))


def protected(data_dir: Path) -> set[Path]:
    """The backups the notice tells the technician to restore: housekeeping keeps them."""
    n = _load(data_dir)
    return {b.resolve() for e in [*n["set_aside"], n["in_use"] or {}] if (b := _backup(e))}


def problems(data_dir: Path) -> list[str]:
    """One line per damage the technician has not dealt with yet (cheap: no quick_check)."""
    data_dir = Path(data_dir)
    n = _load(data_dir)
    out = [_set_aside_line(data_dir, e) for e in n["set_aside"] if (data_dir / str(e.get("kept"))).exists()]
    if n["in_use"]:
        out.append(_in_use_line(n["in_use"]))
    why = header_verdict(data_dir / DB_NAME)
    if why is not None and not n["in_use"]:
        out.append(not_yet_aside(data_dir, why))
    return out


def not_yet_aside(data_dir: Path, why: str) -> str:
    """A damaged file that no process has opened since (both stopped, or still starting)."""
    return (f"{Path(data_dir) / DB_NAME} is damaged ({why}): the app or the sync daemon sets it aside and"
            " starts a fresh one when it starts; " + restore_hint(newest_backup(data_dir)))


def check_in_use(data_dir: Path) -> str | None:
    """The hourly ``PRAGMA integrity_check`` of the open database (read-only connection, so the
    writers are not held up). Damage is reported, never moved: the file is in use."""
    path = Path(data_dir) / DB_NAME
    why: str | None
    try:
        conn = _ro(path)
        try:
            rows = conn.execute("PRAGMA integrity_check(5)").fetchall()
        finally:
            conn.close()
        bad = [str(r[0]) for r in rows if r[0] != "ok"]
        why = ("integrity_check: " + "; ".join(bad))[:300] if bad else None
    except sqlite3.Error as e:
        if not is_damage(e):
            log.warning("integrity check of %s skipped: %s", path, e)
            return None
        why = str(e)
    if why is None:
        _update(data_dir, lambda n: n.update(in_use=None))
        return None
    return _in_use_line(_note_in_use(data_dir, why))


def clear(data_dir: Path) -> None:
    """The technician restored a backup: nothing left to tell."""
    _update(data_dir, lambda n: n.update(set_aside=[], in_use=None))
