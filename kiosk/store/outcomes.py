"""What a cloud client reports for one outbox row; the store turns it into row state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivered:
    response: str = ""          # the cloud's id for what was created (event_id, person id)


@dataclass(frozen=True)
class Retry:
    error: str
    after_s: float | None = None  # the server's Retry-After, when it gave one
    throttled: bool = False       # 429: pause the whole service, not just this row


@dataclass(frozen=True)
class Rejected:
    error: str                  # the server's own message; the row becomes a dead letter


Outcome = Delivered | Retry | Rejected
