"""Seed 004 webhook signatures: HMAC-SHA256 over "{timestamp}.{payload}", 5-minute window,
retries acknowledged once."""

from __future__ import annotations

import hashlib
import json

from kiosk.outfit.webhook import Verdict, WebhookVerifier, sign

SECRET = "whsec_test"
NOW = 1_800_000_000


def body(ts: int = NOW, event: str = "try-on.completed") -> bytes:
    return json.dumps({"event": event, "timestamp": ts, "data": {"sessionId": "ses_1"}}).encode()


def verifier() -> WebhookVerifier:
    return WebhookVerifier(SECRET, clock=lambda: NOW + 10)


def test_good_signature_is_accepted_from_header_or_payload_timestamp() -> None:
    v = verifier()
    b = body()
    assert v.verify(b, sign(SECRET, NOW, b)) is Verdict.OK
    b2 = body(event="try-on.failed")
    assert v.verify(b2, sign(SECRET, NOW, b2), str(NOW)) is Verdict.OK


def test_wrong_secret_tampered_body_or_plain_hash_is_refused() -> None:
    v = verifier()
    b = body()
    assert v.verify(b, sign("other", NOW, b)) is Verdict.BAD_SIGNATURE
    assert v.verify(b.replace(b"ses_1", b"ses_2"), sign(SECRET, NOW, b)) is Verdict.BAD_SIGNATURE
    # the seed's JavaScript variant (sha256 of payload + secret) is not a MAC: refused
    plain = "sha256=" + hashlib.sha256(f"{NOW}.".encode() + b + SECRET.encode()).hexdigest()
    assert v.verify(b, plain) is Verdict.BAD_SIGNATURE
    assert v.verify(b, None) is Verdict.MALFORMED
    assert v.verify(b"not json", sign(SECRET, NOW, b"not json")) is Verdict.MALFORMED


def test_stale_or_far_future_timestamps_are_refused() -> None:
    v = verifier()
    old = body(NOW - 400)
    assert v.verify(old, sign(SECRET, NOW - 400, old)) is Verdict.STALE
    future = body(NOW + 400)
    assert v.verify(future, sign(SECRET, NOW + 400, future)) is Verdict.STALE


def test_retries_and_replays_are_processed_once() -> None:
    v = verifier()
    b = body()
    sig = sign(SECRET, NOW, b)
    verdicts = [v.verify(b, sig) for _ in range(4)]            # first try + the 1 s, 5 s, 30 s retries
    assert verdicts == [Verdict.OK] + [Verdict.DUPLICATE] * 3
    assert all(x.accepted for x in verdicts)
    late = WebhookVerifier(SECRET, clock=lambda: NOW + 600)     # the same delivery replayed later
    assert late.verify(b, sig) is Verdict.STALE
