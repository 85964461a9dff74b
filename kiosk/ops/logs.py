"""Logging set-up: journald-friendly under systemd, timestamps on a terminal, secrets masked."""

from __future__ import annotations

import logging
import os
import sys

from kiosk.config.redact import Redact, register_secret

__all__ = ["RECENT", "RecentLines", "register_secret", "setup"]

_SYSLOG = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
           logging.CRITICAL: 2}
class _JournalFormatter(logging.Formatter):
    # journald reads a "<N>" prefix as the syslog priority and adds its own timestamp.
    def format(self, record: logging.LogRecord) -> str:
        return f"<{_SYSLOG.get(record.levelno, 6)}>{record.name}: {super().format(record)}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (tests and embedders swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


class RecentLines(logging.Handler):
    """The last few thousand log lines in memory, for the technician's "export logs"."""

    def __init__(self, capacity: int = 5000) -> None:
        super().__init__()
        from collections import deque

        self.lines: deque[str] = deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # never let logging break the app
            pass


RECENT = RecentLines()


def setup(level: str | int = "INFO") -> None:
    handler = _StderrHandler()
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(_JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                               "%H:%M:%S"))
    handler.addFilter(Redact())
    root = logging.getLogger()
    RECENT.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    RECENT.addFilter(Redact())
    root.handlers[:] = [handler, RECENT]
    root.setLevel(os.environ.get("KIOSK_LOG_LEVEL", level))
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
