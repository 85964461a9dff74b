"""The devcloud's own SQLite: what it received, so the HQ page and the tests can look.

Idempotency-Key: honoured by default (a repeated key gets the first answer back and counts as
a repeat). With the fault ``ignore_idempotency`` the devcloud is a server that never heard of
the header: every POST stores a new row. The key it saw is kept either way (``key_seen``) with
a hash of the content, so /_devcloud/stats can count what was stored more than once
(same key, or same content when no key was sent).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id              TEXT PRIMARY KEY,          -- event_id answered to the kiosk
    idempotency_key TEXT UNIQUE,
    received_at     REAL NOT NULL,
    event_type      TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    seller_id       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    repeats         INTEGER NOT NULL DEFAULT 0  -- same Idempotency-Key received again
);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, received_at);
CREATE TABLE IF NOT EXISTS persons (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    data            TEXT NOT NULL,             -- the person object as the API shows it
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    repeats         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS images (
    token       TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    expires_at  REAL NOT NULL,
    meta        TEXT NOT NULL,
    uploads     INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS messages (
    id          TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    project_id  TEXT NOT NULL,
    provider    TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    content     TEXT NOT NULL,
    message_sid TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    repeats     INTEGER NOT NULL DEFAULT 0
);
"""
# Added after the first release of the devcloud; ALTERed into older data dirs.
COUNTING_COLUMNS = ("key_seen", "content_hash")


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def content_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def received_keys(data_dir: Path) -> tuple[set[str], int]:
    """The Idempotency-Keys of the events stored, and the repeats recognised by them, read from
    a devcloud that has stopped (the soak run's after-the-fact check)."""
    conn = sqlite3.connect(f"file:{data_dir / 'devcloud.db'}?mode=ro", uri=True)
    try:
        seen = {r[0] for r in conn.execute("SELECT idempotency_key FROM events")}
        repeats = conn.execute("SELECT COALESCE(SUM(repeats), 0) FROM events").fetchone()[0]
    finally:
        conn.close()
    return seen, int(repeats)


class CloudDB:
    def __init__(self, data_dir: Path, honour_keys: Callable[[], bool] = lambda: True):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.media = data_dir / "media"
        (self.media / "people").mkdir(parents=True, exist_ok=True)
        (self.media / "shares").mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(data_dir / "devcloud.db", check_same_thread=False,
                                    isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.executescript(SCHEMA)
        for table in ("events", "persons", "messages"):
            have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            for col in COUNTING_COLUMNS:
                if col not in have:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {col} TEXT")
        self.lock = threading.Lock()
        self.honour_keys = honour_keys

    def _key(self, key: str | None) -> str | None:
        """The key to deduplicate on: None when keys are ignored (the fault)."""
        return key if key and self.honour_keys() else None

    def add_event(self, env: dict[str, Any], key: str | None) -> tuple[str, bool]:
        """Store an envelope; (event_id, duplicate?) — a repeated key returns the first id."""
        dedup = self._key(key)
        with self.lock:
            if dedup:
                row = self.conn.execute("SELECT id FROM events WHERE idempotency_key = ?",
                                        (dedup,)).fetchone()
                if row:
                    self.conn.execute("UPDATE events SET repeats = repeats + 1 WHERE id = ?", (row[0],))
                    return row[0], True
            event_id = "evt_" + uuid.uuid4().hex[:16]
            self.conn.execute(
                "INSERT INTO events (id, idempotency_key, received_at, event_type, session_id, store_id,"
                " seller_id, device_id, payload, key_seen, content_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, dedup, time.time(), env["event_type"], env["session_id"], env["store_id"],
                 env["seller_id"], env["device_id"], json.dumps(env["payload"]), key or None,
                 content_hash(env)))
            return event_id, False

    def person_by_key(self, key: str | None) -> dict[str, Any] | None:
        """The person an honoured Idempotency-Key already created (counted as a repeat)."""
        dedup = self._key(key)
        if dedup is None:
            return None
        with self.lock:
            row = self.conn.execute("SELECT id, data FROM persons WHERE idempotency_key = ?",
                                    (dedup,)).fetchone()
            if row is None:
                return None
            self.conn.execute("UPDATE persons SET repeats = repeats + 1 WHERE id = ?", (row[0],))
            return dict(json.loads(row[1]))

    def add_person(self, data: dict[str, Any], key: str | None, content: Any) -> None:
        """``content`` is what the client sent (fields, vector, photo hash), for counting duplicates."""
        with self.lock:
            self.conn.execute("INSERT INTO persons (id, idempotency_key, data, created_at, updated_at,"
                              " key_seen, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (data["id"], self._key(key), json.dumps(data), data["created_at"],
                               data["updated_at"], key or None, content_hash(content)))

    def get_person(self, person_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT data FROM persons WHERE id = ?", (person_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def save_person(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.conn.execute("UPDATE persons SET data = ?, updated_at = ? WHERE id = ?",
                              (json.dumps(data), data["updated_at"], data["id"]))

    def list_persons(self, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        with self.lock:
            total = self.conn.execute("SELECT COUNT(*) FROM persons").fetchone()[0]
            # Newest first, insertion order breaking ties: pages stay stable between requests.
            rows = self.conn.execute("SELECT data FROM persons ORDER BY created_at DESC, rowid DESC"
                                     " LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return total, [json.loads(r[0]) for r in rows]

    def events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events"
        args: tuple[Any, ...] = ()
        if session_id:
            sql += " WHERE session_id = ?"
            args = (session_id,)
        with self.lock:
            rows = self.conn.execute(sql + " ORDER BY received_at", args).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["payload"] = json.loads(d["payload"])
            out.append(d)
        return out

    def counts(self) -> dict[str, int]:
        """Rows stored; repeats recognised by an honoured key; duplicates stored anyway."""
        out: dict[str, int] = {}
        with self.lock:
            for table, name in (("events", "event"), ("persons", "person"), ("messages", "message")):
                n, rep, distinct = self.conn.execute(
                    "SELECT COUNT(*), COALESCE(SUM(repeats), 0),"
                    f" COUNT(DISTINCT COALESCE(key_seen, content_hash, id)) FROM {table}").fetchone()
                out |= {table: n, f"{name}_repeats": rep, f"{name}_duplicates": n - distinct}
        return out

    # ---- shared photos and messages (seed 003) ---------------------------------------------

    def add_image(self, token: str, jpeg: bytes, expires_at: float, meta: dict[str, Any]) -> None:
        path = self.media / "shares" / f"{token}.jpg"
        path.write_bytes(jpeg)
        with self.lock:
            self.conn.execute("INSERT INTO images (token, path, expires_at, meta) VALUES (?, ?, ?, ?)"
                              " ON CONFLICT (token) DO UPDATE SET uploads = uploads + 1",
                              (token, str(path), expires_at, json.dumps(meta)))

    def get_image(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT * FROM images WHERE token = ?", (token,)).fetchone()
        if row is None:
            return None
        meta: dict[str, Any] = json.loads(row["meta"])
        return {"path": row["path"], "expires_at": row["expires_at"]} | meta

    def image_opened(self, token: str) -> None:
        """A phone opened the photo's page (the HQ page counts a QR share by it)."""
        with self.lock:
            self.conn.execute("UPDATE images SET meta = json_set(meta, '$.opened',"
                              " COALESCE(json_extract(meta, '$.opened'), 0) + 1) WHERE token = ?", (token,))

    def images(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute("SELECT token, meta FROM images").fetchall()
        return [{"token": r["token"]} | json.loads(r["meta"]) for r in rows]

    def add_message(self, msg: dict[str, Any], key: str | None) -> dict[str, Any]:
        """Store a sent message; a repeated (honoured) Idempotency-Key gets the first answer back."""
        dedup = self._key(key)
        sent = {k: msg[k] for k in ("project_id", "provider", "recipient", "content")}
        with self.lock:
            if dedup:
                row = self.conn.execute("SELECT * FROM messages WHERE idempotency_key = ?",
                                        (dedup,)).fetchone()
                if row is not None:
                    self.conn.execute("UPDATE messages SET repeats = repeats + 1 WHERE id = ?", (row["id"],))
                    return self._message(row)
            self.conn.execute("INSERT INTO messages (id, idempotency_key, project_id, provider, recipient,"
                              " content, message_sid, created_at, key_seen, content_hash)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (msg["id"], dedup, msg["project_id"], msg["provider"],
                               json.dumps(msg["recipient"]), msg["content"], msg["message_sid"],
                               msg["created_at"], key or None, content_hash(sent)))
            return msg

    @staticmethod
    def _message(row: sqlite3.Row) -> dict[str, Any]:
        d = dict(row)
        d["recipient"] = json.loads(d["recipient"])
        return d

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute("SELECT * FROM messages ORDER BY created_at, rowid").fetchall()
        return [self._message(r) for r in rows]
