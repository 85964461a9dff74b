"""The kiosk's own download server for phones on the store Wi-Fi.

When the internet is down the cloud page does not exist yet, so the QR code points here:
the same token, the same expiry (410 after it), an explicit note that the link only works
inside the store. Only GET /s/<token> and /s/<token>/photo.jpg exist; nothing else is served.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kiosk.share import page
from kiosk.store.shares import Share, ShareExpired

log = logging.getLogger(__name__)
ROUTE = re.compile(r"^/s/([A-Za-z0-9_-]{22,100})(/photo\.jpg)?$")

Lookup = Callable[[str], Share | None]      # raises ShareExpired


def lan_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


class LanShareServer:
    def __init__(self, lookup: Lookup, jeweler: str, currency: str, bind: str, port: int):
        self.lookup, self.jeweler, self.currency = lookup, jeweler, currency
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass                                     # tokens are secrets: not in the logs

        self.httpd = ThreadingHTTPServer((bind, port), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="lan-share", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        m = ROUTE.match(req.path.split("?")[0])
        share = None
        try:
            share = self.lookup(m.group(1)) if m else None
        except ShareExpired:
            self._send(req, 410, "text/html; charset=utf-8", page.gone(self.jeweler).encode())
            return
        if m is None or share is None:
            self._send(req, 404, "text/html; charset=utf-8", b"<h1>Not found</h1>")
            return
        if m.group(2):
            try:
                body = share.image.read_bytes()
            except OSError:
                # Housekeeping removes the local copy once the cloud has it.
                if share.image_url:
                    req.send_response(302)
                    req.send_header("Location", share.image_url)
                    req.send_header("Content-Length", "0")
                    req.end_headers()
                else:
                    self._send(req, 404, "text/html; charset=utf-8", b"<h1>Not found</h1>")
                return
            self._send(req, 200, "image/jpeg", body)
            return
        html = page.render(jeweler=self.jeweler, jewelry=share.jewelry_name, price=share.price,
                           currency=self.currency, image_url=f"/s/{share.token}/photo.jpg",
                           expires_at=share.expires_at, offline=True)
        self._send(req, 200, "text/html; charset=utf-8", html.encode())

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes) -> None:
        req.send_response(status)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        req.send_header("Cache-Control", "private, no-store")
        req.send_header("Referrer-Policy", "no-referrer")
        req.end_headers()
        req.wfile.write(body)
