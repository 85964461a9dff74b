"""Seed 003 as far as the kiosk uses it: JWT login/refresh/me and messages send + inbox.

Tokens are real HS256 JWTs signed with a per-run secret. Errors use the seed's
``{detail, code, timestamp}``. Faults (see faults.py): ``token_ttl_s`` shortens the access
token's life; ``messages_429`` makes the next N sends answer 429 with X-RateLimit-* headers;
``messaging_auth_per_min`` enforces the seed's auth limit (5 a minute) on login and refresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sync.devcloud.db import CloudDB, now_iso
from sync.devcloud.faults import Faults

PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PROVIDERS = {"whatsapp", "email", "telegram", "sms"}
REFRESH_TTL_S = 7 * 86400


def error(detail: str, code: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, "timestamp": now_iso()}, status_code=status,
                        headers=headers)


def rate_limited(limit: int, reset: int) -> JSONResponse:
    return error("Rate limit exceeded", "RATE_LIMITED", 429, {
        "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Tokens:
    def __init__(self) -> None:
        self.secret = secrets.token_bytes(32)
        self.issued = 0

    def make(self, sub: str, kind: str, ttl_s: float) -> str:
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps({"sub": sub, "type": kind, "exp": time.time() + ttl_s,
                                "jti": uuid.uuid4().hex}).encode())
        sig = _b64(hmac.new(self.secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        self.issued += 1
        return f"{head}.{body}.{sig}"

    def check(self, token: str, kind: str) -> tuple[str | None, str]:
        """(subject, "") when valid, else (None, error code)."""
        try:
            head, body, sig = token.split(".")
            want = _b64(hmac.new(self.secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
            if not hmac.compare_digest(sig, want):
                return None, "INVALID_TOKEN"
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, TypeError):
            return None, "INVALID_TOKEN"
        if claims.get("type") != kind:
            return None, "INVALID_TOKEN"
        if time.time() >= float(claims.get("exp", 0)):
            return None, "TOKEN_EXPIRED"
        return str(claims.get("sub")), ""


def router(db: CloudDB, faults: Faults, users: dict[str, str]) -> APIRouter:
    r = APIRouter(prefix="/api/v1")
    tokens = Tokens()
    auth_window: list[float] = []        # login/refresh calls of the last minute

    def auth_limited() -> JSONResponse | None:
        """429 once this minute's auth requests are spent (seed: 5/min), like the real limit."""
        limit = faults.messaging_auth_per_min
        if not limit:
            return None
        now = time.time()
        auth_window[:] = [t for t in auth_window if t > now - 60]
        if len(auth_window) >= limit:
            return rate_limited(limit, int(auth_window[0] + 60) + 1)
        auth_window.append(now)
        return None

    def pair(email: str) -> dict[str, Any]:
        ttl = faults.token_ttl_s
        return {"access_token": tokens.make(email, "access", ttl),
                "refresh_token": tokens.make(email, "refresh", REFRESH_TTL_S),
                "token_type": "bearer", "expires_in": int(ttl) if ttl >= 1 else ttl}

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            data = json.loads(await request.body())
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    @r.post("/auth/login")
    async def login(request: Request) -> Response:
        limited = auth_limited()
        if limited is not None:
            return limited
        data = await body_of(request)
        if data is None:
            return error("Request body must be a JSON object", "VALIDATION_ERROR", 422)
        email, password = data.get("email"), data.get("password")
        if not isinstance(email, str) or users.get(email) != password:
            return error("Incorrect email or password", "INVALID_CREDENTIALS", 401)
        return JSONResponse(pair(email))

    @r.post("/auth/refresh")
    async def refresh(request: Request) -> Response:
        limited = auth_limited()
        if limited is not None:
            return limited
        data = await body_of(request)
        sub, code = tokens.check(str((data or {}).get("refresh_token", "")), "refresh")
        if sub is None:
            return error("Invalid or expired refresh token", code, 401)
        return JSONResponse(pair(sub))

    def user(request: Request) -> str | JSONResponse:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return error("Not authenticated", "NOT_AUTHENTICATED", 401)
        sub, code = tokens.check(auth.removeprefix("Bearer "), "access")
        if sub is None:
            return error("Could not validate credentials", code, 401)
        return sub

    @r.get("/auth/me")
    async def me(request: Request) -> Response:
        who = user(request)
        if isinstance(who, Response):
            return who
        return JSONResponse({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, who)), "email": who, "name": "Kiosk",
                             "role": "user", "is_active": True, "created_at": "2025-01-12T10:00:00Z"})

    @r.post("/messages/{project_id}/send")
    async def send(project_id: str, request: Request) -> Response:
        who = user(request)
        if isinstance(who, Response):
            return who
        if faults.messages_429 > 0:
            faults.messages_429 -= 1
            return rate_limited(100, int(time.time()) + 1)
        data = await body_of(request)
        if data is None:
            return error("Request body must be a JSON object", "VALIDATION_ERROR", 422)
        problem = _check(data)
        if problem:
            return error(problem, "VALIDATION_ERROR", 422)
        msg = {"id": str(uuid.uuid4()), "project_id": project_id, "provider": data["provider"],
               "recipient": data["recipient"], "content": data["content"],
               "message_sid": "SM" + uuid.uuid4().hex, "created_at": now_iso()}
        saved = db.add_message(msg, request.headers.get("idempotency-key"))
        return JSONResponse({"id": saved["id"], "project_id": project_id, "direction": "outbound",
                             "provider": saved["provider"], "content": saved["content"],
                             "recipient": saved["recipient"], "status": "sent",
                             "message_sid": saved["message_sid"], "created_at": saved["created_at"]})

    @r.get("/messages/{project_id}/inbox")
    async def inbox(project_id: str, request: Request) -> Response:
        who = user(request)
        if isinstance(who, Response):
            return who
        return JSONResponse([{"id": m["id"], "project_id": m["project_id"], "direction": "outbound",
                              "provider": m["provider"], "content": m["content"], "sender": m["recipient"],
                              "is_read": True, "ai_generated": False, "created_at": m["created_at"]}
                             for m in db.messages() if m["project_id"] == project_id])

    return r


def _check(data: dict[str, Any]) -> str:
    provider, rec, content = data.get("provider"), data.get("recipient"), data.get("content")
    if provider not in PROVIDERS:
        return f"provider: must be one of {', '.join(sorted(PROVIDERS))}"
    if not isinstance(rec, dict):
        return "recipient: an object with phone (or email) and name is required"
    if provider == "email":
        if not isinstance(rec.get("email"), str) or not EMAIL.match(rec["email"]):
            return "recipient.email: not a valid email address"
    elif not isinstance(rec.get("phone"), str) or not PHONE.match(rec["phone"]):
        return "recipient.phone: not a valid phone number in international format (+countrycode...)"
    if not isinstance(content, str) or not content.strip() or len(content) > 4096:
        return "content: 1 to 4096 characters"
    return ""
