"""Seed 001 person API with Django session authentication, done the way Django checks it.

- Log in with ``POST {person_url}auth/login/`` (JSON email/password). Django answers with a
  ``sessionid`` cookie and rotates ``csrftoken``.
- Every unsafe request sends ``X-CSRFToken`` = the current ``csrftoken`` cookie, and on HTTPS
  a same-origin ``Referer`` (Django's strict referer check).
- DRF answers 403 (not 401) when the session expired or the token rotated: log in again and
  retry that request once. Concurrent workers share one login: a worker only logs in again
  if nobody has done so since its request was sent (the login endpoint is rate limited to
  10 a minute).
- Should the login view itself demand CSRF (a plain Django view), fetch the cookie with a GET
  first and log in again with the header.

``POST {person_url}client/person/`` is multipart: ``vector`` is a JSON string of 128 numbers,
the other fields plain form values, ``image`` a JPEG file. The answer's ``id`` is kept so
later ``PUT {person_url}client/person/{id}/`` updates (JSON) can follow.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from sync.clients.http import (
    is_retryable_status,
    json_body,
    make_client,
    retry_for_status,
    retry_for_transport,
    short,
)

log = logging.getLogger(__name__)

LOGIN_PAUSE_S = 30.0   # after a refused login, do not hammer the rate-limited endpoint


class LoginFailed(Exception):
    def __init__(self, outcome: Retry):
        super().__init__(outcome.error)
        self.outcome = outcome


class PersonClient:
    def __init__(self, person_url: str, email: str, password: Callable[[], str | None],
                 timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None):
        if not person_url.endswith("/"):
            raise ValueError("person_url must end with '/'")
        self.base = person_url
        self.email = email
        self._password = password
        self.http = make_client(timeout_s, transport)
        self._login_lock = threading.Lock()
        self._generation = 0          # bumped on every successful login
        self._logged_in = False
        self._refused_until = 0.0
        self._refused: Retry | None = None
        self.logins = 0

    def close(self) -> None:
        self.http.close()

    # ---- auth ---------------------------------------------------------------------------

    def _cookie(self, name: str) -> str | None:
        found = None
        for c in self.http.cookies.jar:
            if c.name == name:
                found = c.value      # the last one set wins, as in a browser
        return found

    def _csrf_headers(self) -> dict[str, str]:
        headers = {}
        token = self._cookie("csrftoken")
        if token:
            headers["X-CSRFToken"] = token
        if self.base.startswith("https://"):
            headers["Referer"] = self.base
        return headers

    def _ensure_login(self, seen_generation: int | None = None) -> int:
        """Log in unless already logged in (or someone re-logged in since ``seen_generation``)."""
        with self._login_lock:
            if self._logged_in and (seen_generation is None or seen_generation != self._generation):
                return self._generation
            if time.monotonic() < self._refused_until and self._refused is not None:
                raise LoginFailed(self._refused)
            try:
                self._login()
            except LoginFailed as e:
                self._logged_in = False
                self._refused = e.outcome
                self._refused_until = time.monotonic() + (e.outcome.after_s or LOGIN_PAUSE_S)
                raise
            self._logged_in = True
            self._generation += 1
            self.logins += 1
            return self._generation

    def _login(self) -> None:
        password = self._password()
        if not password:
            raise LoginFailed(Retry("person API password is not configured "
                                    "(cloud.person_password, its file, or the systemd credential)",
                                    after_s=LOGIN_PAUSE_S))
        self.http.cookies.clear()
        url = self.base + "auth/login/"
        body = {"email": self.email, "password": password}
        try:
            resp = self.http.post(url, json=body, headers=self._csrf_headers())
            if resp.status_code == 403 and self._cookie("csrftoken") is None:
                # A login view that enforces CSRF: get the cookie, then try once more.
                self.http.get(url)
                resp = self.http.post(url, json=body, headers=self._csrf_headers())
        except httpx.TransportError as e:
            raise LoginFailed(retry_for_transport(e)) from e
        if resp.is_success:
            if self._cookie("sessionid") is None:
                log.warning("person API login answered %s without a sessionid cookie", resp.status_code)
            log.info("logged in to the person API as %s", self.email)
            return
        message = _error_text(json_body(resp), resp)
        if is_retryable_status(resp.status_code):
            raise LoginFailed(retry_for_status(resp, f"login: {message}"))
        raise LoginFailed(Retry(f"person API login refused (HTTP {resp.status_code}): {message}; "
                                "check cloud.person_email and the password", after_s=LOGIN_PAUSE_S))

    def _unsafe(self, method: str, url: str, extra_headers: dict[str, str],
                **kw: Any) -> httpx.Response | Outcome:
        """Send with session + CSRF; on 401/403 log in again and retry exactly once."""
        try:
            gen = self._ensure_login()
            for attempt in (1, 2):
                resp = self.http.request(method, url, headers=self._csrf_headers() | extra_headers, **kw)
                if resp.status_code not in (401, 403) or attempt == 2:
                    return resp
                log.info("person API answered %s (%s): logging in again",
                         resp.status_code, _error_text(json_body(resp), resp))
                gen = self._ensure_login(seen_generation=gen)
        except LoginFailed as e:
            return e.outcome
        except httpx.TransportError as e:
            return retry_for_transport(e)
        raise AssertionError("unreachable")

    # ---- person calls -------------------------------------------------------------------

    def create(self, fields: dict[str, Any], vector: list[float], image: Path,
               idempotency_key: str) -> Outcome:
        try:
            jpeg = image.read_bytes()
        except OSError as e:
            return Rejected(f"the person photo {image.name} cannot be read: {e.strerror}")
        data = {k: str(v) for k, v in fields.items()}
        data["vector"] = json.dumps(vector)
        resp = self._unsafe("POST", self.base + "client/person/", {"Idempotency-Key": idempotency_key},
                            data=data, files={"image": (image.name, jpeg, "image/jpeg")})
        if not isinstance(resp, httpx.Response):
            return resp
        body = json_body(resp)
        if resp.is_success:
            if isinstance(body, dict) and body.get("id"):
                return Delivered(str(body["id"]))
            # Re-posting would create the person again: stop here and show it.
            return Rejected(f"HTTP {resp.status_code} but the answer has no person id: {short(resp.text)}")
        return _failure(resp, body)

    def update(self, person_id: str, body: dict[str, Any], idempotency_key: str) -> Outcome:
        resp = self._unsafe("PUT", self.base + f"client/person/{person_id}/", json=body,
                            extra_headers={"Idempotency-Key": idempotency_key})
        if not isinstance(resp, httpx.Response):
            return resp
        if resp.is_success:
            return Delivered(person_id)
        return _failure(resp, json_body(resp))


def _failure(resp: httpx.Response, body: Any) -> Outcome:
    message = _error_text(body, resp)
    if is_retryable_status(resp.status_code) or resp.status_code in (401, 403):
        # Still refused right after a fresh login: an account/permission problem, not bad data.
        return retry_for_status(resp, message)
    return Rejected(f"HTTP {resp.status_code}: {message}")


def _error_text(body: Any, resp: httpx.Response) -> str:
    """Seed 001 errors are {"error": ..., "details": {field: [msgs]}}; DRF's own are {"detail"}."""
    if isinstance(body, dict):
        text = body.get("error") or body.get("detail") or body.get("message")
        details = body.get("details")
        if isinstance(details, dict) and details:
            parts = [f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in details.items()]
            text = f"{text or 'invalid data'} ({'; '.join(parts)})"
        if text:
            return short(str(text))
    return short(resp.text) or resp.reason_phrase
