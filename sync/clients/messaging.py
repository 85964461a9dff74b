"""Seed 003 messaging API: JWT login, refresh, and POST /api/v1/messages/{project_id}/send.

Tokens: login gives ``access_token`` (``expires_in`` seconds, 900 in the seed) and
``refresh_token``. The access token is refreshed 60 s before it runs out, and on a 401 the
request is repeated once after a refresh (or a new login when the refresh is refused, or when
its answer is not shaped like login's: the seed shows none). The auth endpoints allow 5
requests a minute, so tokens are shared by all workers under a lock, the client itself never
makes more than 5 login/refresh calls in any minute, a refused login is not tried again for
60 s and a 429 waits for its reset; meanwhile sends wait (a throttled Retry pauses the service).

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

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from sync.clients.http import (
    answer_text,
    is_retryable_status,
    json_body,
    make_client,
    not_api_retry,
    redirect_retry,
    retry_after,
    retry_for_status,
    retry_for_transport,
    short,
)

log = logging.getLogger(__name__)

REFRESH_EARLY_S = 60.0
AUTH_PER_MIN = 5           # seed 003, Rate Limits: "Authentication: 5 requests/minute"
REFUSED_PAUSE_S = 60.0     # after a refused login: a minute, the limit's own window


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
    return answer_text(resp)


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
        self._auth_calls: deque[float] = deque()      # when the last logins/refreshes were made
        self._paused_until = 0.0
        self._paused_why = ""
        self._refresh_works = True
        self.logins = 0
        self.refreshes = 0

    def close(self) -> None:
        self.http.close()

    # ---- tokens -------------------------------------------------------------------------------

    def _take_tokens(self, resp: httpx.Response) -> bool:
        """Keep the tokens of a login-shaped answer; False when it is not one."""
        body = json_body(resp)
        access = body.get("access_token") if isinstance(body, dict) else None
        if not (isinstance(access, str) and access):
            return False
        try:
            life = float(body.get("expires_in") or 900)
        except (TypeError, ValueError):
            life = 900.0
        self._access = access
        refresh = body.get("refresh_token")
        self._refresh = refresh if isinstance(refresh, str) and refresh else self._refresh
        self._expires_at = self.clock() + life
        return True

    def _pause(self, seconds: float, why: str) -> AuthFailed:
        """No login or refresh for `seconds`: every send waits (the service pauses) meanwhile."""
        self._paused_until = self.clock() + seconds
        self._paused_why = why
        return AuthFailed(Retry(why, after_s=seconds, throttled=True))

    def _auth_call(self, path: str, body: dict[str, Any]) -> httpx.Response:
        now = self.clock()
        if now < self._paused_until:
            raise AuthFailed(Retry(self._paused_why, after_s=self._paused_until - now, throttled=True))
        while self._auth_calls and self._auth_calls[0] <= now - 60.0:
            self._auth_calls.popleft()
        if len(self._auth_calls) >= AUTH_PER_MIN:
            wait = self._auth_calls[0] + 60.0 - now
            why = (f"messaging login: {AUTH_PER_MIN} logins/refreshes in the last minute, the API's limit;"
                   f" the next one in {wait:.0f} s")
            raise AuthFailed(Retry(why, after_s=wait, throttled=True))
        self._auth_calls.append(now)
        try:
            resp = self.http.post(self.api + path, json=body)
        except httpx.TransportError as e:
            raise AuthFailed(retry_for_transport(e)) from None
        if 300 <= resp.status_code < 400:
            raise AuthFailed(redirect_retry(resp, "[share] messaging_url"))
        if resp.status_code == 429:
            wait = rate_limit_wait(resp, self.clock) or REFUSED_PAUSE_S
            raise self._pause(wait, f"messaging login rate-limited: {error_text(resp)}")
        if resp.status_code >= 500:
            raise AuthFailed(Retry(f"messaging login: HTTP {resp.status_code}: {error_text(resp)}"))
        return resp

    def _login(self) -> None:
        password = self._password()
        if not password:
            raise AuthFailed(Retry("no messaging password configured (share.messaging_password)"))
        resp = self._auth_call("auth/login", {"email": self.email, "password": password})
        if not resp.is_success:
            # Wrong credentials are a configuration problem: the message waits, it is not refused,
            # and the login is not tried again at once (it would only spend the 5 a minute).
            raise self._pause(REFUSED_PAUSE_S, "the messaging API refused the kiosk's login (share."
                              f"messaging_email/password): {error_text(resp)}")
        if not self._take_tokens(resp):
            raise self._pause(REFUSED_PAUSE_S, f"the messaging login answer has no token: {short(resp.text)}")
        self.logins += 1

    def _renew(self) -> None:
        if self._refresh and self._refresh_works:
            resp = self._auth_call("auth/refresh", {"refresh_token": self._refresh})
            if resp.is_success and self._take_tokens(resp):
                self.refreshes += 1
                return
            if resp.is_success:
                # The seed shows no refresh answer: one that is not shaped like login's is not a
                # token this client can use, and asking again would get the same. Log in instead.
                log.warning("the messaging refresh answer has no access_token (%s): logging in instead "
                            "from now on", short(resp.text, 120))
                self._refresh_works = False
        self._refresh = None
        self._login()

    def token(self, stale: str | None = None) -> str:
        """A valid access token; `stale` is one the server just refused."""
        with self._lock:
            now = self.clock()
            if self._access is None:
                self._login()
            elif self._access == stale or now >= self._expires_at:
                self._renew()
            elif now >= self._expires_at - REFRESH_EARLY_S:
                try:
                    self._renew()
                except AuthFailed as e:      # renewing early only: the token still works meanwhile
                    log.info("messaging token not renewed early: %s", e)
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
        if 300 <= resp.status_code < 400:
            return redirect_retry(resp, "[share] messaging_url")
        if resp.is_success:
            body = json_body(resp)
            if not isinstance(body, dict):
                return not_api_retry(resp, "messaging API")
            if body.get("status") == "failed":
                why = body.get("detail") or body.get("error")
                return Rejected(f"the provider could not deliver it: {why}")
            sid = body.get("message_sid") or body.get("provider_message_id") or body.get("id") or ""
            return Delivered(str(sid))
        if resp.status_code == 429:
            return Retry(f"HTTP 429: {error_text(resp)}", after_s=rate_limit_wait(resp, self.clock),
                         throttled=True)
        if is_retryable_status(resp.status_code):
            return retry_for_status(resp, error_text(resp))
        if json_body(resp) is None:
            return not_api_retry(resp, "messaging API")     # a proxy's page: not a verdict
        return Rejected(error_text(resp))
