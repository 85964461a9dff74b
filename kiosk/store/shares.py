"""Try-on photos handed to customers: the share record, its upload and each send of it.

A share is created when the seller opens the share screen for a photo: the branded JPEG is
written durably, then the `shares` row and its `image.upload` outbox row in one transaction.
The token is 32 random bytes (256 bits, URL-safe): it is the only key to the photo's page,
on the cloud and on the kiosk's LAN server alike, and it stops working at `expires_at`.

Each WhatsApp/email send is a `share_sends` row plus a `share.send` outbox row on the same
stream as the upload, so it leaves only after the photo has a public URL. Its outcome comes
back through `share_outcomes.on_result` (called by EventStore.complete inside its transaction):
sent → the `image.shared` event (share_status "sent") is recorded right there; refused for
good → the send is marked failed and the seller may retry. A failure the seller did not
retry becomes `image.shared` with "failed" when the visit ends (or at once if it already
has), so each send is reported once, with its final status.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.store.files import fsync_dir, write_file_durably
from kiosk.store.kinds import Kind
from kiosk.store.outbox import EventStore
from kiosk.store.rows import DeviceIds
from kiosk.store.share_outcomes import STREAM_PREFIX

SHARE_DIR = "shares"
TOKEN_BYTES = 32


class ShareExpired(Exception):
    pass


@dataclass(frozen=True)
class Share:
    token: str
    session_id: str
    image: Path
    created_at: float
    expires_at: float
    jewelry_id: str
    jewelry_name: str
    price: float | None
    image_url: str | None
    page_url: str | None
    clip: Path | None = None
    clip_url: str | None = None


@dataclass(frozen=True)
class Send:
    id: str
    channel: str
    destination: str
    status: str              # queued | sent | failed
    message_sid: str
    error: str


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def create(store: EventStore, *, session_id: str, jpeg: bytes, jewelry: tuple[str, str, float | None],
           link_days: float, upload: dict[str, Any], clip: Path | None = None) -> Share:
    """Keep the photo and queue its upload. `upload` is what the image store shows on the page
    (jeweler name, currency...). `clip`, an MP4 on the data dir's disk, is moved in with it."""
    if not jpeg.startswith(b"\xff\xd8"):
        raise ValueError("the shared photo must be a JPEG")
    token = new_token()
    rel = f"{SHARE_DIR}/{token}.jpg"
    path = store.data_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    clip_rel = clip_path = None
    if clip is not None:
        clip_rel = f"{SHARE_DIR}/{token}.mp4"
        clip_path = store.data_dir / clip_rel
        os.replace(clip, clip_path)         # same disk: the clip is already durable where it was
    try:
        write_file_durably(path, jpeg)
        if clip_path is not None:
            fsync_dir(clip_path.parent)
    except OSError:
        if clip is not None and clip_path is not None:
            os.replace(clip_path, clip)     # the seller may try again: the clip is not lost
        raise
    now = store.clock()
    expires = now + link_days * 86400
    jid, jname, price = jewelry
    body = {"token": token, "expires_at": expires, "jewelry_name": jname, "price": price} | upload
    if clip_path is not None:
        body["clip_file"] = clip_path.name
    with store.db.write() as conn:
        conn.execute("INSERT INTO shares (token, session_id, image_path, created_at, expires_at, jewelry_id,"
                     " jewelry_name, price, clip_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (token, session_id, rel, now, expires, jid, jname, price, clip_rel))
        store.insert_row(conn, Kind.IMAGE_UPLOAD, STREAM_PREFIX + token, session_id, None, body, rel)
    return Share(token, session_id, path, now, expires, jid, jname, price, None, None, clip_path)


def get(store: EventStore, token: str) -> Share | None:
    rows = store.db.read("SELECT * FROM shares WHERE token = ?", (token,))
    if not rows:
        return None
    r = rows[0]
    return Share(r["token"], r["session_id"], store.data_dir / r["image_path"], r["created_at"],
                 r["expires_at"], r["jewelry_id"], r["jewelry_name"], r["price"], r["image_url"],
                 r["page_url"], store.data_dir / r["clip_path"] if r["clip_path"] else None, r["clip_url"])


def open_share(store: EventStore, token: str) -> Share | None:
    """For the download page: None if unknown, ShareExpired once the link ran out."""
    if not token or len(token) > 100:
        return None
    share = get(store, token)
    if share is None:
        return None
    if store.clock() >= share.expires_at:
        raise ShareExpired(token)
    return share


def send(store: EventStore, share: Share, *, channel: str, destination: str, name: str, ids: DeviceIds,
         jeweler: tuple[str, str], message: str) -> str:
    """Queue one send. `message` may contain {link}, replaced by the page URL at send time."""
    send_id = new_token()[:22]
    fields = {"channel": channel, "destination": destination, "jewelry_id": share.jewelry_id,
              "jewelry_name": share.jewelry_name, "jeweler_id": jeweler[0], "jeweler_name": jeweler[1]}
    event = {"ids": [ids.store_id, ids.seller_id, ids.device_id], "fields": fields}
    now = store.clock()
    with store.db.write() as conn:
        conn.execute("INSERT INTO share_sends (id, token, session_id, channel, destination, status,"
                     " event_payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
                     (send_id, share.token, share.session_id, channel, destination, json.dumps(event),
                      now, now))
        _queue_send(store, conn, share.token, share.session_id, send_id, channel, destination, name, message,
                    f"Your try-on {'clip' if share.clip is not None else 'photo'} from {jeweler[1]}")
    return send_id


def _queue_send(store: EventStore, conn: sqlite3.Connection, token: str, session_id: str, send_id: str,
                channel: str, destination: str, name: str, message: str, subject: str) -> None:
    body = {"send_id": send_id, "channel": channel, "destination": destination, "name": name,
            "message": message, "subject": subject}
    store.insert_row(conn, Kind.SHARE_SEND, STREAM_PREFIX + token, session_id, None, body, None)


def retry(store: EventStore, send_id: str) -> bool:
    """The seller tapped a failed send: queue it again (same destination and message)."""
    with store.db.write() as conn:
        row = conn.execute("SELECT s.token, s.session_id, s.channel, s.destination, s.status, o.payload"
                           " FROM share_sends s JOIN outbox o ON o.kind = 'share.send'"
                           "  AND json_extract(o.payload, '$.send_id') = s.id"
                           " WHERE s.id = ? ORDER BY o.seq DESC LIMIT 1", (send_id,)).fetchone()
        if row is None or row["status"] != "failed":
            return False
        old = json.loads(row["payload"])
        conn.execute("UPDATE share_sends SET status = 'queued', error = '', updated_at = ? WHERE id = ?",
                     (store.clock(), send_id))
        _queue_send(store, conn, row["token"], row["session_id"], send_id, row["channel"], row["destination"],
                    old.get("name", ""), old.get("message", ""), old.get("subject", "Your try-on photo"))
    return True


def sends(store: EventStore, token: str) -> list[Send]:
    rows = store.db.read("SELECT id, channel, destination, status, message_sid, error FROM share_sends"
                         " WHERE token = ? ORDER BY created_at", (token,))
    return [Send(r["id"], r["channel"], r["destination"], r["status"], r["message_sid"], r["error"])
            for r in rows]


def sent_count(store: EventStore, session_id: str) -> int:
    """Sends of this visit that are sent or still on their way (for session.ended.items_shared)."""
    rows = store.db.read("SELECT COUNT(*) FROM share_sends WHERE session_id = ? AND status != 'failed'",
                         (session_id,))
    return int(rows[0][0])
