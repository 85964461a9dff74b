"""Shares for tests: a photo queued and sent, the configs that point the daemon at the
devcloud's messaging API or at a fake S3 bucket, and the store-Wi-Fi share server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk import config
from kiosk.config import KioskConfig
from kiosk.share.guarded_http import Limits
from kiosk.share.lan import LanShareServer
from kiosk.store import DeviceIds, EventStore, shares
from sync import daemon
from tests.fakes.clock import FakeClock
from tests.fakes.s3 import FakeS3
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud
from tests.helpers.sync import PROJECT, drain_until_empty

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
JPEG = b"\xff\xd8\xff\xe0" + bytes(3000)
NOW = [1_800_000_000.0]     # the share server tests' clock: links expire exactly


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


BUCKET, ACCESS, REGION = "store-photos", "AKIDKIOSKTEST", "ap-south-1"


@pytest.fixture
def s3() -> Iterator[FakeS3]:
    server = FakeS3(BUCKET, ACCESS, REGION)
    yield server
    server.stop()


@pytest.fixture
def kiosk_config(make_config: Callable[..., Path], cloud: LiveCloud) -> Callable[..., KioskConfig]:
    def make(**share: object) -> KioskConfig:
        path = make_config(events_url=cloud.url, person_url=cloud.person_url)
        path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 0.5\n[share]\n"
                        + "".join(f"{k} = {v}\n" for k, v in share.items()))
        return config.load(path)

    return make


def s3_fields(s3: FakeS3, **more: object) -> dict[str, object]:
    return {"image_store": '"s3"', "s3_bucket": f'"{BUCKET}"', "s3_region": f'"{REGION}"',
            "s3_endpoint_url": f'"{s3.url}"', "s3_access_key": f'"{ACCESS}"',
            "s3_secret_key": '"not-checked-by-the-fake"'} | more


# ---- the store-Wi-Fi share server ----------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    s = EventStore(tmp_path / "data", clock=FakeClock(NOW[0]))
    yield s
    s.close()


@pytest.fixture
def serve(store: EventStore) -> Iterator[Callable[..., LanShareServer]]:
    started: list[LanShareServer] = []

    def make(limits: Limits | None = None, port: int = 0) -> LanShareServer:
        srv = LanShareServer(lambda token: shares.open_share(store, token), "Abharana", "INR",
                             "127.0.0.1", port, limits)
        srv.start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()
