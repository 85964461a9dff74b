"""Seed 003 messaging API: JWT login, refresh, and POST /api/v1/messages/{project_id}/send.

Tokens: login gives ``access_token`` (``expires_in`` seconds, 900 in the seed) and
``refresh_token``. The access token is refreshed 60 s before it runs out, and on a 401 the
request is repeated once after a refresh (or a new login when the refresh is refused). The
auth endpoints allow 5 requests a minute, so tokens are shared by all workers under a lock.

Choices where the seed is silent, made as a careful integrator would:
- email goes through the same endpoint with ``provider: "email"`` and
  ``recipient: {"email", "name"}`` (the seed shows only a phone recipient);
- the send answer's message id is read from ``message_sid``, ``provider_message_id`` or
  ``id``, in that order; an answer with ``status: "failed"`` is a refusal;
- 429 waits until ``X-RateLimit-Reset`` (epoch seconds), or Retry-After, or backoff;
- errors are ``{detail, code, timestamp}``; ``detail`` (a string, or FastAPI's list of
  field errors for 422) is what the seller reads, in plain words.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from sync.clients.http import (
    is_retryable_status,
    json_body,
    make_client,
    retry_after,
    retry_for_transport,
    short,
)

REFRESH_EARLY_S = 60.0


def error_text(resp: httpx.Response) -> str:
    body = json_body(resp)
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):          # 422: [{"loc": [...], "msg": "..."}]
            parts = []
            for d in detail:
                if isinstance(d, dict):
                    where = ".".join(str(x) for x in d.get("loc", []) if x != "body")
                    parts.append(f"{where}: {d.get('msg', '')}" if where else str(d.get("msg", "")))
            detail = "; ".join(parts)
        if detail:
            code = body.get("code")
            return f"{detail} ({code})" if code else str(detail)
    return short(resp.text) or resp.reason_phrase


def rate_limit_wait(resp: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    reset = resp.headers.get("X-RateLimit-Reset", "").strip()
    if reset.isdigit():
        return max(1.0, float(reset) - now())
    return retry_after(resp)


class AuthFailed(Exception):
    def __init__(self, outcome: Outcome):
        super().__init__(str(outcome))
        self.outcome = outcome


class MessagingClient:
    def __init__(self, base_url: str, email: str, password: Callable[[], str | None], project_id: str,
                 timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.time):
        self.api = base_url.rstrip("/") + "/api/v1/"
        self.email, self._password, self.project_id = email, password, project_id
        self.http = make_client(timeout_s, transport)
        self.clock = clock
        self._lock = threading.Lock()
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self.logins = 0
        self.refreshes = 0

    def close(self) -> None:
        self.http.close()

    # ---- tokens -------------------------------------------------------------------------------

    def _take_tokens(self, resp: httpx.Response) -> None:
        body = json_body(resp)
        if not (isinstance(body, dict) and isinstance(body.get("access_token"), str)):
            raise AuthFailed(Retry(f"the messaging login answer has no token: {short(resp.text)}"))
        self._access = body["access_token"]
        self._refresh = body.get("refresh_token") or self._refresh
        self._expires_at = self.clock() + float(body.get("expires_in") or 900)

    def _auth_call(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            resp = self.http.post(self.api + path, json=body)
        except httpx.TransportError as e:
            raise AuthFailed(retry_for_transport(e)) from None
        if resp.status_code == 429:
            raise AuthFailed(Retry(f"messaging login rate-limited: {error_text(resp)}",
                                   after_s=rate_limit_wait(resp, self.clock), throttled=True))
        if resp.status_code >= 500:
            raise AuthFailed(Retry(f"messaging login: HTTP {resp.status_code}: {error_text(resp)}"))
        return resp

    def _login(self) -> None:
        password = self._password()
        if not password:
            raise AuthFailed(Retry("no messaging password configured (share.messaging_password)"))
        resp = self._auth_call("auth/login", {"email": self.email, "password": password})
        if not resp.is_success:
            # Wrong credentials are a configuration problem: the message waits, it is not refused.
            raise AuthFailed(Retry(f"the messaging API refused the kiosk's login (share.messaging_email/"
                                   f"password): {error_text(resp)}"))
        self.logins += 1
        self._take_tokens(resp)

    def _renew(self) -> None:
        if self._refresh:
            resp = self._auth_call("auth/refresh", {"refresh_token": self._refresh})
            if resp.is_success:
                self.refreshes += 1
                self._take_tokens(resp)
                return
        self._refresh = None
        self._login()

    def token(self, stale: str | None = None) -> str:
        """A valid access token; `stale` is one the server just refused."""
        with self._lock:
            if self._access is None:
                self._login()
            elif self._access == stale or self.clock() >= self._expires_at - REFRESH_EARLY_S:
                self._renew()
            assert self._access is not None
            return self._access

    # ---- send ---------------------------------------------------------------------------------

    def send(self, *, channel: str, destination: str, name: str, content: str,
             idempotency_key: str) -> Outcome:
        if channel == "email":
            body: dict[str, Any] = {"recipient": {"email": destination, "name": name}, "provider": "email"}
        else:
            body = {"recipient": {"phone": destination, "name": name}, "provider": channel}
        body |= {"content": content, "content_type": "text"}
        url = self.api + f"messages/{self.project_id}/send"
        stale: str | None = None
        for _ in range(2):
            try:
                token = self.token(stale)
            except AuthFailed as e:
                return e.outcome
            try:
                resp = self.http.post(url, json=body, headers={"Authorization": f"Bearer {token}",
                                                               "Idempotency-Key": idempotency_key})
            except httpx.TransportError as e:
                return retry_for_transport(e)
            if resp.status_code != 401:
                return self._outcome(resp)
            stale = token
        return Retry(f"the messaging API refused a fresh token: {error_text(resp)}")

    def _outcome(self, resp: httpx.Response) -> Outcome:
        if resp.is_success:
            body = json_body(resp)
            if not isinstance(body, dict):
                return Retry(f"HTTP {resp.status_code} but not a messaging answer: {short(resp.text)}")
            if body.get("status") == "failed":
                why = body.get("detail") or body.get("error")
                return Rejected(f"the provider could not deliver it: {why}")
            sid = body.get("message_sid") or body.get("provider_message_id") or body.get("id") or ""
            return Delivered(str(sid))
        if resp.status_code == 429:
            return Retry(f"HTTP 429: {error_text(resp)}", after_s=rate_limit_wait(resp, self.clock),
                         throttled=True)
        if is_retryable_status(resp.status_code):
            return Retry(f"HTTP {resp.status_code}: {error_text(resp)}", after_s=retry_after(resp))
        return Rejected(error_text(resp))
