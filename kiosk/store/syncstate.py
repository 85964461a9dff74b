"""What the sync daemon remembers between rounds (table ``sync_state``) and the status report
every reader builds from it: pending per kind, dead letters, last success and error, services
the network keeps from the cloud, re-sends after lost answers."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kiosk.store import db
from kiosk.store.kinds import KINDS

BLOCKED = "blocked:"            # + service: why the network keeps it from the cloud
BLOCKED_AT = "blocked_at:"
RESENT = "resent_after_ambiguity:"   # + kind: rows delivered after an attempt of unknown outcome
ADOPTED = "adopted:"            # + kind: person records found on the server instead of re-posted


@dataclass
class Status:
    pending: dict[str, int]
    delivered: int
    dead: int
    oldest_pending_age_s: float | None
    last_success_at: float | None
    last_error: str | None
    last_error_at: float | None
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)          # service -> why
    blocked_since: dict[str, float] = field(default_factory=dict)
    resent_after_ambiguity: dict[str, int] = field(default_factory=dict)
    adopted: dict[str, int] = field(default_factory=dict)

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


def set_state(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))


def bump(conn: sqlite3.Connection, key: str, by: int = 1) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key)"
                 " DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value", (key, by))


def set_blocked(conn: sqlite3.Connection, service: str, why: str, now: float) -> None:
    if conn.execute("SELECT 1 FROM sync_state WHERE key = ?", (BLOCKED + service,)).fetchone() is None:
        set_state(conn, BLOCKED_AT + service, now)
    set_state(conn, BLOCKED + service, why)


def clear_blocked(conn: sqlite3.Connection, service: str) -> None:
    conn.execute("DELETE FROM sync_state WHERE key IN (?, ?)", (BLOCKED + service, BLOCKED_AT + service))


def _prefixed(state: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}


def read_status(conn: sqlite3.Connection, now: float, dead_letters: int = 10) -> Status:
    """Status from any connection (the CLI opens the database read-only)."""
    try:
        pending: dict[str, int] = {str(k): 0 for k in KINDS}
        for r in conn.execute("SELECT kind, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY kind"):
            pending[r[0]] = r[1]
        counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        oldest = conn.execute("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
        state = dict(conn.execute("SELECT key, value FROM sync_state").fetchall())
        dead = [dict(id=r[0], kind=r[1], session_id=r[2], error=r[3], created_at=r[4], attempts=r[5])
                for r in conn.execute("SELECT id, kind, session_id, last_error, created_at, attempts"
                                      " FROM outbox WHERE state = 'dead' ORDER BY seq DESC LIMIT ?",
                                      (dead_letters,))]
    except sqlite3.Error as e:
        raise db.StoreError(db.explain(e)) from e
    return Status(
        pending=pending, dead=counts.get("dead", 0),
        # Housekeeping prunes old delivered rows and keeps their number here.
        delivered=counts.get("delivered", 0) + int(state.get("delivered_pruned", 0)),
        oldest_pending_age_s=None if oldest is None else max(0.0, now - oldest),
        last_success_at=float(state["last_success_at"]) if "last_success_at" in state else None,
        last_error=state.get("last_error"),
        last_error_at=float(state["last_error_at"]) if "last_error_at" in state else None,
        dead_letters=dead,
        blocked=_prefixed(state, BLOCKED),
        blocked_since={k: float(v) for k, v in _prefixed(state, BLOCKED_AT).items()},
        resent_after_ambiguity={k: int(v) for k, v in _prefixed(state, RESENT).items()},
        adopted={k: int(v) for k, v in _prefixed(state, ADOPTED).items()})
