"""Seed 000 events API: POST {events_url}/v1/events, one envelope per request.

2xx with ``{"status": "ok"}`` is delivered. A 3xx (portal, proxy, moved URL) or a 2xx that is
not that JSON (a portal's login page, a proxy's HTML) is the network, not the API: the row
stays pending and the technician is told (``Retry.blocked``). 5xx, 408/425/429, timeouts and
connection errors are retried; any other 4xx is the API refusing the event for good and
becomes a dead letter carrying the server's ``message``.

Seed 000 has no way to ask whether an event arrived, so delivery is at least once: after an
ambiguous outcome (the answer lost after the server may have stored it) the event is sent
again. Every request carries the outbox row id as ``Idempotency-Key`` (harmless where
ignored, a duplicate saved where honoured); re-sends after ambiguity are counted in
``kiosk sync status``.
"""

from __future__ import annotations

from typing import Any

import httpx

from kiosk.store.outcomes import Delivered, Outcome, Rejected
from sync.clients.http import (
    answer_text,
    is_retryable_status,
    json_body,
    make_client,
    not_api_retry,
    redirect_retry,
    retry_for_status,
    retry_for_transport,
)

MAX_EVENT_ID = 200      # ids in the seed look like "evt_abc123"; more is kept cut


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
        if 300 <= resp.status_code < 400:
            return redirect_retry(resp, "[cloud] events_url")
        data = json_body(resp)
        if resp.is_success:
            if isinstance(data, dict) and data.get("status") == "ok":
                return Delivered(str(data.get("event_id") or "")[:MAX_EVENT_ID])
            return not_api_retry(resp, "events API")
        message = _message(data, resp)
        if is_retryable_status(resp.status_code):
            return retry_for_status(resp, message)
        if not isinstance(data, dict):
            # A 4xx page that is not the seed's error JSON (a proxy's "403 Forbidden" page,
            # an HTML 404 from a wrong URL): the API never judged the event.
            return not_api_retry(resp, "events API")
        return Rejected(f"HTTP {resp.status_code}: {message}")


def _message(data: Any, resp: httpx.Response) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return answer_text(resp)
