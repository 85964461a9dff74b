"""The local monitoring endpoint the sync daemon serves on 127.0.0.1 (`[health] port`).

    GET /status   the `kiosk status --json` report (always 200 while the daemon runs)
    GET /healthz  200 {"ok": true} when nothing is wrong, else 503 with the problems

Loopback only, read-only, no auth: a monitoring agent on the device (or an ssh tunnel) is the
client. Nothing here is sent to the seed APIs.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.config import KioskConfig
from kiosk.ops import health

log = logging.getLogger(__name__)


class MonitorServer:
    def __init__(self, cfg: KioskConfig, port: int | None = None):
        self.cfg = cfg

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                if path not in ("/status", "/healthz"):
                    self._send(404, {"error": "not found; try /status or /healthz"})
                    return
                try:
                    rep = health.build(cfg)
                    problems = rep.problems
                    body = rep.to_json() if path == "/status" else {"ok": not problems, "problems": problems}
                except Exception as e:  # a monitoring probe must get an answer, not a reset
                    log.exception("status report failed")
                    self._send(500, {"ok": False, "error": f"{type(e).__name__}: {e}"})
                    return
                self._send(200 if path == "/status" or body["ok"] else 503, body)

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, default=str).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass        # a probe every few seconds would flood the journal

        self.httpd = ThreadingHTTPServer(("127.0.0.1", cfg.health.port if port is None else port), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
