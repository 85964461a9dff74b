"""Secrets never reach a log line: each value the config hands out (KioskConfig.secret) is
registered here, and the log filter (kiosk.ops.logs) masks it. Here, not in ops, so the config
package needs nothing above it."""

from __future__ import annotations

import logging

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this value wherever it would appear in a log line."""
    if value and len(value) >= 4:
        _secrets.add(value)


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            msg = record.getMessage()
            if any(s in msg for s in _secrets):
                for s in _secrets:
                    msg = msg.replace(s, "***")
                record.msg, record.args = msg, None
        return True
