"""Seed 004 (Mirror.Me widget API) client: sessions, try-on upload, result by SSE or polling.

Choices where the seed is vague, as a careful integrator would make them:
- The photo goes up as multipart `userPhoto` (JPEG): no public URL of a customer photo exists.
- No `user.id` is sent: the customer's identity stays on the kiosk.
- The result: `resultImageBase64` when given, else `resultImage` is downloaded (20 MB cap).
- A 4th try on a session is refused locally before any request (`maxTryOns`); if the service
  refuses one anyway, its code is mapped like any other.
- Rate limits: the `X-RateLimit-*` headers of every answer are kept; with none left, a short
  wait (≤ 10 s) is slept, a longer one is a plain "try again in N s". Result polling (the
  fallback when the SSE stream cannot be used) is paced to the remaining allowance.
- A failed result (`status: failed`) may come as data or as an error answer; both map to the
  same message.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from kiosk import __version__

MAX_IMAGE = 20 * 1024 * 1024
SHORT_WAIT_S = 10.0

MESSAGES = {
    "INVALID_MERCHANT_KEY": "The cloud outfit service refused this kiosk's merchant key "
                            "([cloud_tryon] merchant_key): a technician needs to renew it.",
    "DOMAIN_NOT_ALLOWED": "The cloud outfit service does not allow this kiosk's origin "
                          "([cloud_tryon] origin): add it to the merchant's domains.",
    "MERCHANT_SUSPENDED": "The store's cloud outfit account is suspended. Colour outfits still work.",
    "RATE_LIMIT_EXCEEDED": "Too many cloud outfit requests just now.",
    "QUOTA_EXCEEDED": "This month's cloud outfit allowance is used up. Colour outfits still work.",
    "VALIDATION_ERROR": "The cloud outfit service did not accept the request.",
    "SESSION_NOT_FOUND": "The cloud outfit session was lost. Try again.",
    "SESSION_EXPIRED": "The cloud outfit session expired. Try again.",
    "INVALID_USER_IMAGE": "The service could not use this photo. Stand facing the camera with "
                          "shoulders and body in view, then try again.",
    "INVALID_PRODUCT_IMAGE": "The service could not load this outfit's picture: a technician "
                             "should check the garment list ([cloud_tryon] garments).",
    "PROCESSING_FAILED": "The cloud could not make this outfit this time. Try again or pick another.",
    "TRIES_USED": "This outfit has been tried 3 times for this customer (the service's limit "
                  "per session). Pick another outfit.",
    "UNREACHABLE": "The cloud outfit service cannot be reached. Everything else works as usual.",
    "TIMEOUT": "The cloud outfit took too long and was given up. Try again later.",
    "CANCELLED": "Cancelled.",
    "BAD_ANSWER": "The cloud outfit service sent an answer the kiosk cannot read.",
}


class TryOnError(Exception):
    """`code` is the seed's error code (or one of ours); str() is the sentence for the seller."""

    def __init__(self, code: str, detail: str = "", retry_in_s: float | None = None) -> None:
        self.code, self.detail, self.retry_in_s = code, detail, retry_in_s
        text = MESSAGES.get(code, f"The cloud outfit service said: {detail or code}.")
        if retry_in_s is not None and retry_in_s > 0:
            text += f" Try again in {retry_in_s:.0f} s."
        super().__init__(text)


@dataclass
class WidgetSession:
    id: str
    expires_at: float         # epoch seconds
    max_tries: int
    tries: int = 0

    def expired(self, now: float) -> bool:
        return now >= self.expires_at - 5          # a little early: an upload takes time


@dataclass(frozen=True)
class OutfitProgress:
    status: str
    percent: int | None


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class WidgetClient:
    def __init__(self, base_url: str, key: str, origin: str = "", timeout_s: float = 20.0,
                 transport: httpx.BaseTransport | None = None, clock: Callable[[], float] = time.time):
        self.base = base_url.rstrip("/")
        headers = {"X-Merchant-Key": key, "User-Agent": f"adorn-kiosk/{__version__}"}
        if origin:
            headers["Origin"] = origin
        self.http = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
                                 headers=headers, transport=transport)
        self.clock = clock
        self._lock = threading.Lock()
        self.limit_remaining: int | None = None
        self.limit_reset: float | None = None

    def close(self) -> None:
        self.http.close()

    # ---- requests ---------------------------------------------------------------------------

    def _note_limits(self, resp: httpx.Response) -> None:
        try:
            remaining = resp.headers.get("X-RateLimit-Remaining")
            reset = resp.headers.get("X-RateLimit-Reset")
            with self._lock:
                if remaining is not None:
                    self.limit_remaining = int(remaining)
                if reset is not None:
                    self.limit_reset = float(reset)
        except ValueError:
            pass

    def _wait_for_allowance(self, cancel: threading.Event | None) -> None:
        with self._lock:
            remaining, reset = self.limit_remaining, self.limit_reset
        if remaining is None or remaining > 0 or reset is None:
            return
        wait = reset - self.clock()
        if wait <= 0:
            return
        if wait > SHORT_WAIT_S:
            raise TryOnError("RATE_LIMIT_EXCEEDED", retry_in_s=wait)
        if cancel is not None:
            if cancel.wait(wait):
                raise TryOnError("CANCELLED")
        else:
            time.sleep(wait)

    def _call(self, method: str, path: str, cancel: threading.Event | None = None,
              **kw: Any) -> dict[str, Any]:
        self._wait_for_allowance(cancel)
        try:
            resp = self.http.request(method, self.base + path, **kw)
        except httpx.TransportError as e:
            raise TryOnError("UNREACHABLE", str(e) or type(e).__name__) from e
        self._note_limits(resp)
        return self._data(resp)

    def _data(self, resp: httpx.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if resp.status_code >= 500:
                raise TryOnError("UNREACHABLE", f"HTTP {resp.status_code}")
            raise TryOnError("BAD_ANSWER", f"HTTP {resp.status_code}, not JSON")
        data = body.get("data")
        if resp.is_success and body.get("success") is True and isinstance(data, dict):
            return data
        err: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
        code = str(err.get("code") or f"HTTP_{resp.status_code}")
        detail = str(err.get("message") or err.get("userMessage") or "")
        retry_in = None
        if resp.status_code == 429:
            after = resp.headers.get("Retry-After")
            reset = self.limit_reset
            retry_in = float(after) if after and after.isdigit() else (
                max(0.0, reset - self.clock()) if reset else None)
        if code.startswith("HTTP_") and resp.status_code >= 500:
            raise TryOnError("UNREACHABLE", f"HTTP {resp.status_code}")
        raise TryOnError(code, detail, retry_in)

    # ---- the seed's endpoints ---------------------------------------------------------------

    def create_session(self, product: dict[str, Any]) -> WidgetSession:
        d = self._call("POST", "/api/widget/session", json={"product": product})
        try:
            return WidgetSession(str(d["sessionId"]), _epoch(str(d["expiresAt"])), int(d.get("maxTryOns", 3)))
        except (KeyError, ValueError, TypeError) as e:
            raise TryOnError("BAD_ANSWER", f"session answer: {e}") from e

    def session(self, session_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/widget/session/{session_id}")

    def submit(self, s: WidgetSession, photo_jpeg: bytes) -> None:
        if s.tries >= s.max_tries:
            raise TryOnError("TRIES_USED")
        d = self._call("POST", f"/api/widget/session/{s.id}/try-on",
                       files={"userPhoto": ("photo.jpg", photo_jpeg, "image/jpeg")})
        s.tries = int(d.get("tryOnCount", s.tries + 1))

    def result(self, session_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/widget/session/{session_id}/result")

    def stream(self, session_id: str, cancel: threading.Event) -> Iterator[tuple[str, dict[str, Any]]]:
        """The SSE events (name, data). Raises TryOnError("SSE_UNAVAILABLE") when the stream
        cannot be used, so the caller falls back to polling."""
        self._wait_for_allowance(cancel)
        url = f"{self.base}/api/widget/session/{session_id}/poll"
        try:
            with self.http.stream("GET", url, headers={"Accept": "text/event-stream"}) as resp:
                self._note_limits(resp)
                if resp.status_code != 200 or "text/event-stream" not in resp.headers.get("content-type", ""):
                    resp.read()
                    if resp.status_code in (401, 402, 403, 404, 410, 429):
                        self._data(resp)              # a real refusal: raise its error
                    raise TryOnError("SSE_UNAVAILABLE", f"HTTP {resp.status_code}")
                event, data = "message", ""
                for line in resp.iter_lines():
                    if cancel.is_set():
                        raise TryOnError("CANCELLED")
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "" and data:
                        try:
                            parsed = json.loads(data)
                        except ValueError:
                            parsed = {}
                        yield event, parsed if isinstance(parsed, dict) else {}
                        event, data = "message", ""
        except httpx.TransportError as e:
            raise TryOnError("SSE_UNAVAILABLE", str(e) or type(e).__name__) from e
        raise TryOnError("SSE_UNAVAILABLE", "the stream ended without a result")

    def download(self, url: str) -> bytes:
        try:
            with self.http.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise TryOnError("UNREACHABLE", f"result image: HTTP {resp.status_code}")
                out = bytearray()
                for chunk in resp.iter_bytes():
                    out += chunk
                    if len(out) > MAX_IMAGE:
                        raise TryOnError("BAD_ANSWER", "result image larger than 20 MB")
                return bytes(out)
        except httpx.TransportError as e:
            raise TryOnError("UNREACHABLE", str(e) or type(e).__name__) from e

    def probe(self) -> None:
        """Reachable and the key accepted: an unknown session must answer SESSION_NOT_FOUND."""
        try:
            self.session("ses_kiosk_probe")
        except TryOnError as e:
            if e.code != "SESSION_NOT_FOUND":
                raise


def decode_data_url(value: str) -> bytes:
    head, _, payload = value.partition(",")
    if not head.startswith("data:") or ";base64" not in head:
        raise TryOnError("BAD_ANSWER", "resultImageBase64 is not a base64 data URL")
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError as e:
        raise TryOnError("BAD_ANSWER", "resultImageBase64 does not decode") from e
