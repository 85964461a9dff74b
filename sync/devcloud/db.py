"""The devcloud's own SQLite: what it received, so the HQ page and the tests can look."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
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


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class CloudDB:
    def __init__(self, data_dir: Path):
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
        self.lock = threading.Lock()

    def add_event(self, env: dict[str, Any], key: str | None) -> tuple[str, bool]:
        """Store an envelope; (event_id, duplicate?) — a repeated key returns the first id."""
        with self.lock:
            if key:
                row = self.conn.execute("SELECT id FROM events WHERE idempotency_key = ?", (key,)).fetchone()
                if row:
                    self.conn.execute("UPDATE events SET repeats = repeats + 1 WHERE id = ?", (row[0],))
                    return row[0], True
            event_id = "evt_" + uuid.uuid4().hex[:16]
            self.conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (event_id, key, time.time(), env["event_type"], env["session_id"], env["store_id"],
                 env["seller_id"], env["device_id"], json.dumps(env["payload"])))
            return event_id, False

    def person_by_key(self, key: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT id, data FROM persons WHERE idempotency_key = ?",
                                    (key,)).fetchone()
            if row is None:
                return None
            self.conn.execute("UPDATE persons SET repeats = repeats + 1 WHERE id = ?", (row[0],))
            return dict(json.loads(row[1]))

    def add_person(self, data: dict[str, Any], key: str | None) -> None:
        with self.lock:
            self.conn.execute("INSERT INTO persons (id, idempotency_key, data, created_at, updated_at)"
                              " VALUES (?, ?, ?, ?, ?)",
                              (data["id"], key, json.dumps(data), data["created_at"], data["updated_at"]))

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
            rows = self.conn.execute("SELECT data FROM persons ORDER BY created_at DESC, id"
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
        with self.lock:
            ev, rep = self.conn.execute("SELECT COUNT(*), COALESCE(SUM(repeats), 0) FROM events").fetchone()
            pe, prep = self.conn.execute("SELECT COUNT(*), COALESCE(SUM(repeats), 0) FROM persons").fetchone()
        return {"events": ev, "event_repeats": rep, "persons": pe, "person_repeats": prep}

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

    def add_message(self, msg: dict[str, Any], key: str | None) -> dict[str, Any]:
        """Store a sent message; a repeated Idempotency-Key gets the first answer back."""
        with self.lock:
            if key:
                row = self.conn.execute("SELECT * FROM messages WHERE idempotency_key = ?", (key,)).fetchone()
                if row is not None:
                    self.conn.execute("UPDATE messages SET repeats = repeats + 1 WHERE id = ?", (row["id"],))
                    return self._message(row)
            self.conn.execute("INSERT INTO messages (id, idempotency_key, project_id, provider, recipient,"
                              " content, message_sid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (msg["id"], key, msg["project_id"], msg["provider"],
                               json.dumps(msg["recipient"]), msg["content"], msg["message_sid"],
                               msg["created_at"]))
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
