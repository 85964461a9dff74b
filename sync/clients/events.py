"""Seed 000 events API: POST {events_url}/v1/events, one envelope per request.

2xx with ``{"status": "ok"}`` is delivered. A 2xx without it (a captive portal's login page,
a proxy's HTML) is not trusted and retried. 5xx, 408/425/429, timeouts and connection errors
are retried; any other 4xx is refused for good and becomes a dead letter carrying the
server's ``message``. Every request carries the outbox row id as ``Idempotency-Key``.
"""

from __future__ import annotations

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


class EventsClient:
    def __init__(self, events_url: str, timeout_s: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.endpoint = events_url.rstrip("/") + "/v1/events"
        self.http = make_client(timeout_s, transport)

    def close(self) -> None:
        self.http.close()

    def send(self, body: dict[str, Any], idempotency_key: str) -> Outcome:
        try:
            resp = self.http.post(self.endpoint, json=body, headers={"Idempotency-Key": idempotency_key})
        except httpx.TransportError as e:
            return retry_for_transport(e)
        data = json_body(resp)
        message = _message(data, resp)
        if resp.is_success:
            if isinstance(data, dict) and data.get("status") == "ok":
                return Delivered(str(data.get("event_id") or ""))
            return Retry(f"HTTP {resp.status_code} but not an events API answer: {message}")
        if is_retryable_status(resp.status_code):
            return retry_for_status(resp, message)
        return Rejected(f"HTTP {resp.status_code}: {message}")


def _message(data: Any, resp: httpx.Response) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return short(resp.text) or resp.reason_phrase
