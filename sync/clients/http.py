"""What every cloud client shares: one httpx.Client per service, and how HTTP failures map
to outbox outcomes (retry later vs. dead letter)."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx

from kiosk import __version__
from kiosk.store.outcomes import Retry

USER_AGENT = f"adorn-kiosk/{__version__}"


def make_client(timeout_s: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    # TLS is verified (httpx's default, stated here so nobody turns it off in passing).
    return httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
                        verify=True, transport=transport, headers={"User-Agent": USER_AGENT},
                        limits=httpx.Limits(max_connections=16, max_keepalive_connections=16))


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
    return Retry(f"HTTP {resp.status_code}: {message}", after_s=retry_after(resp),
                 throttled=resp.status_code == 429)


def retry_for_transport(e: httpx.TransportError) -> Retry:
    kind = type(e).__name__
    detail = str(e) or kind
    if isinstance(e, httpx.TimeoutException):
        return Retry(f"timed out ({kind})")
    return Retry(f"cannot reach the server ({detail})")


def json_body(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
