"""Events client: which answers deliver, retry or dead-letter (seed 000)."""

from __future__ import annotations

import json

import httpx
import pytest

from kiosk.store.outcomes import Delivered, Rejected, Retry
from sync.clients.events import EventsClient

BODY = {"event_type": "attire.changed"}


def client_answering(handler: httpx.MockTransport) -> EventsClient:
    return EventsClient("http://cloud.test/", 5.0, transport=handler)


def test_posts_one_envelope_with_idempotency_key_to_v1_events() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200, json={"status": "ok", "event_id": "evt_abc123"})

    out = client_answering(httpx.MockTransport(handler)).send(BODY, "key-1")
    assert out == Delivered("evt_abc123")
    (req,) = seen
    assert req.method == "POST" and str(req.url) == "http://cloud.test/v1/events"
    assert req.headers["Idempotency-Key"] == "key-1"
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.content) == BODY


@pytest.mark.parametrize("status,body,headers,expect", [
    # A 5xx may come after the event was stored: ambiguous (re-sent, counted).
    (500, {"status": "error", "message": "boom"}, {}, Retry("HTTP 500: boom", ambiguous=True)),
    (503, None, {"Retry-After": "7"}, Retry("HTTP 503: Service Unavailable", after_s=7.0, ambiguous=True)),
    (429, {"status": "error", "message": "slow down"}, {"Retry-After": "2"},
     Retry("HTTP 429: slow down", after_s=2.0, throttled=True)),
    (400, {"status": "error", "message": "Invalid session_id"}, {}, Rejected("HTTP 400: Invalid session_id")),
    (422, {"status": "error", "message": "bad payload"}, {}, Rejected("HTTP 422: bad payload")),
    (200, None, {}, None),   # 200 that is not the events API (a captive portal page)
])
def test_answers_map_to_outcomes(status: int, body: object, headers: dict[str, str], expect: object) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        if body is None:
            if status == 200:
                return httpx.Response(status, html="<html>Wi-Fi login</html>", headers=headers)
            return httpx.Response(status, text="", headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    out = client_answering(httpx.MockTransport(handler)).send(BODY, "k")
    if expect is None:
        assert isinstance(out, Retry) and "is not the events API's answer" in out.error
        assert out.blocked and "captive portal" in out.blocked and out.ambiguous
    else:
        assert out == expect


def test_connection_errors_and_timeouts_are_retried() -> None:
    def refuse(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=req)

    def slow(req: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=req)

    out = client_answering(httpx.MockTransport(refuse)).send(BODY, "k")
    assert isinstance(out, Retry) and "cannot reach" in out.error and not out.ambiguous
    out = client_answering(httpx.MockTransport(slow)).send(BODY, "k")
    assert isinstance(out, Retry) and "timed out" in out.error and out.ambiguous


def test_retry_after_as_http_date() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})

    out = client_answering(httpx.MockTransport(handler)).send(BODY, "k")
    assert isinstance(out, Retry) and out.after_s is not None and out.after_s > 1e6
