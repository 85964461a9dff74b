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
import sqlite3
import struct
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.store import rows, share_outcomes
from kiosk.store.db import Database, StoreError
from kiosk.store.events import Payload
from kiosk.store.files import write_file_durably
from kiosk.store.kinds import ERASE_BODY, KINDS, Kind, service_of
from kiosk.store.outcomes import Delivered, Rejected, Retry
from kiosk.store.persons import PersonFields, PersonUpdate, check_vector
from kiosk.store.rows import Consent, DeviceIds, Job, Result
from kiosk.store.syncstate import (
    ADOPTED,
    RESENT,
    Status,
    bump,
    clear_blocked,
    read_status,
    set_blocked,
    set_state,
)

# The kinds, the status and the row types were defined here first; importers may still find them here.
__all__ = ["ERASE_BODY", "KINDS", "PERSON_DIR", "Consent", "DeviceIds", "EventStore", "Job", "Result",
           "Status", "read_status"]

log = logging.getLogger(__name__)

PERSON_DIR = "persons"
Clock = Callable[[], float]


def _pack(vector: list[float]) -> bytes:
    return struct.pack("<128d", *vector)


def _unpack(blob: bytes) -> list[float]:
    return list(struct.unpack("<128d", blob))


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
        return rows.record_in(conn, self.clock(), payload, session_id=session_id, ids=ids)

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
                self.insert_row(conn, Kind.PERSON_CREATE, f"person:{local_id}", session_id, local_id,
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
            return self.insert_row(conn, Kind.PERSON_UPDATE, f"person:{local_id}", row["session_id"],
                                local_id, body, None)

    def queue_erase(self, conn: sqlite3.Connection, local_id: str, cloud_id: str) -> str:
        """Inside a deletion's transaction: the PUT that blanks a forgotten person in the cloud.
        It carries the cloud id itself because the person row is gone by the time it is sent."""
        return self.insert_row(conn, Kind.PERSON_ERASE, f"person:{local_id}", None, None,
                            {"person_id": cloud_id, "body": ERASE_BODY}, None)

    def insert_row(self, conn: sqlite3.Connection, kind: str, stream: str, session_id: str | None,
                person_id: str | None, body: dict[str, Any], blob: str | None) -> str:
        return rows.insert_row(conn, self.clock(), kind, stream, session_id, person_id, body, blob)

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
                   person_cloud_id=r["p_cloud_id"], share_page_url=r["s_page_url"],
                   ambiguous=bool(r["ambiguous"]))

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
                service = service_of(job.kind)
                if isinstance(out, Delivered):
                    success = True
                    conn.execute("UPDATE outbox SET state = 'delivered', delivered_at = ?, response = ?,"
                                 " attempts = attempts + 1, last_error = NULL WHERE seq = ?",
                                 (now, out.response, job.seq))
                    if job.ambiguous:
                        bump(conn, (ADOPTED if out.adopted else RESENT) + job.kind)
                    if job.kind == Kind.PERSON_CREATE and out.response:
                        local_id = job.stream.removeprefix("person:")
                        if not conn.execute("UPDATE persons SET cloud_id = ? WHERE local_id = ?",
                                            (out.response, local_id)).rowcount:
                            # Forgotten while its POST was on the wire: blank it there too.
                            self.queue_erase(conn, local_id, out.response)
                if not isinstance(out, Retry):
                    clear_blocked(conn, service)        # the service itself answered
                if job.kind in (Kind.IMAGE_UPLOAD, Kind.SHARE_SEND):
                    share_outcomes.on_result(conn, now, job, out)
                if isinstance(out, Retry) and out.blocked:
                    # The network, not the row: no attempt is counted against it.
                    set_blocked(conn, service, out.blocked, now)
                    last_error = (f"{job.kind}: {out.error}", now)
                    conn.execute("UPDATE outbox SET next_attempt_at = ?, last_error = ?,"
                                 " ambiguous = (ambiguous & 1) | ? WHERE seq = ?",
                                 (now + res.retry_in_s, out.error, int(out.ambiguous), job.seq))
                elif isinstance(out, Retry):
                    last_error = (f"{job.kind}: {out.error}", now)
                    conn.execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
                                 " last_error = ?, ambiguous = (ambiguous & 1) | ? WHERE seq = ?",
                                 (now + res.retry_in_s, out.error, int(out.ambiguous), job.seq))
                elif isinstance(out, Rejected):
                    last_error = (f"{job.kind} dead-lettered: {out.error}", now)
                    conn.execute("UPDATE outbox SET state = 'dead', attempts = attempts + 1,"
                                 " last_error = ? WHERE seq = ?", (out.error, job.seq))
            if success:
                set_state(conn, "last_success_at", now)
            if last_error is not None:
                set_state(conn, "last_error", last_error[0])
                set_state(conn, "last_error_at", last_error[1])

    def requeue_dead(self, kind: str | None = None) -> tuple[int, int]:
        """A technician fixed the cause: dead letters (of one kind) are sent again, from a
        fresh backoff. Returns (re-queued, left dead). A photo send that was already reported
        to the events API as failed stays dead: re-sending it would report it twice; the
        seller can send that photo again from the visit."""
        now = self.clock()
        where, params = ("AND kind = ?", (kind,)) if kind else ("", ())
        with self.db.write() as conn:
            rows = conn.execute(f"SELECT seq, kind, payload FROM outbox WHERE state = 'dead' {where}",
                                params).fetchall()
            keep: list[int] = []
            for r in rows:
                if r["kind"] == Kind.SHARE_SEND:
                    send_id = json.loads(r["payload"]).get("send_id", "")
                    n = conn.execute("UPDATE share_sends SET status = 'queued', error = '', updated_at = ?"
                                     " WHERE id = ? AND recorded = 0", (now, send_id)).rowcount
                    if not n:
                        keep.append(r["seq"])
                        continue
                conn.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,"
                             " last_error = NULL WHERE seq = ?", (now, r["seq"]))
            return len(rows) - len(keep), len(keep)

    def mark_in_flight(self, job: Job) -> None:
        """Before a person create is sent: if its outcome is never recorded (the daemon killed,
        the disk full when the 201 came back), the next attempt treats it as ambiguous and looks
        the record up instead of posting a second one. Bit 2 of `ambiguous`; bit 1 is an
        attempt known to be ambiguous."""
        with self.db.write() as conn:
            conn.execute("UPDATE outbox SET ambiguous = ambiguous | 2 WHERE seq = ?", (job.seq,))

    def probe_write(self) -> None:
        """Raises StoreError unless the database takes a write now (disk full, read-only):
        the daemon sends nothing whose outcome it could not record."""
        with self.db.write() as conn:
            set_state(conn, "write_probe_at", self.clock())

    def note_error(self, message: str) -> None:
        """Remember a problem that is not about one row (login refused, storage)."""
        try:
            with self.db.write() as conn:
                set_state(conn, "last_error", message)
                set_state(conn, "last_error_at", self.clock())
        except StoreError:
            log.warning("could not record the sync error: %s", message)

    # ---- status -------------------------------------------------------------------------

    def status(self, dead_letters: int = 10) -> Status:
        with self.db.lock:
            return read_status(self.db.conn, self.clock(), dead_letters)

    def count(self, state: str = "pending") -> int:
        return int(self.db.read("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,))[0][0])

    def count_kind(self, kind: str) -> int:
        """Rows of one kind ever queued (delivered and dead ones too, until housekeeping)."""
        return int(self.db.read("SELECT COUNT(*) FROM outbox WHERE kind = ?", (kind,))[0][0])
