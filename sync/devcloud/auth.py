"""Django-style session authentication with CSRF, as seed 001's server does it.

The CSRF secret is kept with the session (Django's CSRF_USE_SESSIONS behaviour) and compared
with the ``X-CSRFToken`` header, so rotating it server side really invalidates the client's
copy. The answers copy Django REST framework's wording and status codes: 403, not 401, for
a missing or expired session.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from sync.devcloud.faults import Faults

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
NOT_AUTHENTICATED = "Authentication credentials were not provided."


@dataclass
class Session:
    user: str
    csrf: str
    created: float


class AuthError(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class Sessions:
    def __init__(self, users: dict[str, str], faults: Faults):
        self.users = users
        self.faults = faults
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.logins = 0

    def login(self, email: str, password: str) -> tuple[str, str] | None:
        expected = self.users.get(email)
        if expected is None or not secrets.compare_digest(expected, password):
            return None
        sid, csrf = secrets.token_hex(16), secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = Session(email, csrf, time.time())
            self.logins += 1
        return sid, csrf

    def rotate_all_csrf(self) -> None:
        """Fault: every session's CSRF token changes without telling the clients."""
        with self._lock:
            for s in self._sessions.values():
                s.csrf = secrets.token_urlsafe(32)

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()

    def check(self, request: Request, unsafe: bool) -> Session:
        sid = request.cookies.get(SESSION_COOKIE)
        with self._lock:
            sess = self._sessions.get(sid or "")
            ttl = self.faults.expire_sessions_every
            if sess is not None and ttl and time.time() - sess.created > ttl:
                del self._sessions[sid or ""]
                sess = None
        if sess is None:
            raise AuthError(NOT_AUTHENTICATED)
        if unsafe:
            cookie = request.cookies.get(CSRF_COOKIE)
            header = request.headers.get("x-csrftoken")
            if not cookie:
                raise AuthError("CSRF Failed: CSRF cookie not set.")
            if not header:
                raise AuthError("CSRF Failed: CSRF token missing.")
            if not (secrets.compare_digest(header, cookie) and secrets.compare_digest(header, sess.csrf)):
                raise AuthError("CSRF Failed: CSRF token incorrect.")
            if request.url.scheme == "https":
                referer = request.headers.get("referer", "")
                if not referer.startswith(f"https://{request.url.netloc}/"):
                    raise AuthError("CSRF Failed: Referer checking failed - no Referer.")
        return sess
