"""What the banner says about the data disk and the database, and the app's event store opened
(and opened again) as the disk allows."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kiosk.ops import status
from kiosk.store import EventStore, StoreError, datadir

log = logging.getLogger(__name__)

STORE_RETRY_S = 60.0             # a store that did not open for another reason than the data dir


@dataclass
class StorageWatch:
    """The data dir and the database as the technician banner tells them, polled every few seconds
    (statvfs, access and a small JSON file: no write, no query), and the app's event store.

    A data dir that cannot take writes, or a store that did not open, means nothing new can be
    recorded: no visit can start (the visit screens are not built until the store opens, tried
    again as soon as the data dir takes writes), and in a visit already running, taps that would
    record (a piece, a photo, the end of the visit) fail with the banner saying why and nothing
    of them is kept. The mirror keeps running throughout."""

    data_dir: Path
    min_free_mb: float
    low_disk: bool = False
    problem: str | None = None          # the data dir's, as one line
    store_error: str | None = None      # why the store did not open: visits are off
    failure: tuple[float, str] | None = None    # a write that failed in a visit: when (monotonic), text
    _retry_at: float = 0.0
    FAILURE_SHOWN_S = 60.0

    def open_store(self) -> EventStore | None:
        try:
            store = EventStore(self.data_dir)
        except StoreError as e:
            if str(e) != self.store_error:
                log.error("customer visits are off: %s", e)
            self.store_error = str(e)
            # A data dir problem is watched every poll: try again as soon as it clears.
            wait = 0.0 if isinstance(e, datadir.DataDirError) else STORE_RETRY_S
            self._retry_at = time.monotonic() + wait
            return None
        if self.store_error is not None:
            log.info("the store opened: customer visits are back")
        self.store_error = None
        return store

    def retry_due(self) -> bool:
        return self.store_error is not None and self.problem is None and time.monotonic() >= self._retry_at

    def poll(self) -> dict[str, str | None]:
        """Banner key → text (None clears it)."""
        try:
            disk: status.Disk | None = status.disk(self.data_dir, self.min_free_mb)
        except OSError:
            disk = None
        free = disk.free_bytes if disk is not None else None
        low = disk is not None and disk.low
        if low != self.low_disk:
            (log.warning if low else log.info)("data disk %s (%.0f MB free)", "LOW" if low else "ok",
                                               (free or 0) / 1024**2)
            self.low_disk = low
        store = status.storage(self.data_dir)
        problem = store.data_dir_problem
        if problem != self.problem:
            told = (self.store_error or "").startswith(f"data dir {self.data_dir}:")   # by open_store
            if problem and not told:
                log.error("%s", problem)
            elif not problem:
                log.info("data dir %s takes writes again", self.data_dir)
            self.problem = problem
        if self.failure and problem is None and time.monotonic() - self.failure[0] > self.FAILURE_SHOWN_S:
            self.failure = None
        damaged = store.damage
        more = f" (and {len(damaged) - 1} more: kiosk status)" if len(damaged) > 1 else ""
        return {
            "disk": f"Technician: the data disk is nearly full ({(free or 0) / 1024**2:.0f} MB free). Visits"
                    " and photos still work; new face records are not kept until space is freed."
                    if low else None,
            "storage": f"Technician: {problem}. Nothing new is recorded; the mirror keeps running."
                       if problem else None,
            "store": f"Customer visits unavailable: {self.store_error}" if self.store_error else None,
            "database": f"Technician: {damaged[0]}{more}" if damaged else None,
            "recording": self.failure[1] if self.failure else None,
        }

    def recording_failed(self, why: str) -> None:
        log.error("not recorded: %s", why)
        self.failure = (time.monotonic(), f"Technician: not recorded at {time.strftime('%H:%M')}: {why}")

    def rows(self) -> list[tuple[str, str]]:
        """The technician screen's lines about storage."""
        try:
            d = status.disk(self.data_dir, self.min_free_mb)
            rows = [("data disk", f"{d.free_bytes / 1e9:.1f} GB free of {d.total_bytes / 1e9:.1f} GB")]
        except OSError as e:
            rows = [("data disk", datadir.cause(e))]
        rows += [("data dir", self.problem)] if self.problem else []
        rows += [("database", self.store_error)] if self.store_error else []
        return rows + [("database", line) for line in status.storage(self.data_dir).damage]


def route_store_errors(on_store_error: Callable[[StoreError], None]) -> None:
    """Qt hands exceptions raised in slots to sys.excepthook. A write that failed in a visit (the
    disk filled or turned read-only meanwhile) becomes the banner and one log line, not a traceback."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], e: BaseException, tb: TracebackType | None) -> None:
        if isinstance(e, StoreError):
            on_store_error(e)
        else:
            previous(kind, e, tb)

    sys.excepthook = hook
