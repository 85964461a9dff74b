"""One sync daemon per data dir: a second one would send every row twice."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "sync.lock"


class AlreadyRunning(Exception):
    pass


class DaemonLock:
    """flock on data_dir/sync.lock: released by the kernel even after kill -9."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / LOCK_NAME
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Raises AlreadyRunning, or DataDirError (a StoreError) when the data dir cannot take
        the lock file: one line and exit 1 instead of a traceback, and systemd tries again."""
        from kiosk.store import datadir

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+")  # noqa: SIM115 - held for the life of the process
        except OSError as e:
            raise datadir.DataDirError(self.path.parent, datadir.cause(e)) from e
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise AlreadyRunning(f"another sync daemon (pid {holder}) is using {self.path.parent}") from None
        try:
            # Unbuffered: on a full disk a buffered write would fail again in close().
            os.ftruncate(fh.fileno(), 0)
            os.write(fh.fileno(), str(os.getpid()).encode())
        except OSError as e:
            fh.close()
            raise datadir.DataDirError(self.path.parent, datadir.cause(e)) from e
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
