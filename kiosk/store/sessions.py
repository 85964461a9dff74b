"""The `sessions` table: one row per customer visit, kept for crash recovery (a visit left open
by a power cut gets its session.ended at the next start) and for a returning customer's
history. Its session.started/ended events go through the outbox like every other event."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from kiosk.store.events import SessionEnded
from kiosk.store.outbox import EventStore
from kiosk.store.rows import Consent, DeviceIds
from kiosk.store.share_outcomes import close_visit


@dataclass(frozen=True)
class OpenVisit:
    """A visit with no end recorded: the kiosk stopped during it."""

    id: str
    started_at: float
    tried: list[tuple[str, str]]        # (id, name) in the order tried


def insert(store: EventStore, session_id: str, *, started_at: float, seller_id: str, jeweler_id: str,
           name: str, phone: str, email: str, consent: Consent | None) -> None:
    with store.db.write() as conn:
        conn.execute("INSERT INTO sessions (id, started_at, seller_id, jeweler_id, customer_name,"
                     " customer_phone, customer_email, consent_at, consent_version)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (session_id, started_at, seller_id, jeweler_id, name, phone, email,
                      consent.at if consent else None, consent.version if consent else None))


def save_tried(store: EventStore, session_id: str, tried: list[tuple[str, str]]) -> None:
    with store.db.write() as conn:
        conn.execute("UPDATE sessions SET tried = ? WHERE id = ?", (json.dumps(tried), session_id))


def end(store: EventStore, session_id: str, ended: SessionEnded, ids: DeviceIds, *, ended_at: float,
        tried: list[tuple[str, str]], sale_made: bool, person_id: str | None) -> None:
    """Failed sends reported, session.ended queued and the row closed, in one transaction."""
    with store.db.write() as conn:
        _close(store, conn, session_id, ended, ids)
        conn.execute("UPDATE sessions SET ended_at = ?, tried = ?, sale_made = ?, person_id = ?"
                     " WHERE id = ?", (ended_at, json.dumps(tried), int(sale_made), person_id, session_id))


def end_abandoned(store: EventStore, session_id: str, ended: SessionEnded, ids: DeviceIds, *,
                  ended_at: float) -> None:
    """Like `end`, for a visit the kiosk stopped during: no sale, what it tried left as saved."""
    with store.db.write() as conn:
        _close(store, conn, session_id, ended, ids)
        conn.execute("UPDATE sessions SET ended_at = ?, sale_made = 0 WHERE id = ?", (ended_at, session_id))


def _close(store: EventStore, conn: sqlite3.Connection, session_id: str, ended: SessionEnded,
           ids: DeviceIds) -> None:
    close_visit(conn, store.clock(), session_id)
    store.record_in(conn, ended, session_id=session_id, ids=ids)


def open_visits(store: EventStore) -> list[OpenVisit]:
    rows = store.db.read("SELECT id, started_at, tried FROM sessions WHERE ended_at IS NULL")
    return [OpenVisit(r["id"], r["started_at"], [(i, n) for i, n in json.loads(r["tried"])]) for r in rows]
