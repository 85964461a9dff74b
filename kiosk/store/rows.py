"""The outbox's row types and the one INSERT that queues a row, below both EventStore
(kiosk.store.outbox) and the share records (kiosk.store.shares), so that the share outcomes
EventStore.complete records inside its transaction need nothing from EventStore itself."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.store.events import Payload, envelope
from kiosk.store.kinds import Kind
from kiosk.store.outcomes import Outcome


@dataclass(frozen=True)
class DeviceIds:
    store_id: str
    seller_id: str
    device_id: str


@dataclass(frozen=True)
class Consent:
    """The customer opted in on screen: when, and which text they were shown."""

    at: float
    version: str
    retention_days: float


@dataclass(frozen=True)
class Job:
    seq: int
    id: str
    kind: str
    stream: str
    session_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: float
    blob: Path | None = None
    vector: list[float] | None = None
    person_cloud_id: str | None = None
    share_page_url: str | None = None       # share.send: the photo's page, once uploaded
    ambiguous: bool = False                 # an earlier attempt's outcome is unknown


@dataclass(frozen=True)
class Result:
    job: Job
    outcome: Outcome
    retry_in_s: float = 0.0       # for Retry outcomes: when to try this row again


def insert_row(conn: sqlite3.Connection, now: float, kind: str, stream: str, session_id: str | None,
               person_id: str | None, body: dict[str, Any], blob: str | None) -> str:
    row_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox (id, kind, stream, session_id, person_id, payload, blob_path,"
        " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row_id, kind, stream, session_id, person_id, json.dumps(body, separators=(",", ":")),
         blob, now, now))
    return row_id


def record_in(conn: sqlite3.Connection, now: float, payload: Payload, *, session_id: str,
              ids: DeviceIds) -> str:
    """Queue a seed-000 event inside a transaction the caller holds; returns its Idempotency-Key."""
    body = envelope(payload, session_id=session_id, store_id=ids.store_id,
                    seller_id=ids.seller_id, device_id=ids.device_id)
    return insert_row(conn, now, Kind.EVENT, session_id, session_id, None, body, None)
