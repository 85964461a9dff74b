"""What every cloud client shares: one httpx.Client per service, bounded answers, one deadline
per request, and how HTTP failures map to outbox outcomes (retry later vs. dead letter).

Real networks are not the cloud. A store's Wi-Fi portal answers 302 to a login page, a proxy
answers 200 with HTML, a moved service answers 301: none of these is the API's verdict on an
event, so they keep the row pending (``Retry.blocked``) and never become a dead letter.
Redirects are not followed: no seed promises them, and following a 302 of a POST would turn
it into a GET somewhere else.

Answers are read at most ``max_body`` bytes (64 KB: every seed answer is a few hundred bytes)
and each request has one overall deadline, connect + send + receive, on top of httpx's
per-read timeout: a server that trickles a byte every few seconds cannot hold a sender for
minutes, and one that answers megabytes cannot fill the daemon's memory.
"""

from __future__ import annotations

import email.utils
import html
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

from kiosk import __version__
from kiosk.store.outcomes import Retry

USER_AGENT = f"adorn-kiosk/{__version__}"
MAX_BODY = 64 * 1024
DEADLINE_S = 30.0
ERROR_TEXT = 500


class AnswerTooLarge(httpx.ReadError):
    """The answer is longer than any answer of the API: not read further."""


# ---- the transport: a byte limit on every answer, a deadline on every socket operation ------

_local = threading.local()     # the deadline of the request this thread is carrying out


def _clamped(timeout: float | None, phase: type[Exception]) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise phase("the request's overall deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write is cut short by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.inner.start_tls(ssl_context, server_hostname, _clamped(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _network_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(verify=True, limits=limits)
    # httpx 0.28 (pinned) has no argument for httpcore's network backend: set on its pool.
    # TLS is verified (httpx's default, stated here so nobody turns it off in passing).
    pool = transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)
    pool._network_backend = _DeadlineBackend()
    return transport


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int, url: str, request_done: Any):
        self.inner, self.limit, self.url, self._done = inner, limit, url, request_done

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.inner:
            seen += len(chunk)
            if seen > self.limit:
                raise AnswerTooLarge(f"the answer from {self.url} is larger than {_size(self.limit)}")
            yield chunk

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self._done()


class BoundedTransport(httpx.BaseTransport):
    """Wraps any transport: answers capped at ``max_body`` bytes (a request may raise its own
    cap with ``extensions={"max_body": N}``, e.g. a product photo), and the request's deadline
    set for the socket operations of the thread carrying it out."""

    def __init__(self, inner: httpx.BaseTransport, max_body: int, deadline_s: float):
        self.inner, self.max_body, self.deadline_s = inner, max_body, deadline_s

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limit = int(request.extensions.get("max_body", self.max_body))
        _local.deadline = time.monotonic() + float(request.extensions.get("deadline_s", self.deadline_s))

        def done() -> None:
            _local.deadline = None

        try:
            resp = self.inner.handle_request(request)
        except BaseException:
            done()
            raise
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            resp.close()
            done()
            raise AnswerTooLarge(f"the answer from {_where(request.url)} is {_size(int(length))},"
                                 f" larger than {_size(limit)}")
        assert isinstance(resp.stream, httpx.SyncByteStream)
        return httpx.Response(resp.status_code, headers=resp.headers, request=request,
                              extensions=resp.extensions,
                              stream=_CappedStream(resp.stream, limit, _where(request.url), done))

    def close(self) -> None:
        self.inner.close()


def make_client(timeout_s: float, transport: httpx.BaseTransport | None = None, *,
                max_body: int = MAX_BODY, deadline_s: float = DEADLINE_S) -> httpx.Client:
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    inner = transport if transport is not None else _network_transport(limits)
    # identity: a 64 KB gzip could unpack to megabytes past the byte limit.
    return httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
                        transport=BoundedTransport(inner, max_body, max(deadline_s, timeout_s)),
                        follow_redirects=False,
                        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n // 1024} KB"


def _where(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}{':' + str(url.port) if url.port else ''}{url.path}"


# ---- outcomes ---------------------------------------------------------------------------------

def retry_after(resp: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date)."""
    raw = resp.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_retryable_status(code: int) -> bool:
    return code >= 500 or code in (408, 425, 429)


def retry_for_status(resp: httpx.Response, message: str) -> Retry:
    # A 5xx may come after the server committed ("commit, then fail"): ambiguous.
    return Retry(f"HTTP {resp.status_code}: {message}", after_s=retry_after(resp),
                 throttled=resp.status_code == 429, ambiguous=resp.status_code >= 500)


# Errors raised before a byte of the request could reach the server: a re-send is safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol)


def retry_for_transport(e: httpx.TransportError) -> Retry:
    kind = type(e).__name__
    detail = str(e) or kind
    ambiguous = not isinstance(e, _NOT_SENT)
    if isinstance(e, AnswerTooLarge):
        return Retry(f"not the API's answer: {detail}", ambiguous=True)
    if isinstance(e, httpx.TimeoutException):
        return Retry(f"timed out ({detail if 'deadline' in detail else kind})", ambiguous=ambiguous)
    if ambiguous:
        return Retry(f"the connection broke before the answer ({detail})", ambiguous=True)
    return Retry(f"cannot reach the server ({detail})")


def redirect_retry(resp: httpx.Response, setting: str) -> Retry:
    """A 3xx: the network (portal, proxy) or a moved service, never the API's verdict."""
    target = resp.headers.get("Location", "")
    here = resp.request.url
    dest = here.join(target) if target else None
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    code = resp.status_code
    if dest is not None and code in (301, 308):
        if dest.host == here.host and dest.path.rstrip("/") == here.path.rstrip("/"):
            what = f"the URL moved permanently to {_where(dest)} ({code}): fix {setting}"
        else:
            what = f"the URL moved permanently to {_where(dest)} ({code}): fix {setting} if that is the API"
    elif dest is not None:
        what = f"behind a captive portal or proxy: {code} to {_where(dest)} ({ctype})"
    else:
        what = f"a {code} redirect without a Location ({ctype}): not the API"
    return Retry(f"HTTP {code}: {what}", blocked=what, after_s=retry_after(resp))


def not_api_retry(resp: httpx.Response, api: str) -> Retry:
    """An answer that is not the API's JSON: a portal's or proxy's page, or a web server's
    error page for a wrong URL. A 2xx may have come after the API stored the request
    (ambiguous); a 4xx page was not the API judging it."""
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    what = f"HTTP {resp.status_code} from {_where(resp.request.url)} is not the {api}'s answer ({ctype})"
    hint = " (a captive portal or proxy login page?)" if ctype.startswith("text/html") else ""
    return Retry(f"{what}{hint}: {answer_text(resp, 120)}", blocked=what + hint,
                 ambiguous=resp.is_success)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def answer_text(resp: httpx.Response, limit: int = 300) -> str:
    """What a person can read of an answer that is not the API's JSON: an HTML page's title
    (Django's "Not Found", a portal's "Welcome"), never its markup."""
    text = resp.text
    if "html" in resp.headers.get("Content-Type", "") or text.lstrip()[:1] == "<":
        m = _TITLE.search(text)
        text = _TAGS.sub(" ", (m.group(1) or m.group(2)) if m else "")
        text = html.unescape(text)
    return short(text, limit) or resp.reason_phrase


def json_body(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

