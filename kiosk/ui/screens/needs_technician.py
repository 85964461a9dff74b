"""The technician's screens (config problems, restart loop) and what the banner says about storage."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Problem
from kiosk.ops import health
from kiosk.store import EventStore, StoreError, damage, datadir

log = logging.getLogger(__name__)


def _needs_technician(screen: QWidget) -> tuple[QVBoxLayout, QLabel]:
    """The heading both technician screens open with; returns the layout and the subtitle."""
    outer = QVBoxLayout(screen)
    outer.setContentsMargins(48, 40, 48, 40)
    outer.setSpacing(16)
    title = QLabel("This kiosk needs a technician")
    title.setObjectName("title")
    subtitle = QLabel()
    subtitle.setObjectName("subtitle")
    subtitle.setWordWrap(True)
    outer.addWidget(title)
    outer.addWidget(subtitle)
    return outer, subtitle


class ConfigProblemScreen(QWidget):
    def __init__(self, on_recheck: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_recheck = on_recheck
        outer, self.subtitle = _needs_technician(self)
        self._list_host = QWidget()
        self._list = QVBoxLayout(self._list_host)
        self._list.setSpacing(10)
        self._list.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list_host)
        outer.addWidget(scroll, 1)
        self.hint = QLabel()
        self.hint.setObjectName("mono")
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.recheck = QPushButton("Check again")
        self.recheck.clicked.connect(self._on_recheck)
        row.addWidget(self.recheck)
        outer.addLayout(row)
        self.problem_labels: list[tuple[QLabel, QLabel]] = []

    def show_problems(self, path: Path | None, problems: list[Problem]) -> None:
        while self._list.count() > 1:
            item = self._list.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.problem_labels.clear()
        n = len(problems)
        self.subtitle.setText(
            f"The configuration file has {n} problem{'s' if n != 1 else ''}. "
            "The try-on cannot start until it is fixed. Customers: please ask a member of staff.")
        for i, prob in enumerate(problems):
            box = QFrame()
            box.setObjectName("problem")
            lay = QVBoxLayout(box)
            lay.setContentsMargins(16, 10, 16, 10)
            key = QLabel(prob.key)
            key.setObjectName("problemKey")
            msg = QLabel(prob.message)
            msg.setObjectName("problemMsg")
            msg.setWordWrap(True)
            lay.addWidget(key)
            lay.addWidget(msg)
            self._list.insertWidget(i, box)
            self.problem_labels.append((key, msg))
        where = str(path) if path else "the configuration file"
        self.hint.setText(f"File: {where}\nCheck from a shell:  kiosk config check {where}\n"
                          "Keys can also be set by environment: KIOSK_<SECTION>__<KEY>")


class SafeModeScreen(QWidget):
    """After a restart loop: the camera and try-on stay off until someone decides otherwise.

    A kiosk that crashes every minute in front of customers is worse than one that says
    plainly that it needs a technician; the systemd unit keeps restarting the app (no start
    limit), and it is the app that chooses to stop here."""

    def __init__(self, on_start_normally: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer, self.subtitle = _needs_technician(self)
        self.detail = QLabel()
        self.detail.setObjectName("mono")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.detail, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_normally = QPushButton("Start normally")
        self.start_normally.clicked.connect(on_start_normally)
        row.addWidget(self.start_normally)
        outer.addLayout(row)

    def show_loop(self, starts: list[float], window_min: float, report: list[tuple[str, str]]) -> None:
        self.subtitle.setText(
            f"The app restarted {len(starts)} times in the last {window_min:.0f} minutes, so it has stopped "
            "the camera and the try-on to stop the restarts. Customers: please ask a member of staff.")
        times = ", ".join(time.strftime("%H:%M:%S", time.localtime(t)) for t in starts)
        lines = [f"Starts: {times}", "What happened:  journalctl -u kiosk-app -n 200",
                 "Checks:  kiosk doctor    Status:  kiosk status", ""]
        lines += [f"{k}: {v}" for k, v in report]
        self.detail.setText("\n".join(lines))


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
            free: float | None = health.disk_free(self.data_dir)[0]
        except OSError:
            free = None
        low = free is not None and free < self.min_free_mb * 1024**2
        if low != self.low_disk:
            (log.warning if low else log.info)("data disk %s (%.0f MB free)", "LOW" if low else "ok",
                                               (free or 0) / 1024**2)
            self.low_disk = low
        problem = datadir.problem_line(self.data_dir)
        if problem != self.problem:
            told = (self.store_error or "").startswith(f"data dir {self.data_dir}:")   # by open_store
            if problem and not told:
                log.error("%s", problem)
            elif not problem:
                log.info("data dir %s takes writes again", self.data_dir)
            self.problem = problem
        if self.failure and problem is None and time.monotonic() - self.failure[0] > self.FAILURE_SHOWN_S:
            self.failure = None
        damaged = damage.problems(self.data_dir)
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
            free, total = health.disk_free(self.data_dir)
            rows = [("data disk", f"{free / 1e9:.1f} GB free of {total / 1e9:.1f} GB")]
        except OSError as e:
            rows = [("data disk", datadir.cause(e))]
        rows += [("data dir", self.problem)] if self.problem else []
        rows += [("database", self.store_error)] if self.store_error else []
        return rows + [("database", line) for line in damage.problems(self.data_dir)]


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
