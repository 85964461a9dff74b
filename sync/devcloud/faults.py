"""Fault injection for the devcloud: a pure ASGI middleware in front of the API routes.

- fail_rate:  answer 500 before doing anything.
- drop_rate:  do the work, then cut the connection before the body is sent. This is the
              nasty case: the cloud has the event but the kiosk never hears so.
- slow_ms:    wait this long before handling.
- rate_limit: at most N API requests per second (fixed one-second window), else 429 with
              Retry-After.
- captive_portal: the next N API answers are a store Wi-Fi portal's: 302 to an HTML login
              page (http://<host>/portal/login), the request never reaching the cloud.
- commit_fail_rate: do the work, then answer 500 (seed-shaped error): the cloud has it, the
              kiosk is told it failed, and a re-send is a duplicate unless the key is honoured.
- ignore_idempotency: the Idempotency-Key header is not honoured (no seed names it): every
              POST stores a new event/person/message (see db.py for how they are counted).
- fault_paths: limit the faults above (not the portal) to paths starting with one of these
              comma-separated prefixes, e.g. "/api/client/person/" to lose person answers only.
Faults can be changed while running (POST /_devcloud/faults) so tests can take the cloud
down and bring it back without restarting it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIXES = ("/v1/", "/api/", "/commerce/api/")
PORTAL_PATH = "/portal/login"
PORTAL_HTML = ("<!doctype html><html><head><title>Store Wi-Fi</title></head><body>"
               "<h1>Welcome to the store Wi-Fi</h1><p>Accept the terms to continue.</p>"
               "<form method='post' action='{url}'><button>Accept and connect</button></form>"
               "</body></html>")


@dataclass
class Faults:
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    slow_ms: int = 0
    rate_limit: int = 0              # requests per second; 0 = unlimited
    expire_sessions_every: float = 0.0   # seconds a login session lives; 0 = forever
    down: bool = False               # every API request fails with 503
    # Servers as real ones may be (issue 19): kept together, see the module docstring.
    ignore_idempotency: bool = False
    captive_portal: int = 0              # API answers still to be intercepted by the portal
    commit_fail_rate: float = 0.0
    fault_paths: str = ""                # comma-separated path prefixes the faults strike; "" = all
    token_ttl_s: float = 900.0       # seed 003 access token life
    messages_429: int = 0            # the next N message sends answer 429
    commerce_token_ttl_s: float = 300.0  # seed 002 access token life
    # Seed 002 media as a real DRF server may list it: "absolute" (an ImageField with the request
    # in its context), "relative" ("/commerce/media/..." from the host root: no request in the
    # context) or "name" (the bare storage name "products/...": only [catalog] media_url finds it).
    commerce_media: str = "absolute"
    commerce_token_uses: int = 0         # a seed 002 access token is refused after N uses; 0 = never
    commerce_rotate_refresh: bool = False    # SimpleJWT ROTATE_REFRESH_TOKENS + blacklist after rotation
    messaging_auth_per_min: int = 0      # seed 003 auth limit (the seed says 5): 429 beyond it; 0 = none
    tryon_delay_s: float = 3.0           # seed 004 stand-in generation time
    tryon_fail: bool = False             # generations fail with PROCESSING_FAILED
    tryon_quota: bool = False            # try-ons answer 402 QUOTA_EXCEEDED
    tryon_suspended: bool = False        # every widget call answers 403 MERCHANT_SUSPENDED
    tryon_sse: bool = True               # false: the event stream answers 503 (clients poll)
    tryon_session_ttl_s: float = 1800.0  # how long a widget session lives
    tryon_rate_per_ip: int = 20          # seed: 20 requests per minute per IP
    tryon_webhook_fail_first: int = 0    # the webhook receiver refuses the first N deliveries
    seed: int | None = None

    def update(self, changes: dict[str, Any]) -> None:
        for k, v in changes.items():
            if k not in self.__dataclass_fields__:
                raise ValueError(f"unknown fault {k!r}")
            current = getattr(self, k)
            if isinstance(current, bool) and not isinstance(v, bool):
                raise TypeError(f"{k} wants true or false, got {v!r}")  # bool("false") is True
            setattr(self, k, type(current)(v) if current is not None else v)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NO_FAULTS = Faults()


class DroppedOnPurpose(Exception):
    """Raised after the response started so the server closes the connection."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedOnPurpose)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


@dataclass
class RequestLog:
    """The last requests (time, method, path, status) for tests that check timing, and how
    often each fault struck (``tally``, shown in /_devcloud/stats)."""

    entries: deque[tuple[float, str, str, int]] = field(default_factory=lambda: deque(maxlen=20000))
    lock: threading.Lock = field(default_factory=threading.Lock)
    tally: dict[str, int] = field(default_factory=dict)

    def add(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.entries.append((time.time(), method, path, status))

    def count(self, what: str) -> None:
        with self.lock:
            self.tally[what] = self.tally.get(what, 0) + 1

    def list(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(t=t, method=m, path=p, status=s) for t, m, p, s in self.entries]


def _error_body(path: str, message: str) -> bytes:
    import json

    if path.startswith("/v1/"):
        return json.dumps({"status": "error", "message": message}).encode()
    if path.startswith("/api/v1/"):          # seed 003's error shape
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return json.dumps({"detail": message, "code": "SERVER_ERROR", "timestamp": stamp}).encode()
    return json.dumps({"error": message}).encode()


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults, log: RequestLog):
        self.app = app
        self.faults = faults
        self.log = log
        self.rng = random.Random(faults.seed)
        self._window = (0, 0)         # (second, count)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        f = self.faults
        if f.captive_portal > 0:        # in front of the cloud: nothing else happens
            f.captive_portal -= 1
            await self._portal(scope, send)
            return
        if f.fault_paths and not path.startswith(tuple(p.strip() for p in f.fault_paths.split(","))):
            f = NO_FAULTS
        if f.slow_ms:
            await asyncio.sleep(f.slow_ms / 1000)
        if f.rate_limit:
            sec = int(time.time())
            start, count = self._window
            count = count + 1 if start == sec else 1
            self._window = (sec, count)
            if count > f.rate_limit:
                wait = max(1, math.ceil(sec + 1 - time.time()))
                await self._reply(send, path, method, 429, "Request was throttled.",
                                  [(b"retry-after", str(wait).encode())])
                return
        if f.down:
            await self._reply(send, path, method, 503, "Service unavailable (devcloud is down)")
            return
        if f.fail_rate and self.rng.random() < f.fail_rate:
            self.log.count("fail_500")
            await self._reply(send, path, method, 500, "Internal server error occurred")
            return
        drop = bool(f.drop_rate) and self.rng.random() < f.drop_rate
        if not drop and f.commit_fail_rate and self.rng.random() < f.commit_fail_rate:
            await self._commit_then_fail(scope, receive, send)
            return
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if drop:
                    # Headers promise a body that never comes: the client sees a broken read.
                    headers = [(k, v) for k, v in message.get("headers", []) if k != b"content-length"]
                    message = {**message, "headers": headers + [(b"content-length", b"100000")]}
            elif message["type"] == "http.response.body" and drop:
                self.log.count("dropped_answers")
                self.log.add(method, path, -status)
                raise DroppedOnPurpose()
            await send(message)

        await self.app(scope, receive, send_wrapper)
        self.log.add(method, path, status)

    async def _commit_then_fail(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            pass            # the work is done and kept; its answer is lost in the "crash"

        await self.app(scope, receive, swallow)
        self.log.count("commit_then_500")
        await self._reply(send, scope["path"], scope["method"], 500, "Internal server error occurred")

    async def _portal(self, scope: Scope, send: Send) -> None:
        host = dict(scope["headers"]).get(b"host", b"127.0.0.1").decode("latin-1")
        login = f"http://{host}{PORTAL_PATH}"
        body = PORTAL_HTML.format(url=login).encode()
        await send({"type": "http.response.start", "status": 302, "headers": [
            (b"location", login.encode("latin-1")), (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
        self.log.count("captive_portal_302")
        self.log.add(scope["method"], scope["path"], 302)

    async def _reply(self, send: Send, path: str, method: str, status: int, message: str,
                     extra: list[tuple[bytes, bytes]] | None = None) -> None:
        body = _error_body(path, message)
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())] + (extra or [])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.log.add(method, path, status)
