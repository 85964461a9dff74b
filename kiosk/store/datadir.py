"""Can the data dir take writes? One line naming the dir and the cause, for every process.

A read-only mount, a full disk or a wrong owner is not a bug to show as a traceback: the
commands print ``data dir /var/lib/kiosk: read-only file system (...)`` and exit non-zero,
the sync daemon exits the same way (systemd starts it again every RestartSec, so it resumes
by itself once the disk is fixed) and the app shows it on its technician banner.

Two probes: `check_writable` really writes (a small file, fsync'd) and runs once when a
process opens the database, because a full disk lets SQLite open and read and only fails on
the first commit; `problem` only asks the file system (statvfs, access) and is cheap enough
for the app to poll every few seconds and for `kiosk status`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from kiosk.store.connection import StoreError

# What one probe writes, and the free space below which the disk counts as full: a commit
# of a few events needs a handful of 4 KB pages in the WAL, plus the fsync'd probe itself.
PROBE_BYTES = 64 * 1024

_CAUSES = {
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied (check the owner of the data dir)",
    errno.EPERM: "permission denied (check the owner of the data dir)",
}
# SQLite's words for the same causes, when it is SQLite that hit them first.
_SQLITE_OS_ERRORS = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_PERM")


class DataDirError(StoreError):
    """The data dir cannot take writes: nothing can be recorded or sent until it is fixed."""

    def __init__(self, data_dir: Path, cause: str):
        self.data_dir, self.cause = Path(data_dir), cause
        super().__init__(f"data dir {data_dir}: {cause} (nothing can be recorded until it is fixed)")


def cause(e: OSError) -> str:
    return _CAUSES.get(e.errno or 0) or e.strerror or str(e)


def existing(path: Path) -> Path:
    """`path` or its nearest existing parent (a data dir not created yet is judged by its parent)."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def problem(data_dir: Path) -> str | None:
    """Why the data dir cannot take writes now, from the file system's own figures (no write)."""
    probe = existing(data_dir)
    try:
        st = os.statvfs(probe)
    except OSError as e:
        return cause(e)
    if st.f_flag & os.ST_RDONLY:
        return _CAUSES[errno.EROFS]
    if not os.access(probe, os.W_OK):
        return _CAUSES[errno.EACCES]
    free = st.f_bavail * st.f_frsize
    if free < PROBE_BYTES:
        return f"{_CAUSES[errno.ENOSPC]}, {free // 1024} KB free"
    return None


def problem_line(data_dir: Path) -> str | None:
    """`problem` as the one line every command prints, or None."""
    why = problem(data_dir)
    return str(DataDirError(data_dir, why)) if why else None


def check_writable(data_dir: Path) -> None:
    """Create the data dir if needed and write an fsync'd probe; raises DataDirError."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataDirError(data_dir, f"{cause(e)}; it cannot be created") from e
    probe = data_dir / f".write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(bytes(PROBE_BYTES))
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise DataDirError(data_dir, cause(e)) from e
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass                # on a read-only file system it was never created


def explain_open(data_dir: Path, e: sqlite3.Error | OSError) -> DataDirError | None:
    """The data dir's own problem behind an error opening the database, if it has one."""
    if isinstance(e, OSError):
        return DataDirError(data_dir, cause(e)) if e.errno in _CAUSES else None
    if not str(getattr(e, "sqlite_errorname", "")).startswith(_SQLITE_OS_ERRORS):
        return None
    why = problem(data_dir)
    return DataDirError(data_dir, why) if why else None
