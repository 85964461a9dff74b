"""The servers' access log, read by the tests (no Django imports: the tests load it first)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

SCOPE_KEY = "realservers.server"     # which seed's port an ASGI request came in on


@dataclass(frozen=True)
class Hit:
    server: str
    method: str
    path: str
    status: int
    bearer: bool


class Hits:
    """What each server answered, for the tests to read (the servers' access log)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: list[Hit] = []

    def add(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def list(self, server: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if server is None or h.server == server]

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


HITS = Hits()
