"""Seed 004 (Mirror.Me widget API) on the devcloud, with a LOCAL STAND-IN GENERATOR.

The real service swaps the garment with a generative model. This stand-in does not: it recolours
the customer's clothing in the garment's main colour with the kiosk's own on-device recolour and
stamps "devcloud stand-in" on the result, so nobody mistakes it for the service. Everything
around it follows the seed: `X-Merchant-Key` (test key any origin, live key only whitelisted
origins), sessions pending → processing → completed | failed, expiry, `maxTryOns` 3, rate-limit
headers on every answer (per merchant 100/min, per IP 20/min), SSE `status`/`completed`/`error`,
`{success:false, error:{code, message, userMessage, details, requestId}}`, and webhooks signed
`sha256=` HMAC over `"{timestamp}.{payload}"`, retried after 1 s, 5 s and 30 s.

Devcloud choices where the seed is silent: a 4th try answers 429 RATE_LIMIT_EXCEEDED (the seed
lists "Try-on per Session 3" under rate limits); a failed result answers 200 with
`{status: failed, error: CODE}` (like the SSE error event).

Faults (POST /_devcloud/faults): tryon_delay_s, tryon_fail, tryon_quota, tryon_suspended,
tryon_sse (false: the stream answers 503), tryon_session_ttl_s, tryon_rate_per_ip,
tryon_webhook_fail_first (the receiver refuses the first N deliveries).
Webhook receiver (the merchant's side): POST /_devcloud/tryon-webhook, verified with the
kiosk's verifier; GET it for what was processed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from kiosk.outfit.webhook import Verdict, WebhookVerifier, sign
from sync.devcloud.faults import Faults

log = logging.getLogger(__name__)
TEST_KEY = "mk_test_devcloud_kiosk"
LIVE_KEY = "mk_live_devcloud_kiosk"
LIVE_ORIGINS = ("https://kiosk.abharana.example",)
WEBHOOK_SECRET = "whsec_devcloud"
MAX_TRIES = 3
MEDIA = "/tryon-media"
WEBHOOK_PATH = "/_devcloud/tryon-webhook"
RETRIES_S = (1.0, 5.0, 30.0)
# Sample garments for the demo config: (name, main colour BGR, border colour BGR)
GARMENTS = {"kanjivaram_green": ("Kanjivaram silk saree, green", (58, 107, 31), (40, 170, 212)),
            "banarasi_red": ("Banarasi silk saree, red", (48, 28, 165), (50, 190, 230)),
            "lehenga_pink": ("Bridal lehenga, rani pink", (91, 24, 194), (60, 200, 235))}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Session:
    id: str
    product: dict[str, Any]
    expires_at: float
    status: str = "pending"
    tries: int = 0
    progress: int = 0
    result: bytes | None = None
    error: str | None = None
    generated_at: float | None = None
    base: str = ""


@dataclass
class _Window:
    start: float = 0.0
    count: int = 0


@dataclass
class _Receiver:
    processed: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    refused: int = 0


def router(faults: Faults) -> APIRouter:
    r = APIRouter()
    sessions: dict[str, _Session] = {}
    windows: dict[str, _Window] = {}
    lock = threading.Lock()
    verifier = WebhookVerifier(WEBHOOK_SECRET)
    receiver = _Receiver()

    def fail(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse({"success": False, "error": {
            "code": code, "message": message, "userMessage": message, "details": {},
            "requestId": "req_" + secrets.token_hex(6)}}, status_code=status, headers=headers)

    def ok(data: dict[str, Any], headers: dict[str, str]) -> JSONResponse:
        return JSONResponse({"success": True, "data": data}, headers=headers)

    def limits(request: Request) -> tuple[dict[str, str], JSONResponse | None]:
        """Fixed one-minute windows per merchant key and per client IP; the stricter one shows."""
        now = time.time()
        minute = now - now % 60
        key = request.headers.get("x-merchant-key", "")
        ip = request.client.host if request.client else "?"
        shown: tuple[int, int] | None = None
        over = False
        with lock:
            for name, cap in ((f"m:{key}", 100), (f"ip:{ip}", faults.tryon_rate_per_ip)):
                w = windows.setdefault(name, _Window())
                if w.start != minute:
                    w.start, w.count = minute, 0
                w.count += 1
                left = max(0, cap - w.count)
                over = over or w.count > cap
                if shown is None or left < shown[1]:
                    shown = (cap, left)
        assert shown is not None
        headers = {"X-RateLimit-Limit": str(shown[0]), "X-RateLimit-Remaining": str(shown[1]),
                   "X-RateLimit-Reset": str(int(minute + 60))}
        if over:
            return headers, fail("RATE_LIMIT_EXCEEDED", "Too many requests", 429,
                                 headers | {"Retry-After": str(int(minute + 60 - now) + 1)})
        return headers, None

    def gate(request: Request) -> tuple[dict[str, str], JSONResponse | None]:
        headers, limited = limits(request)
        if limited is not None:
            return headers, limited
        key = request.headers.get("x-merchant-key", "")
        if key not in (TEST_KEY, LIVE_KEY):
            return headers, fail("INVALID_MERCHANT_KEY", "API key is invalid or revoked", 401, headers)
        if key == LIVE_KEY and request.headers.get("origin", "") not in LIVE_ORIGINS:
            return headers, fail("DOMAIN_NOT_ALLOWED", "Origin not in allowed domains", 403, headers)
        if faults.tryon_suspended:
            return headers, fail("MERCHANT_SUSPENDED", "Account suspended", 403, headers)
        return headers, None

    def find(sid: str, request: Request) -> tuple[dict[str, str], _Session | None, Response | None]:
        """The session of a widget call, or the answer that refuses the call."""
        headers, refused = gate(request)
        if refused is not None:
            return headers, None, refused
        with lock:
            s = sessions.get(sid)
        if s is None:
            return headers, None, fail("SESSION_NOT_FOUND", "Session doesn't exist", 404, headers)
        if time.time() >= s.expires_at and s.status in ("pending", "completed", "failed"):
            s.status = "expired"
        return headers, s, None

    def webhook(event: str, s: _Session) -> None:
        data: dict[str, Any] = {"sessionId": s.id, "merchantId": 1,
                                "product": {"id": s.product.get("id"), "name": s.product.get("name")}}
        if event == "try-on.completed":
            data["resultImage"] = f"{s.base}{MEDIA}/results/{s.id}_{s.tries}.jpg"
        if event == "try-on.failed":
            data["error"] = s.error
        ts = int(time.time())
        body = json.dumps({"event": event, "timestamp": ts, "data": data}).encode()
        headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(WEBHOOK_SECRET, ts, body),
                   "X-Webhook-Timestamp": str(ts)}
        url = s.base + WEBHOOK_PATH

        def deliver() -> None:
            for wait in (0.0, *RETRIES_S):
                time.sleep(wait)
                try:
                    if httpx.post(url, content=body, headers=headers, timeout=5).is_success:
                        return
                except httpx.HTTPError:
                    pass
            log.warning("webhook %s for %s given up after %d retries", event, s.id, len(RETRIES_S))

        threading.Thread(target=deliver, name="tryon-webhook", daemon=True).start()

    def generate(s: _Session, photo: bytes) -> None:
        steps = max(1, int(faults.tryon_delay_s / 0.25))
        for i in range(steps):
            time.sleep(faults.tryon_delay_s / steps)
            s.progress = int(90 * (i + 1) / steps)
        try:
            if faults.tryon_fail:
                raise _Failed("PROCESSING_FAILED")
            garment = _product_image(s.product, s.base)
            s.result = _stand_in(photo, garment)
            s.status, s.generated_at, s.progress = "completed", time.time(), 100
            webhook("try-on.completed", s)
        except _Failed as e:
            s.status, s.error = "failed", e.code
            webhook("try-on.failed", s)
        except Exception:        # a stand-in bug must read as the seed's failure, not hang
            log.exception("stand-in generator failed")
            s.status, s.error = "failed", "PROCESSING_FAILED"
            webhook("try-on.failed", s)

    @r.post("/api/widget/session")
    async def create(request: Request) -> Response:
        headers, refused = gate(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return fail("VALIDATION_ERROR", "Body is not JSON", 400, headers)
        p = body.get("product") if isinstance(body, dict) else None
        missing = [k for k in ("id", "name", "image") if not isinstance(p, dict) or not p.get(k)]
        if missing:
            return fail("VALIDATION_ERROR", f"product.{missing[0]} is required", 400, headers)
        assert isinstance(p, dict)
        s = _Session("ses_" + secrets.token_hex(8), p, time.time() + faults.tryon_session_ttl_s,
                     base=str(request.base_url).rstrip("/"))
        with lock:
            sessions[s.id] = s
        webhook("session.created", s)
        return ok({"sessionId": s.id, "expiresAt": _iso(s.expires_at), "maxTryOns": MAX_TRIES,
                   "widgetUrl": f"{s.base}/widget/try-on?session={s.id}"}, headers)

    @r.get("/api/widget/session/{sid}")
    def get(sid: str, request: Request) -> Response:
        headers, s, refused = find(sid, request)
        if s is None:
            return refused or Response(status_code=500)
        return ok({"id": s.id, "status": s.status, "tryOnCount": s.tries, "maxTryOns": MAX_TRIES,
                   "product": {k: s.product.get(k) for k in ("id", "name", "image")},
                   "expiresAt": _iso(s.expires_at)}, headers)

    @r.post("/api/widget/session/{sid}/try-on")
    async def try_on(sid: str, request: Request) -> Response:
        headers, s, refused = find(sid, request)
        if s is None:
            return refused or Response(status_code=500)
        if s.status == "expired":
            return fail("SESSION_EXPIRED", "Session has expired", 410, headers)
        if s.status == "processing":
            return fail("VALIDATION_ERROR", "A try-on is already being generated", 400, headers)
        if s.tries >= MAX_TRIES:
            return fail("RATE_LIMIT_EXCEEDED", f"Maximum try-ons ({MAX_TRIES}) reached for this session",
                        429, headers)
        if faults.tryon_quota:
            return fail("QUOTA_EXCEEDED", "Monthly try-on limit reached", 402, headers)
        photo = await _user_photo(request)
        if photo is None or _decode(photo) is None:
            return fail("INVALID_USER_IMAGE", "User photo couldn't be processed", 400, headers)
        s.tries += 1
        s.status, s.progress, s.error, s.result = "processing", 0, None, None
        webhook("try-on.processing", s)
        threading.Thread(target=generate, args=(s, photo), name="tryon-standin", daemon=True).start()
        return ok({"sessionId": s.id, "status": "processing", "tryOnCount": s.tries,
                   "message": "Try-on generation started"}, headers)

    def result_data(s: _Session) -> dict[str, Any]:
        if s.status == "completed" and s.result is not None:
            return {"status": "completed", "resultImage": f"{s.base}{MEDIA}/results/{s.id}_{s.tries}.jpg",
                    "resultImageBase64": "data:image/jpeg;base64," + base64.b64encode(s.result).decode(),
                    "generatedAt": _iso(s.generated_at or time.time())}
        if s.status == "failed":
            return {"status": "failed", "error": s.error or "PROCESSING_FAILED"}
        return {"status": s.status, "message": "Try-on is being generated. Please check back shortly."}

    @r.get("/api/widget/session/{sid}/result")
    def result(sid: str, request: Request) -> Response:
        headers, s, refused = find(sid, request)
        if s is None:
            return refused or Response(status_code=500)
        if s.status == "expired":
            return fail("SESSION_EXPIRED", "Session has expired", 410, headers)
        return ok(result_data(s), headers)

    @r.get("/api/widget/session/{sid}/poll")
    def poll(sid: str, request: Request) -> Response:
        headers, s, refused = find(sid, request)
        if s is None:
            return refused or Response(status_code=500)
        if not faults.tryon_sse:
            return Response("event streams are switched off on this devcloud", status_code=503,
                            media_type="text/plain", headers=headers)
        session = s

        async def events() -> AsyncIterator[str]:
            while True:
                if time.time() >= session.expires_at and session.status != "processing":
                    yield 'event: error\ndata: {"status": "expired", "error": "SESSION_EXPIRED"}\n\n'
                    return
                if session.status == "completed":
                    d = result_data(session)
                    yield "event: completed\ndata: " + json.dumps(
                        {"status": "completed", "resultImage": d["resultImage"]}) + "\n\n"
                    return
                if session.status == "failed":
                    yield "event: error\ndata: " + json.dumps(
                        {"status": "failed", "error": session.error or "PROCESSING_FAILED"}) + "\n\n"
                    return
                yield "event: status\ndata: " + json.dumps(
                    {"status": session.status, "progress": session.progress}) + "\n\n"
                await asyncio.sleep(0.5)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers=headers | {"Cache-Control": "no-cache"})

    @r.get(MEDIA + "/results/{name}")
    def result_image(name: str) -> Response:
        sid = name.rsplit("_", 1)[0]
        with lock:
            s = sessions.get(sid)
        if s is None or s.result is None:
            return Response(status_code=404)
        return Response(s.result, media_type="image/jpeg")

    @r.get(MEDIA + "/garments/{name}")
    def garment_image(name: str) -> Response:
        gid = name.rsplit(".", 1)[0]
        if gid not in GARMENTS:
            return Response(status_code=404)
        return Response(_garment_jpeg(gid), media_type="image/jpeg")

    @r.post(WEBHOOK_PATH)
    async def receive(request: Request) -> Response:
        body = await request.body()
        if receiver.refused < faults.tryon_webhook_fail_first:
            receiver.refused += 1
            return JSONResponse({"error": "not now"}, status_code=503)
        verdict = verifier.verify(body, request.headers.get("x-webhook-signature"),
                                  request.headers.get("x-webhook-timestamp"))
        if verdict is Verdict.OK:
            receiver.processed.append(json.loads(body))
        elif verdict is Verdict.DUPLICATE:
            receiver.duplicates += 1
        else:
            receiver.rejected.append(verdict.value)
            return JSONResponse({"error": verdict.value}, status_code=401)
        return JSONResponse({"received": True})

    @r.get(WEBHOOK_PATH)
    def received() -> dict[str, Any]:
        return {"processed": receiver.processed, "duplicates": receiver.duplicates,
                "rejected": receiver.rejected, "refused": receiver.refused}

    return r


class _Failed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def _user_photo(request: Request) -> bytes | None:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        f = form.get("userPhoto")
        return await f.read() if f is not None and not isinstance(f, str) else None
    try:
        body = await request.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("userPhoto"), str):
        _, _, payload = body["userPhoto"].partition(",")
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:
            return None
    if isinstance(body.get("userPhotoUrl"), str):
        try:
            resp = await asyncio.to_thread(httpx.get, body["userPhotoUrl"], timeout=5)
        except httpx.HTTPError:
            return None
        return resp.content if resp.is_success else None
    return None


def _decode(data: bytes) -> Any:
    import cv2
    import numpy as np

    arr = np.frombuffer(data, np.uint8)
    return cv2.imdecode(arr, cv2.IMREAD_COLOR) if arr.size else None


def _garment_jpeg(gid: str) -> bytes:
    """A folded-fabric product shot: the main colour with a woven border."""
    import cv2
    import numpy as np

    _, main, border = GARMENTS[gid]
    img = np.full((480, 360, 3), main, np.uint8)
    img[:, :48] = border
    for y in range(0, 480, 24):
        cv2.circle(img, (24, y + 12), 7, tuple(int(c * 0.7) for c in main), -1)
    shade = np.linspace(0.8, 1.1, 360, dtype=np.float32)[None, :, None]
    img = np.clip(img * shade, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return jpeg.tobytes() if ok else b""


def _product_image(product: dict[str, Any], base: str) -> Any:
    url = str(product.get("image", ""))
    prefix = f"{base}{MEDIA}/garments/"
    if url.startswith(prefix) and url[len(prefix):].rsplit(".", 1)[0] in GARMENTS:
        data = _garment_jpeg(url[len(prefix):].rsplit(".", 1)[0])
    else:
        try:
            resp = httpx.get(url, timeout=5)
        except httpx.HTTPError as e:
            raise _Failed("INVALID_PRODUCT_IMAGE") from e
        data = resp.content if resp.is_success else b""
    img = _decode(data)
    if img is None:
        raise _Failed("INVALID_PRODUCT_IMAGE")
    return img


def _stand_in(photo: bytes, garment: Any) -> bytes:
    """The customer's clothing recoloured to the garment's main colour (the kiosk's recolour)."""
    import cv2
    import numpy as np

    from kiosk.catalog.pieces import Catalog
    from kiosk.tryon.attire import Attire
    from kiosk.tryon.still import render

    frame = _decode(photo)
    h, w = garment.shape[:2]
    body = garment[h // 8:h * 7 // 8, w // 4:w * 3 // 4].reshape(-1, 3)
    colour = tuple(int(c) for c in np.median(body, axis=0))
    attire = Attire("cloud", "cloud garment", (colour[0], colour[1], colour[2]))
    if render(frame, Catalog({}), [], attire).result.faces == 0:
        raise _Failed("INVALID_USER_IMAGE")
    cv2.putText(frame, "devcloud stand-in", (12, frame.shape[0] - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                (255, 255, 255), 2, cv2.LINE_AA)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return jpeg.tobytes() if ok else b""
