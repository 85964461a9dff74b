"""How the daemon's outcome for a share row lands in the share tables, inside the transaction
EventStore.complete (or a visit's end) holds: an upload's public URLs, a send's status, and the
`image.shared` event each send is reported with, once (see kiosk.store.shares)."""

from __future__ import annotations

import json
import sqlite3
from typing import Literal

from kiosk.store.events import ImageShared
from kiosk.store.kinds import Kind
from kiosk.store.outcomes import Delivered, Outcome, Rejected
from kiosk.store.rows import DeviceIds, Job, record_in

STREAM_PREFIX = "share:"


def _record(conn: sqlite3.Connection, now: float, send_id: str, status: Literal["sent", "failed"],
            sid: str) -> None:
    row = conn.execute("SELECT s.session_id, s.event_payload, s.recorded, sh.image_url, sh.page_url"
                       " FROM share_sends s JOIN shares sh ON sh.token = s.token WHERE s.id = ?",
                       (send_id,)).fetchone()
    if row is None or row["recorded"]:
        return
    ev = json.loads(row["event_payload"])
    url = row["image_url"] or row["page_url"] or ""
    payload = ImageShared(**ev["fields"], share_status=status, message_sid=sid[:200], image_url=url)
    record_in(conn, now, payload, session_id=row["session_id"], ids=DeviceIds(*ev["ids"]))
    conn.execute("UPDATE share_sends SET recorded = 1 WHERE id = ?", (send_id,))


def on_result(conn: sqlite3.Connection, now: float, job: Job, out: Outcome) -> None:
    """Inside EventStore.complete's transaction."""
    if job.kind == Kind.IMAGE_UPLOAD:
        if isinstance(out, Delivered):
            urls = json.loads(out.response or "{}")
            conn.execute("UPDATE shares SET image_url = ?, page_url = ?, clip_url = ? WHERE token = ?",
                         (urls.get("image_url"), urls.get("page_url"), urls.get("clip_url"),
                          job.payload["token"]))
        return
    send_id = str(job.payload.get("send_id", ""))
    if isinstance(out, Delivered):
        conn.execute("UPDATE share_sends SET status = 'sent', message_sid = ?, error = '', updated_at = ?"
                     " WHERE id = ?", (out.response or "", now, send_id))
        _record(conn, now, send_id, "sent", out.response or "")
    elif isinstance(out, Rejected):
        conn.execute("UPDATE share_sends SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
                     (out.error, now, send_id))
        ended = conn.execute("SELECT ended_at FROM sessions WHERE id = ?", (job.session_id,)).fetchone()
        if ended is not None and ended["ended_at"] is not None:
            _record(conn, now, send_id, "failed", "")
    else:
        conn.execute("UPDATE share_sends SET error = ?, updated_at = ? WHERE id = ?",
                     (out.error, now, send_id))


def close_visit(conn: sqlite3.Connection, now: float, session_id: str) -> None:
    """The visit ended: failed sends nobody retried are reported as failed now."""
    for r in conn.execute("SELECT id FROM share_sends WHERE session_id = ? AND status = 'failed'"
                          " AND recorded = 0", (session_id,)).fetchall():
        _record(conn, now, r["id"], "failed", "")
