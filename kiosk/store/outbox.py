"""EventStore: the one API the app records through, and the outbox the sync daemon drains.

Every row gets its own uuid4 (sent as ``Idempotency-Key``), so a row re-sent after a crash
or a lost response can be recognised by the cloud. Rows of one *stream* (a customer
session's events, or one person's create+updates) are delivered strictly in creation order;
different streams never wait for each other, and a dead letter never blocks anything.

Person records write the JPEG first (temp file, fsync, rename) and then the person row, its
vector and the outbox row in one transaction: a crash leaves at worst an orphan file, never a
row pointing at a missing image.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import struct
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.store import db
from kiosk.store.db import Database, StoreError
from kiosk.store.events import Payload, envelope
from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from kiosk.store.persons import PersonFields, PersonUpdate, check_vector

log = logging.getLogger(__name__)

KIND_EVENT = "event"
KIND_PERSON_CREATE = "person.create"
KIND_PERSON_UPDATE = "person.update"
# Seed 001 has no DELETE: a forgotten person already in the cloud gets a PUT that blanks the
# contact details the kiosk sent (name, phone). Its vector and photo can only be removed by
# the cloud's operator; `kiosk privacy forget` prints the cloud ids for that.
# The values are placeholders, not nulls or "": seed 001 is Django REST framework, and a
# model serializer's default CharField (allow_null=False, allow_blank=False) refuses both, which
# would leave the customer's name and phone on the server. "+0000000000" is a string any plain
# CharField takes and looks like the seed's phones ("+998901234567"), yet cannot be anyone's
# number: no country code starts with 0 (E.164), and the kiosk's own phone check refuses it.
KIND_PERSON_ERASE = "person.erase"
ERASE_BODY: dict[str, Any] = {"full_name": "Erased on request", "phone_number": "+0000000000"}
KIND_IMAGE_UPLOAD = "image.upload"
KIND_SHARE_SEND = "share.send"
KINDS = (KIND_EVENT, KIND_PERSON_CREATE, KIND_PERSON_UPDATE, KIND_PERSON_ERASE, KIND_IMAGE_UPLOAD,
         KIND_SHARE_SEND)
PERSON_DIR = "persons"
Clock = Callable[[], float]


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


@dataclass(frozen=True)
class Result:
    job: Job
    outcome: Outcome
    retry_in_s: float = 0.0       # for Retry outcomes: when to try this row again


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

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


def _pack(vector: list[float]) -> bytes:
    return struct.pack("<128d", *vector)


def _unpack(blob: bytes) -> list[float]:
    return list(struct.unpack("<128d", blob))


def write_file_durably(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut."""
    dfd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class EventStore:
    def __init__(self, data_dir: Path, *, clock: Clock = time.time):
        self.data_dir = Path(data_dir)
        self.db = Database(self.data_dir)
        self.clock = clock

    def close(self) -> None:
        self.db.close()

    # ---- recording (the app side) -------------------------------------------------------

    def record(self, payload: Payload, *, session_id: str, ids: DeviceIds) -> str:
        """Validate and durably queue one seed-000 event; returns its Idempotency-Key."""
        with self.db.write() as conn:
            return self.record_in(conn, payload, session_id=session_id, ids=ids)

    def record_in(self, conn: sqlite3.Connection, payload: Payload, *, session_id: str,
                  ids: DeviceIds) -> str:
        """Queue an event inside a transaction the caller holds."""
        body = envelope(payload, session_id=session_id, store_id=ids.store_id,
                        seller_id=ids.seller_id, device_id=ids.device_id)
        return self.insert_row(conn, KIND_EVENT, session_id, session_id, None, body, None)

    def record_person(self, *, session_id: str, vector: Sequence[float], jpeg: bytes,
                      fields: PersonFields, consent: Consent) -> str:
        """Keep a consented person locally and queue its POST /api/client/person/.

        There is no way to store a face without a Consent: without one, nothing biometric is
        kept beyond the session and nothing leaves the device. Returns the local person id.
        """
        if not isinstance(consent, Consent) or not consent.version:
            raise ValueError("a person record needs the customer's consent")
        values = check_vector(vector)
        if not jpeg.startswith(b"\xff\xd8"):
            raise ValueError("the person photo must be a JPEG")
        local_id = str(uuid.uuid4())
        rel = f"{PERSON_DIR}/{local_id}.jpg"
        path = self.data_dir / rel
        try:
            path.parent.mkdir(exist_ok=True)
            write_file_durably(path, jpeg)
        except OSError as e:
            path.unlink(missing_ok=True)
            raise StoreError(f"cannot save the person photo: {e.strerror}") from e
        now = self.clock()
        try:
            with self.db.write() as conn:
                conn.execute(
                    "INSERT INTO persons (local_id, session_id, vector, image_path, created_at, updated_at,"
                    " consented_at, consent_version, expires_at, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (local_id, session_id, _pack(values), rel, now, now, consent.at, consent.version,
                     now + consent.retention_days * 86400, now))
                self.insert_row(conn, KIND_PERSON_CREATE, f"person:{local_id}", session_id, local_id,
                             fields.wire(), rel)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return local_id

    def update_person(self, local_id: str, update: PersonUpdate, consent: Consent | None = None) -> str:
        """Queue a PUT for a person; it is sent only after the person's POST succeeded.

        A new consented visit (``consent``) renews how long the face is kept.
        """
        body = update.wire()
        for k in ("full_name", "phone_number"):
            v = getattr(update, k)
            if v is not None:
                body[k] = v
        now = self.clock()
        with self.db.write() as conn:
            row = conn.execute("SELECT session_id FROM persons WHERE local_id = ?", (local_id,)).fetchone()
            if row is None:
                raise ValueError(f"no person {local_id}")
            conn.execute("UPDATE persons SET updated_at = ?, last_seen = ?,"
                         " full_name = COALESCE(?, full_name), phone = COALESCE(?, phone) WHERE local_id = ?",
                         (now, now, update.full_name, update.phone_number, local_id))
            if consent is not None:
                conn.execute("UPDATE persons SET consented_at = ?, consent_version = ?, expires_at = ?"
                             " WHERE local_id = ?", (consent.at, consent.version,
                                                     now + consent.retention_days * 86400, local_id))
            return self.insert_row(conn, KIND_PERSON_UPDATE, f"person:{local_id}", row["session_id"],
                                local_id, body, None)

    def queue_erase(self, conn: sqlite3.Connection, local_id: str, cloud_id: str) -> str:
        """Inside a deletion's transaction: the PUT that blanks a forgotten person in the cloud.
        It carries the cloud id itself because the person row is gone by the time it is sent."""
        return self.insert_row(conn, KIND_PERSON_ERASE, f"person:{local_id}", None, None,
                            {"person_id": cloud_id, "body": ERASE_BODY}, None)

    def insert_row(self, conn: sqlite3.Connection, kind: str, stream: str, session_id: str | None,
                person_id: str | None, body: dict[str, Any], blob: str | None) -> str:
        row_id = str(uuid.uuid4())
        now = self.clock()
        conn.execute(
            "INSERT INTO outbox (id, kind, stream, session_id, person_id, payload, blob_path,"
            " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row_id, kind, stream, session_id, person_id, json.dumps(body, separators=(",", ":")),
             blob, now, now))
        return row_id

    # ---- draining (the daemon side) -----------------------------------------------------

    def due_heads(self, limit: int, horizon_s: float) -> list[Job]:
        """The first pending row of each stream, if due.

        A row scheduled further ahead than ``horizon_s`` (the longest backoff) can only be
        there because the wall clock jumped back: it is treated as due rather than stalling.
        """
        now = self.clock()
        rows = self.db.read(
            "SELECT o.*, p.vector AS p_vector, p.cloud_id AS p_cloud_id, s.page_url AS s_page_url"
            " FROM outbox o"
            " JOIN (SELECT MIN(seq) AS head FROM outbox WHERE state = 'pending' GROUP BY stream) h"
            "   ON o.seq = h.head"
            " LEFT JOIN persons p ON p.local_id = o.person_id"
            " LEFT JOIN shares s ON o.kind = 'share.send' AND s.token = substr(o.stream, 7)"
            " WHERE o.next_attempt_at <= :now OR o.next_attempt_at > :now + :horizon"
            " ORDER BY o.seq LIMIT :limit",
            {"now": now, "horizon": horizon_s, "limit": limit})
        return [self._job(r) for r in rows]

    def next_due_in(self) -> float | None:
        """Seconds until the earliest pending stream head is due (None when nothing pending)."""
        rows = self.db.read(
            "SELECT MIN(o.next_attempt_at) FROM outbox o"
            " JOIN (SELECT MIN(seq) AS head FROM outbox WHERE state = 'pending' GROUP BY stream) h"
            "   ON o.seq = h.head")
        t = rows[0][0]
        return None if t is None else max(0.0, t - self.clock())

    def make_all_due(self) -> int:
        """A technician asked to sync now: forget backoff for every pending row."""
        with self.db.write() as conn:
            return conn.execute("UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'",
                                (self.clock(),)).rowcount

    def _job(self, r: sqlite3.Row) -> Job:
        return Job(seq=r["seq"], id=r["id"], kind=r["kind"], stream=r["stream"],
                   session_id=r["session_id"], payload=json.loads(r["payload"]),
                   attempts=r["attempts"], created_at=r["created_at"],
                   blob=self.data_dir / r["blob_path"] if r["blob_path"] else None,
                   vector=_unpack(r["p_vector"]) if r["p_vector"] is not None else None,
                   person_cloud_id=r["p_cloud_id"], share_page_url=r["s_page_url"])

    def complete(self, results: Sequence[Result]) -> None:
        """Record a round of outcomes in one transaction."""
        if not results:
            return
        now = self.clock()
        last_error: tuple[str, float] | None = None
        success = False
        with self.db.write() as conn:
            for res in results:
                job, out = res.job, res.outcome
                if isinstance(out, Delivered):
                    success = True
                    conn.execute("UPDATE outbox SET state = 'delivered', delivered_at = ?, response = ?,"
                                 " attempts = attempts + 1, last_error = NULL WHERE seq = ?",
                                 (now, out.response, job.seq))
                    if job.kind == KIND_PERSON_CREATE and out.response:
                        local_id = job.stream.removeprefix("person:")
                        if not conn.execute("UPDATE persons SET cloud_id = ? WHERE local_id = ?",
                                            (out.response, local_id)).rowcount:
                            # Forgotten while its POST was on the wire: blank it there too.
                            self.queue_erase(conn, local_id, out.response)
                if job.kind in (KIND_IMAGE_UPLOAD, KIND_SHARE_SEND):
                    from kiosk.store import shares  # shares builds on this module

                    shares.on_result(self, conn, job, out)
                if isinstance(out, Retry):
                    last_error = (f"{job.kind}: {out.error}", now)
                    conn.execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
                                 " last_error = ? WHERE seq = ?", (now + res.retry_in_s, out.error, job.seq))
                elif isinstance(out, Rejected):
                    last_error = (f"{job.kind} dead-lettered: {out.error}", now)
                    conn.execute("UPDATE outbox SET state = 'dead', attempts = attempts + 1,"
                                 " last_error = ? WHERE seq = ?", (out.error, job.seq))
            if success:
                _set_state(conn, "last_success_at", now)
            if last_error is not None:
                _set_state(conn, "last_error", last_error[0])
                _set_state(conn, "last_error_at", last_error[1])

    def note_error(self, message: str) -> None:
        """Remember a problem that is not about one row (login refused, storage)."""
        try:
            with self.db.write() as conn:
                _set_state(conn, "last_error", message)
                _set_state(conn, "last_error_at", self.clock())
        except StoreError:
            log.warning("could not record the sync error: %s", message)

    # ---- status -------------------------------------------------------------------------

    def status(self, dead_letters: int = 10) -> Status:
        with self.db.lock:
            return read_status(self.db.conn, self.clock(), dead_letters)

    def count(self, state: str = "pending") -> int:
        return int(self.db.read("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,))[0][0])


def _set_state(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))


def read_status(conn: sqlite3.Connection, now: float, dead_letters: int = 10) -> Status:
    """Status from any connection (the CLI opens the database read-only)."""
    try:
        pending = {k: 0 for k in KINDS}
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
        raise StoreError(db.explain(e)) from e
    return Status(
        pending=pending, dead=counts.get("dead", 0),
        # Housekeeping prunes old delivered rows and keeps their number here.
        delivered=counts.get("delivered", 0) + int(state.get("delivered_pruned", 0)),
        oldest_pending_age_s=None if oldest is None else max(0.0, now - oldest),
        last_success_at=float(state["last_success_at"]) if "last_success_at" in state else None,
        last_error=state.get("last_error"),
        last_error_at=float(state["last_error_at"]) if "last_error_at" in state else None,
        dead_letters=dead)
