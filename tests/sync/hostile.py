"""A deliberately bad HTTP server for the sync tests: it answers what real networks answer
(a portal's 302, a proxy's HTML, megabytes, a byte every second) instead of the seed's JSON.

Raw sockets rather than a framework, so nothing in between can tidy up what it sends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Answer = Callable[[bytes, int], bytes | None]   # (request, n) -> raw response; None: trickle


@dataclass
class Hostile:
    answer: Answer
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    trickle_s: float = 1.0

    def __post_init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while not self._stop.is_set():
                    req = _read_request(conn)
                    if req is None:
                        return
                    n = len(self.requests)
                    self.requests.append(req)
                    raw = self.answer(req, n)
                    if raw is None:
                        # Headers a byte at a time, forever: each read is "in time".
                        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: "
                        for b in head + b"x" * 10**6:
                            if self._stop.is_set():
                                return
                            conn.sendall(bytes([b]))
                            time.sleep(self.trickle_s)
                        return
                    conn.sendall(raw)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def response(status: int, body: bytes = b"", ctype: str = "application/json",
             headers: dict[str, str] | None = None, reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def portal(status: int = 302, location: str = "http://portal.example/login") -> bytes:
    page = b"<html><body><h1>Welcome to Store Wi-Fi</h1><a href='/login'>Log in</a></body></html>"
    return response(status, page, "text/html; charset=utf-8", {"Location": location})


def ok_event(n: int) -> bytes:
    return response(200, f'{{"status": "ok", "event_id": "evt_{n}"}}'.encode())
