"""The kiosk's own download server for phones on the store Wi-Fi.

When the internet is down the cloud page does not exist yet, so the QR code points here:
the same token, the same expiry (410 after it), an explicit note that the link only works
inside the store. Only GET (and HEAD) of /s/<token>, /s/<token>/photo.jpg and
/s/<token>/clip.mp4 exist; nothing else is served. The clip answers byte ranges (one range per
request, RFC 9110 §14): iOS Safari plays a video only from a server that does. It runs on
uvicorn in its own thread and event loop (see guarded_http for the timeouts and limits), so
no phone can hold the UI or the app's threads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Callable

from starlette.types import Receive, Scope, Send

from kiosk.share import page
from kiosk.share.guarded_http import BackgroundServer, Limits
from kiosk.store.shares import Share, ShareExpired

log = logging.getLogger(__name__)
ROUTE = re.compile(r"^/s/([A-Za-z0-9_-]{22,100})(/photo\.jpg|/clip\.mp4)?$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
HTML = "text/html; charset=utf-8"
# A server's own not-found page carries the jeweler's name and the store's contact
# (LanShareServer.not_found); this one is for answers that have neither at hand.
NOT_FOUND = page.gone(expired=False).encode()
# What the cloud gave as the photo's address goes into a header: printable ASCII only.
REDIRECTABLE = re.compile(r"^https?://[!-~]+$")

Lookup = Callable[[str], Share | None]      # raises ShareExpired
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def lan_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _answer(status: int, body: bytes, ctype: str = HTML,
            extra: tuple[tuple[bytes, bytes], ...] = ()) -> Answer:
    headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"private, no-store"), (b"referrer-policy", b"no-referrer"), *extra]
    return status, headers, body


class LanShareServer:
    def __init__(self, lookup: Lookup, jeweler: str, currency: str, bind: str, port: int,
                 limits: Limits | None = None, details: page.StoreDetails | None = None):
        self.lookup, self.jeweler, self.currency = lookup, jeweler, currency
        self.details = details or page.StoreDetails()
        self.not_found = page.gone(jeweler, expired=False, **self.details.page()).encode()
        self.http = BackgroundServer(self.asgi, bind, port, limits or Limits(), name="lan-share")
        self.port = self.http.port

    def start(self) -> None:
        self.http.start()

    def stop(self) -> None:
        self.http.stop()

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            status, headers, body = _answer(405, b"<h1>Method not allowed</h1>",
                                            extra=((b"allow", b"GET, HEAD"),))
        else:
            try:
                # The lookup reads SQLite and the photo file: off the event loop.
                wanted = next((v for k, v in scope["headers"] if k == b"range"), b"")
                status, headers, body = await asyncio.to_thread(self.answer, scope["raw_path"], wanted,
                                                                scope["method"] == "HEAD")
            except Exception as e:        # a broken store: one line (never the path, it holds the token)
                log.error("store Wi-Fi share server: %s: %s", type(e).__name__, e)
                status, headers, body = _answer(503, b"<h1>Try again in a moment</h1>")
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def answer(self, raw_path: bytes, wanted: bytes = b"", head: bool = False) -> Answer:
        m = ROUTE.match(raw_path.decode("latin-1"))
        try:
            share = self.lookup(m.group(1)) if m else None
        except ShareExpired:
            return _answer(410, page.gone(self.jeweler, **self.details.page()).encode())
        if m is None or share is None:
            return _answer(404, self.not_found)
        if m.group(2) == "/clip.mp4":
            return self._clip(share, wanted.decode("latin-1"), head)
        if m.group(2):
            try:
                return _answer(200, share.image.read_bytes(), "image/jpeg")
            except OSError:
                # Housekeeping removes the local copy once the cloud has it.
                if share.image_url and REDIRECTABLE.match(share.image_url):
                    return _answer(302, b"", extra=((b"location", share.image_url.encode()),))
                return _answer(404, self.not_found)
        # No player for a clip that is neither here nor in the cloud (it would stay blank).
        playable = share.clip is not None and (share.clip.exists() or bool(share.clip_url))
        clip_url = f"/s/{share.token}/clip.mp4" if playable else None
        html = page.render(jeweler=self.jeweler, jewelry=share.jewelry_name, price=share.price,
                           currency=self.currency, image_url=f"/s/{share.token}/photo.jpg",
                           expires_at=share.expires_at, offline=True, photo_size=page.jpeg_size(share.image),
                           clip_url=clip_url, **self.details.page())
        return _answer(200, html.encode())

    def _clip(self, share: Share, wanted: str, head: bool) -> Answer:
        if share.clip is None:
            return _answer(404, self.not_found)
        try:
            with open(share.clip, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                span = byte_range(wanted, size)
                if span is None:
                    return _answer(416, b"", "video/mp4", ((b"content-range", f"bytes */{size}".encode()),))
                start, end, partial = span
                f.seek(start)
                # HEAD: uvicorn sends the headers only, but the length must be the real one.
                body = b"" if head else f.read(end - start)
        except OSError:
            if share.clip_url and REDIRECTABLE.match(share.clip_url):
                return _answer(302, b"", extra=((b"location", share.clip_url.encode()),))
            return _answer(404, self.not_found)
        extra: tuple[tuple[bytes, bytes], ...] = ((b"accept-ranges", b"bytes"),)
        if partial:
            extra += ((b"content-range", f"bytes {start}-{end - 1}/{size}".encode()),)
        status, headers, _ = _answer(206 if partial else 200, b"", "video/mp4", extra)
        headers = [(k, str(end - start).encode() if k == b"content-length" else v) for k, v in headers]
        return status, headers, body


def byte_range(wanted: str, size: int) -> tuple[int, int, bool] | None:
    """[start, end) of a file of `size` bytes that a Range header asks for, and whether it is a
    partial answer (206). No header, or not one plain byte range (several ranges, other units:
    a server may ignore those), is the whole file (200); None is a range past the end (416)."""
    m = RANGE.match(wanted.strip())
    if m is None or not (m.group(1) or m.group(2)):
        return 0, size, False
    first, last = m.group(1), m.group(2)
    if not first:                           # bytes=-N: the last N bytes
        n = int(last)
        return (max(0, size - n), size, True) if n > 0 and size > 0 else None
    start = int(first)
    if last and int(last) < start:          # not a valid range: ignored (RFC 9110 §14.1.1)
        return 0, size, False
    if start >= size:
        return None
    return start, min(size, int(last) + 1) if last else size, True
