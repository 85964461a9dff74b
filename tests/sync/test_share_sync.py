"""Shares through the sync daemon: photo upload, WhatsApp via seed 003, image.shared once."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from kiosk.config import KioskConfig
from kiosk.store import EventStore, share_outcomes, shares
from sync import daemon
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud
from tests.helpers.shares import JPEG, new_share, run, send, shared_events
from tests.helpers.sync import PROJECT, drain_until_empty

pytestmark = pytest.mark.slow     # shares delivered through the daemon to the devcloud


def test_share_offline_is_queued_then_sent_once_when_the_cloud_is_back(
        cloud: LiveCloud, share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config()
    store = EventStore(cfg.store.data_dir)
    share = new_share(store)
    send_id = send(store, share)
    cloud.faults.update({"down": True})
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    for _ in range(3):
        syncer.drain()
        time.sleep(0.1)
    assert [s.status for s in shares.sends(store, share.token)] == ["queued"]
    assert shares.get(store, share.token).page_url is None          # type: ignore[union-attr]
    cloud.faults.update({"down": False})
    drain_until_empty(store, syncer, 15)
    syncer.close()
    clients.close()
    [s] = shares.sends(store, share.token)
    assert s.id == send_id and s.status == "sent" and s.message_sid.startswith("SM")
    [msg] = cloud.app.state.db.messages()
    page_url = shares.get(store, share.token).page_url              # type: ignore[union-attr]
    assert msg["provider"] == "whatsapp" and msg["recipient"] == {"phone": "+919812345678", "name": "Priya"}
    assert msg["content"] == f"Your photo from Abharana: {page_url}"
    [ev] = shared_events(cloud)
    assert ev["share_status"] == "sent" and ev["message_sid"] == s.message_sid
    assert ev["destination"] == "+919812345678" and ev["jeweler_id"] == "abharana"
    assert str(ev["image_url"]).endswith(f"/s/{share.token}/photo.jpg")
    page = httpx.get(str(page_url))
    assert page.status_code == 200 and "Temple Gold Jhumka" in page.text and "INR 38,900" in page.text
    assert httpx.get(str(ev["image_url"])).content == JPEG


def test_expired_links_answer_410_and_guessed_tokens_404(cloud: LiveCloud,
                                                          share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config()
    store = EventStore(cfg.store.data_dir)
    share = new_share(store, days=1 / 86400)            # one second
    run(cfg, store)
    page_url = shares.get(store, share.token).page_url  # type: ignore[union-attr]
    assert page_url is not None
    time.sleep(1.1)
    gone = httpx.get(page_url)
    assert gone.status_code == 410 and "expired" in gone.text
    assert httpx.get(page_url + "/photo.jpg").status_code == 410
    assert len(share.token) >= 43                       # 256 bits
    for guess in (share.token[:-1] + ("A" if share.token[-1] != "A" else "B"), "x" * 43, "1"):
        assert httpx.get(f"{cloud.url}/s/{guess}").status_code == 404


def test_jwt_expiry_mid_queue_refreshes_and_429_waits_for_the_reset(
        cloud: LiveCloud, share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config()
    store = EventStore(cfg.store.data_dir)
    cloud.faults.update({"token_ttl_s": 61.5})          # refreshed 60 s early: every ~1.5 s
    share = new_share(store)
    first = [send(store, share, f"+9198123456{i:02d}") for i in range(3)]
    clients = daemon.Clients(cfg)                       # one daemon: its token outlives the first batch
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        drain_until_empty(store, syncer, 15)
        assert [s.status for s in shares.sends(store, share.token)] == ["sent"] * 3
        time.sleep(1.6)                                 # the access token is now due for refresh
        cloud.faults.update({"messages_429": 2})
        t0 = time.time()
        more = [send(store, share, f"+9198123457{i:02d}") for i in range(2)]
        drain_until_empty(store, syncer, 15)
    finally:
        syncer.close()
        clients.close()
    assert clients.messaging is not None
    assert clients.messaging.logins == 1 and clients.messaging.refreshes >= 1
    assert {s.id: s.status for s in shares.sends(store, share.token)} == {i: "sent" for i in first + more}
    sends = [r for r in cloud.requests() if r["path"].endswith("/send")]
    throttled = [r for r in sends if r["status"] == 429]
    assert len(throttled) == 2
    after = [r for r in sends if r["status"] == 200 and r["t"] > throttled[0]["t"]]
    assert after and min(r["t"] for r in after) >= int(t0) + 1    # waited for X-RateLimit-Reset
    assert len(shared_events(cloud)) == 5


def test_a_refused_send_is_failed_retryable_and_reported_once(
        cloud: LiveCloud, share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config()
    store = EventStore(cfg.store.data_dir)
    share = new_share(store)
    bad = send(store, share, to="not-an-email", channel="email")
    run(cfg, store)
    [s] = shares.sends(store, share.token)
    assert s.status == "failed" and "recipient.email" in s.error and "VALIDATION_ERROR" in s.error
    assert shared_events(cloud) == []                   # the seller may still retry
    assert shares.retry(store, bad) and not shares.retry(store, bad)
    run(cfg, store)
    assert shares.sends(store, share.token)[0].status == "failed"
    with store.db.write() as conn:                      # the visit ends without another retry
        share_outcomes.close_visit(conn, store.clock(), share.session_id)
    run(cfg, store)
    [ev] = shared_events(cloud)
    assert ev["share_status"] == "failed" and ev["channel"] == "email" and ev["message_sid"] == ""


def test_a_401_on_send_refreshes_the_token_and_repeats_once(cloud: LiveCloud) -> None:
    from sync.clients.messaging import MessagingClient

    cloud.faults.update({"token_ttl_s": 0.3})
    client = MessagingClient(cloud.url, EMAIL, lambda: PASSWORD, PROJECT)
    try:
        first = client.send(channel="whatsapp", destination="+919812345678", name="A", content="hi",
                            idempotency_key="k1")
        client._expires_at = float("inf")     # the client believes its token is fresh: only a 401 says not
        time.sleep(0.4)
        second = client.send(channel="whatsapp", destination="+919812345678", name="A", content="hi again",
                             idempotency_key="k2")
        bad = client.send(channel="whatsapp", destination="12345", name="A", content="x",
                          idempotency_key="k3")
    finally:
        client.close()
    from kiosk.store.outcomes import Delivered, Rejected

    assert isinstance(first, Delivered) and isinstance(second, Delivered)
    assert client.logins == 1 and client.refreshes >= 1
    statuses = [r["status"] for r in cloud.requests() if r["path"].endswith("/send")]
    assert statuses[:3] == [200, 401, 200]              # refused once, refreshed, repeated
    assert isinstance(bad, Rejected) and "recipient.phone" in bad.error
