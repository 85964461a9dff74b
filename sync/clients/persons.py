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

No duplicates without Idempotency-Key: seed 001 does not promise to honour the key, and a
second POST of the same customer would be a second biometric record that "forget" then
misses. So after an ambiguous outcome (timeout or dropped connection after the body was
sent, a 5xx, a 2xx that was not the API's answer) the record is looked up before anything is
posted again: ``GET client/persons/?page=N&page_size=100`` (seed-001 pagination), matched on
what the kiosk sent (``entry_time`` to the millisecond, plus age, gender and body type); a
match is adopted as the record's id, then PUTs continue. A lookup that fails is retried
later; nothing is posted blind after ambiguity.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from kiosk.store.kinds import ERASE_BODIES
from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from sync.clients.http import (
    answer_text,
    is_retryable_status,
    json_body,
    make_client,
    not_api_retry,
    redirect_retry,
    retry_for_status,
    retry_for_transport,
    short,
)

log = logging.getLogger(__name__)

LOGIN_PAUSE_S = 30.0   # after a refused login, do not hammer the rate-limited endpoint
LOGIN_RETRY_S = 6.0    # after a 5xx or a network error: the seed allows 10 logins a minute
LOOKUP_PAGE_SIZE = 100
LOOKUP_MAX_PAGES = 100     # 10,000 records; the seed's API allows 1000 requests an hour
LIST_MAX_BODY = 4 * 2**20  # a page of 100 records, vectors included if a server lists them
SETTING = "[cloud] person_url"


class LoginFailed(Exception):
    def __init__(self, outcome: Retry, transient: bool = False):
        super().__init__(outcome.error)
        self.outcome = outcome
        # A server or network hiccup, not a refusal: tried again sooner.
        self.transient = transient


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
                pause = LOGIN_RETRY_S if e.transient else LOGIN_PAUSE_S
                self._refused_until = time.monotonic() + (e.outcome.after_s or pause)
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
            raise LoginFailed(retry_for_transport(e), transient=True) from e
        if 300 <= resp.status_code < 400:
            raise LoginFailed(redirect_retry(resp, SETTING))
        if resp.is_success:
            if self._cookie("sessionid") is None:
                log.warning("person API login answered %s without a sessionid cookie", resp.status_code)
            log.info("logged in to the person API as %s", self.email)
            return
        body = json_body(resp)
        message = _error_text(body, resp)
        if is_retryable_status(resp.status_code):
            raise LoginFailed(retry_for_status(resp, f"login: {message}"), transient=resp.status_code != 429)
        if not isinstance(body, dict):
            # An HTML 404 is a wrong person_url, not a wrong password.
            raise LoginFailed(not_api_retry(resp, "person API"))
        raise LoginFailed(Retry(f"person API login refused (HTTP {resp.status_code}): {message}; "
                                "check cloud.person_email and the password", after_s=LOGIN_PAUSE_S))

    def _unsafe(self, method: str, url: str, extra_headers: dict[str, str],
                **kw: Any) -> httpx.Response | Outcome:
        """Send with session + CSRF; on 401/403 log in again and retry exactly once."""
        return self._logged_in_request(
            lambda: self.http.request(method, url, headers=self._csrf_headers() | extra_headers, **kw))

    def _logged_in_request(self, send: Callable[[], httpx.Response]) -> httpx.Response | Outcome:
        try:
            gen = self._ensure_login()
            for attempt in (1, 2):
                resp = send()
                if 300 <= resp.status_code < 400:
                    return redirect_retry(resp, SETTING)
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
               idempotency_key: str, after_ambiguous: bool = False) -> Outcome:
        if after_ambiguous:
            found = self.find(fields)
            if not isinstance(found, bool):
                return found            # adopted, or the lookup itself must be retried
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
            # It may have been stored: the next attempt looks it up before posting again.
            return not_api_retry(resp, "person API")
        return _failure(resp, body)

    def find(self, fields: dict[str, Any]) -> Delivered | Outcome | bool:
        """The record a lost answer may have created: Delivered(id) if found, False if it is
        certainly not there, or a Retry when the list cannot be read now."""
        want = _identity(fields)
        if want is None:
            log.warning("person lookup impossible: no entry_time was sent; posting again")
            return False
        pages = 1
        order = [1]
        while order:
            page = order.pop(0)
            resp = self._get("client/persons/", {"page": str(page), "page_size": str(LOOKUP_PAGE_SIZE)})
            if not isinstance(resp, httpx.Response):
                return resp
            body = json_body(resp)
            if resp.status_code == 404 and page > 1:
                continue                 # DRF's "Invalid page.": the list shrank meanwhile
            if not resp.is_success or not isinstance(body, dict) or not isinstance(body.get("results"), list):
                if resp.is_success or not isinstance(body, dict):
                    return not_api_retry(resp, "person API")
                return _failure(resp, body, lookup=True)
            for rec in body["results"]:
                if isinstance(rec, dict) and rec.get("id") and _identity(rec) == want:
                    log.info("person record found on the server after a lost answer: %s", rec["id"])
                    return Delivered(str(rec["id"]), adopted=True)
            if page == 1:
                pages = min(_int(body.get("total_pages"), 1), LOOKUP_MAX_PAGES)
                # The seed does not say how the list is ordered: newest last is as likely as
                # newest first, so the last page is read right after the first.
                order = ([pages] if pages > 1 else []) + list(range(2, pages))
        if pages >= LOOKUP_MAX_PAGES:
            log.warning("person lookup read %d pages without a match; posting again", pages)
        return False

    def _get(self, path: str, params: dict[str, str]) -> httpx.Response | Outcome:
        return self._logged_in_request(lambda: self.http.get(self.base + path, params=params,
                                                             extensions={"max_body": LIST_MAX_BODY}))

    def update(self, person_id: str, body: dict[str, Any], idempotency_key: str) -> Outcome:
        resp = self._unsafe("PUT", self.base + f"client/person/{person_id}/", json=body,
                            extra_headers={"Idempotency-Key": idempotency_key})
        if not isinstance(resp, httpx.Response):
            return resp
        if resp.is_success:
            return Delivered(person_id)
        return _failure(resp, json_body(resp))


    def erase(self, person_id: str, idempotency_key: str) -> Outcome:
        """Blank a forgotten customer's name and phone: blank values, else placeholders where
        the server's fields refuse blanks (kiosk/store/kinds.py says why)."""
        refusals = []
        for body in ERASE_BODIES:
            out = self.update(person_id, body, idempotency_key)
            if not isinstance(out, Rejected) or not out.error.startswith("HTTP 400"):
                return out
            refusals.append(out.error)
        return Rejected(" / ".join(refusals))


def _identity(rec: dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies a record the kiosk sent: entry_time to the millisecond, and the
    estimates, as the server shows them (its own time format, numbers maybe as text)."""
    raw = rec.get("entry_time")
    if not isinstance(raw, str):
        return None
    try:
        t = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        return None
    ms = round(t.timestamp() * 1000)
    age = rec.get("age")
    return (ms, None if age in (None, "") else str(age), *(rec.get(k) or None
                                                           for k in ("gender", "body_type")))


def _int(v: Any, default: int) -> int:
    try:
        return max(1, int(v))
    except (TypeError, ValueError):
        return default


def _failure(resp: httpx.Response, body: Any, lookup: bool = False) -> Outcome:
    message = _error_text(body, resp)
    if 300 <= resp.status_code < 400:
        return redirect_retry(resp, SETTING)
    if is_retryable_status(resp.status_code) or resp.status_code in (401, 403) or lookup:
        # Still refused right after a fresh login: an account/permission problem, not bad data.
        # A lookup that is refused never judges the record itself.
        return retry_for_status(resp, message)
    if not isinstance(body, dict):
        return not_api_retry(resp, "person API")       # an HTML 404 page: a wrong URL
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
    return answer_text(resp)
