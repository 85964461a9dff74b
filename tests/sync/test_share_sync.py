"""Shares through the sync daemon: photo upload, WhatsApp via seed 003, image.shared once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kiosk import config
from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore, share_outcomes, shares
from sync import daemon
from tests.sync.conftest import EMAIL, PASSWORD, LiveCloud
from tests.sync.test_sync_faults import drain_until_empty

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
JPEG = b"\xff\xd8\xff\xe0" + bytes(3000)
PROJECT = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def share_config(make_config: Callable[..., Path], cloud: LiveCloud) -> Callable[..., KioskConfig]:
    def make(**share: object) -> KioskConfig:
        path = make_config(events_url=cloud.url, person_url=cloud.person_url)
        fields = {"messaging_url": f'"{cloud.url}"', "messaging_email": f'"{EMAIL}"',
                  "messaging_password": f'"{PASSWORD}"', "messaging_project_id": f'"{PROJECT}"',
                  "email_enabled": "true"} | {k: str(v) for k, v in share.items()}
        path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 0.5\n[share]\n"
                        + "".join(f"{k} = {v}\n" for k, v in fields.items()))
        return config.load(path)

    return make


def new_share(store: EventStore, days: float = 7) -> shares.Share:
    sid = str(uuid.uuid4())
    with store.db.write() as conn:
        conn.execute("INSERT INTO sessions (id, started_at, seller_id, jeweler_id) VALUES (?, ?, 's', 'j')",
                     (sid, time.time()))
    return shares.create(store, session_id=sid, jpeg=JPEG, link_days=days,
                         jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0),
                         upload={"jeweler_name": "Abharana", "currency": "INR"})


def send(store: EventStore, share: shares.Share, to: str = "+919812345678", channel: str = "whatsapp") -> str:
    return shares.send(store, share, channel=channel, destination=to, name="Priya", ids=IDS,
                       jeweler=("abharana", "Abharana"), message="Your photo from Abharana: {link}")


def shared_events(cloud: LiveCloud) -> list[dict[str, object]]:
    return [e["payload"] for e in cloud.events() if e["event_type"] == "image.shared"]


def run(cfg: KioskConfig, store: EventStore, seconds: float = 15) -> daemon.Clients:
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        drain_until_empty(store, syncer, seconds)
    finally:
        syncer.close()
        clients.close()
    return clients


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
