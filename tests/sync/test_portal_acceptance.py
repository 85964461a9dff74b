"""Against servers as real ones behave (issue 19): no Idempotency-Key, answers lost after the
work was done, a store Wi-Fi captive portal in front, sessions that expire. The acceptance
scenario runs as a new user would: `kiosk devcloud` with the fault flags, `kiosk simulate`,
then `kiosk sync once` until it exits 0.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk import config
from kiosk.config import KioskConfig
from kiosk.harness import simulate
from kiosk.store import EventStore
from kiosk.store.outbox import Consent
from kiosk.store.persons import PersonFields, PersonUpdate
from sync import daemon
from sync import status as sync_status
from sync.devcloud.server import free_port
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud
from tests.helpers.sync import (
    ROOT,
    assert_none_lost,
    assert_persons_delivered,
    cloud_persons,
    drain_until_empty,
    share_section,
    syncing,
)

pytestmark = pytest.mark.slow     # acceptance runs against the devcloud behind a portal


@pytest.mark.parametrize("fault", ["drop_rate", "commit_fail_rate"],
                         ids=["answer cut off", "commit then 500"])
def test_a_person_whose_answer_was_lost_is_not_stored_twice(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], fault: str) -> None:
    # Long backoff: the first drain sends each POST exactly once, however slow the machine.
    cfg = cloud_config(retry_base_s=30.0, retry_max_s=30.0)
    store = EventStore(cfg.store.data_dir)
    entry = datetime.now(UTC) - timedelta(minutes=20)
    for i, face in enumerate(simulate.bundled_faces()[::7][:3]):
        s = face.sample
        local = store.record_person(session_id=str(uuid.uuid4()), vector=s.vector, jpeg=face.jpeg,
                                    fields=PersonFields(age=s.age, gender=s.gender, body_type=s.body_type,
                                                        entry_time=entry + timedelta(seconds=i)),
                                    consent=Consent(time.time(), "v1", 30))
        store.update_person(local, PersonUpdate(full_name=f"Customer {i}", exit_time=datetime.now(UTC)))
    cloud.faults.update({"ignore_idempotency": True, "fault_paths": "/api/client/person/", fault: 1.0})
    with syncing(cfg, store) as (_, syncer):
        syncer.drain()
        assert cloud.counts()["persons"] == 3, "every POST was stored, its answer lost"
        cloud.faults.update({fault: 0.0})
        store.make_all_due()
        drain_until_empty(store, syncer, 20)
    assert store.count("pending") == 0 and store.count("dead") == 0
    assert_persons_delivered(cfg, cloud_persons(cloud))
    assert cloud.counts()["person_duplicates"] == 0 and cloud.counts()["persons"] == 3


def test_a_forgotten_person_is_blanked_in_the_cloud(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    from kiosk.store import privacy

    cfg = cloud_config()
    store = EventStore(cfg.store.data_dir)
    local = store.record_person(session_id=str(uuid.uuid4()), vector=[0.2] * 128,
                                jpeg=b"\xff\xd8" + bytes(100), fields=PersonFields(age=40),
                                consent=Consent(time.time(), "v1", 30))
    store.update_person(local, PersonUpdate(full_name="Nila Rao", phone_number="+919866666666"))
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        drain_until_empty(store, syncer, 15)
        cloud_id = store.db.read("SELECT cloud_id FROM persons")[0][0]
        assert cloud.app.state.db.get_person(cloud_id)["phone_number"] == "+919866666666"
        assert privacy.forget(store, phone="+919866666666").cloud_ids == [cloud_id]
        drain_until_empty(store, syncer, 15)
    finally:
        syncer.close()
        clients.close()
    assert store.count("dead") == 0
    person = cloud.app.state.db.get_person(cloud_id)
    assert not person["full_name"] and not person["phone_number"]


# ---- the acceptance scenario -------------------------------------------------------------------

def kiosk_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def strict_devcloud(tmp_path: Path) -> Iterator[str]:
    """`kiosk devcloud` behind a portal that 302s its first 25 answers, 10 % 5xx, 15 % commit then
    500, login sessions expiring every 2 s, Idempotency-Key ignored."""
    port = free_port()
    log = (tmp_path / "devcloud.log").open("w")
    flags = ["--captive-portal", "25", "--fail-rate", "0.1", "--commit-fail-rate", "0.15",
             "--expire-sessions-every", "2", "--ignore-idempotency", "--seed", "19"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "devcloud", "--port", str(port), "--data-dir",
         str(tmp_path / "cloud"), "--user", f"{EMAIL}:{PASSWORD}", "--upload-key", "", *flags],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(url + "/_devcloud/faults", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kiosk devcloud did not start: {(tmp_path / 'devcloud.log').read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def persons_listed(url: str) -> dict[str, dict[str, Any]]:
    """Every person through seed 001's own list (the faults are off by then)."""
    with httpx.Client(timeout=10) as c:
        r = c.post(url + "/api/auth/login/", json={"email": EMAIL, "password": PASSWORD})
        assert r.status_code == 200
        page = c.get(url + "/api/client/persons/", params={"page_size": 100}).json()
        assert not page["has_next"]
        return {p["id"]: p for p in page["results"]}


def test_acceptance_portal_5xx_commit_then_500_expiring_sessions_no_idempotency(
        strict_devcloud: str, make_config: Callable[..., Path]) -> None:
    url = strict_devcloud
    path = make_config(events_url=url, person_url=url + "/api/")
    fast = "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 1.0\n"
    path.write_text(path.read_text() + fast + share_section(url))
    cfg = config.load(path)
    r = kiosk_cli("--config", str(path), "simulate", "--sessions", "16", "--seed", "16")
    assert r.returncode == 0, r.stderr
    runs: list[str] = []
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        r = kiosk_cli("--config", str(path), "sync", "once")
        runs.append(f"exit {r.returncode}: {r.stdout.strip()}")
        if r.returncode == 0:
            break
    print("\n" + "\n".join(runs))
    assert r.returncode == 0, "`kiosk sync once` never exited 0"
    status = sync_status.status_report(cfg)
    assert status["dead"] == 0, status["dead_letters"][:3]
    assert status["pending_total"] == 0
    httpx.post(url + "/_devcloud/faults", json={"fail_rate": 0.0, "commit_fail_rate": 0.0,
                                                "expire_sessions_every": 0.0})
    stats = httpx.get(url + "/_devcloud/stats").json()
    assert stats["faults"]["captive_portal_302"] == 25
    assert_none_lost(cfg, httpx.get(url + "/_devcloud/events").json(), stats)
    assert stats["persons"] > 0 and stats["person_duplicates"] == 0
    assert_persons_delivered(cfg, persons_listed(url))
    store = EventStore(cfg.store.data_dir)
    try:
        sends = store.db.read("SELECT COUNT(*) FROM share_sends WHERE status = 'sent'")[0][0]
    finally:
        store.close()
    assert sends > 0 and stats["messages"] >= sends
