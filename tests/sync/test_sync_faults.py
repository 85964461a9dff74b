"""Fault tests: nothing recorded is lost through crashes, errors, outages and lost answers.

Everything runs on loopback against the devcloud, bounded in time, with the devcloud behaving
like a real server that never heard of Idempotency-Key (no seed names it): a re-send after a
lost answer is stored again. So events are checked at least once, matched by content (the
key the devcloud saw is kept only for counting), and the duplicates are reported; person
records must never be duplicated (the kiosk looks them up before sending again). The
recorded visits come from `kiosk simulate`, so they carry person records (seed 001) and
share sends (seed 003) as well as events.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk import config
from kiosk.config import KioskConfig
from kiosk.harness import simulate
from kiosk.store import DeviceIds, EventStore, StoreError
from kiosk.store.events import SessionStarted
from kiosk.store.kinds import Kind
from sync import daemon
from sync import status as sync_status
from tests.fakes.clock import FakeClock
from tests.helpers.cloud import LiveCloud
from tests.helpers.sync import (
    ROOT,
    assert_none_lost,
    assert_persons_delivered,
    cloud_persons,
    drain_until_empty,
    share_section,
    spawn_daemon,
    syncing,
)

pytestmark = pytest.mark.slow     # fault runs against the devcloud: kill -9, flaky cloud, full disk

IDS = DeviceIds("store_1", "seller_1", "ipad_1")


@pytest.fixture
def cloud(cloud: LiveCloud) -> LiveCloud:
    """The devcloud as a server that ignores Idempotency-Key."""
    cloud.faults.update({"ignore_idempotency": True})
    return cloud


@pytest.fixture
def kiosk_config(cloud_config: Callable[..., KioskConfig], cloud: LiveCloud) -> Callable[..., KioskConfig]:
    """cloud_config plus the messaging API, so simulated visits send their shares."""

    def make(**sync: Any) -> KioskConfig:
        path = config_path(cloud_config(**sync))
        path.write_text(path.read_text() + share_section(cloud.url))
        return config.load(path)

    return make


def config_path(cfg: KioskConfig) -> Path:
    return next(cfg.store.data_dir.parent.glob("kiosk.toml"))


def record(cfg: KioskConfig, sessions: int, seed: int) -> None:
    simulate.run(cfg, sessions, seed)


def outbox_ids(cfg: KioskConfig, kind: str = Kind.EVENT) -> set[str]:
    with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
        return {r[0] for r in c.execute("SELECT id FROM outbox WHERE kind = ?", (kind,))}


def live(cloud: LiveCloud) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return cloud.events(), cloud.counts()


def person_duplicates(stats: dict[str, Any]) -> None:
    """0 duplicate persons: after a lost answer the kiosk looks the record up before posting
    again (the deterministic checks are in test_portal_acceptance.py and test_person_lookup.py)."""
    print(f"persons: {stats['persons']} stored, {stats['person_duplicates']} stored twice")
    assert stats["person_duplicates"] == 0


def sent(counts: dict[str, int]) -> int:
    return counts["events"] + counts["event_repeats"] + counts["persons"] + counts["messages"]


def test_kill_9_the_daemon_twenty_times_mid_drain(cloud: LiveCloud, kiosk_config: Callable[..., KioskConfig],
                                                  tmp_path: Path) -> None:
    cfg = kiosk_config()
    path = config_path(cfg)
    cloud.faults.update({"slow_ms": 15})
    rng = random.Random(7)
    killed_mid_drain = 0
    for i in range(20):
        record(cfg, 4, seed=i)
        before = cloud.counts()
        proc = spawn_daemon(path, tmp_path / "daemon.log")
        # Kill once the cloud has seen this run's first send, plus a random part of the drain:
        # a fixed sleep landed before the first send on a slow machine and after the last on
        # a fast one.
        deadline = time.monotonic() + 30
        while sent(cloud.counts()) == sent(before) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        after = cloud.counts()
        with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
            pending = c.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        if sent(after) > sent(before) and pending:
            killed_mid_drain += 1
    assert killed_mid_drain >= 5, "the kills did not land while the daemon was sending"
    cloud.faults.update({"slow_ms": 0})
    assert daemon.once(cfg) == 0
    assert_none_lost(cfg, *live(cloud))
    assert_persons_delivered(cfg, cloud_persons(cloud))
    assert cloud.counts()["messages"] >= len(outbox_ids(cfg, "share.send"))
    person_duplicates(cloud.counts())


def test_flaky_cloud_30pc_errors_10pc_dropped_answers_all_delivered(
        cloud: LiveCloud, kiosk_config: Callable[..., KioskConfig]) -> None:
    cfg = kiosk_config()
    record(cfg, 30, seed=3)
    cloud.faults.update({"fail_rate": 0.3, "drop_rate": 0.1})
    store = EventStore(cfg.store.data_dir)
    with syncing(cfg, store) as (_, syncer):
        drain_until_empty(store, syncer, 60)
    assert store.count("pending") == 0 and store.count("dead") == 0
    assert_none_lost(cfg, *live(cloud))
    assert cloud.counts()["event_duplicates"] > 0        # dropped answers really were re-sent
    assert_persons_delivered(cfg, cloud_persons(cloud))
    shared = [e for e in cloud.events() if e["event_type"] == "image.shared"]
    assert shared and len({e["key_seen"] for e in shared}) == len(outbox_ids(cfg, "share.send"))
    person_duplicates(cloud.counts())


BAD_ROW = {"event_type": "attire.changed", "store_id": "s", "seller_id": "s", "device_id": "d",
           "payload": {"attire_id": "a", "attire_name": "A", "is_original": "no"}}


def add_bad_row(cfg: KioskConfig) -> None:
    """A row written by an older kiosk release with a field the contract does not allow."""
    store = EventStore(cfg.store.data_dir)
    sid = str(uuid.uuid4())
    with store.db.write() as conn:
        conn.execute("INSERT INTO outbox (id, kind, stream, session_id, payload, created_at, next_attempt_at)"
                     " VALUES ('bad-row', 'event', ?, ?, ?, 0, 0)",
                     (sid, sid, json.dumps(BAD_ROW | {"session_id": sid})))
    store.close()


def test_a_refused_event_is_dead_lettered_and_the_rest_flow(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    record(cfg, 3, seed=1)
    add_bad_row(cfg)
    daemon.once(cfg)            # its exit code: test_sync_once_exits_non_zero_after_a_dead_letter
    st = sync_status.status_report(cfg)
    assert st["dead"] == 1 and st["pending_total"] == 0
    assert st["dead_letters"][0]["id"] == "bad-row"
    assert "payload.is_original" in st["dead_letters"][0]["error"]
    assert_none_lost(cfg, *live(cloud), skip={"bad-row"})
    assert cloud.counts()["events"] == len(outbox_ids(cfg)) - 1


def test_sync_once_exits_non_zero_after_a_dead_letter(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    record(cfg, 1, seed=1)
    add_bad_row(cfg)
    assert daemon.once(cfg) != 0
    assert daemon.once(cfg) == 0            # nothing new tried, nothing new dead-lettered


def test_429_retry_after_is_honoured(cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config(workers=1)
    store = EventStore(cfg.store.data_dir)
    sid = str(uuid.uuid4())
    for ev in [SessionStarted(jeweler_id="j", jeweler_name="J")] * 12:
        store.record(ev, session_id=sid, ids=IDS)
    store.close()
    cloud.faults.update({"rate_limit": 4})
    t0 = time.time()
    assert daemon.once(cfg) == 0
    log = [r for r in cloud.requests() if r["t"] >= t0]
    throttled = [r for r in log if r["status"] == 429]
    assert throttled, "the rate limit never triggered"
    for r in throttled:
        nxt = [x["t"] for x in log if x["t"] > r["t"]]
        # Retry-After is at least 1 s (rounded up to the next full second).
        assert not nxt or min(nxt) - r["t"] >= 0.95, "a request came before Retry-After"
    assert_none_lost(cfg, *live(cloud))
    assert cloud.counts()["event_duplicates"] == 0        # a 429 is refused before any work


def test_clock_jumped_back_an_hour_nothing_stalls(cloud: LiveCloud,
                                                  kiosk_config: Callable[..., KioskConfig]) -> None:
    cfg = kiosk_config()
    # No person records here: a login refused while the cloud is down pauses the person client
    # for LOGIN_PAUSE_S (30 s, monotonic), longer than this test wants to wait.
    simulate.run(cfg, 5, 5, persons_rate=0.0)
    clock = FakeClock(time.time())
    store = EventStore(cfg.store.data_dir, clock=clock)
    with syncing(cfg, store) as (_, syncer):
        cloud.faults.update({"down": True})
        syncer.drain()                      # every head now backs off, due in the future
        assert store.count("pending") and not store.due_heads(100, syncer.horizon_s())
        cloud.faults.update({"down": False})
        clock.t -= 3600
        drain_until_empty(store, syncer, 20)
    assert store.count("pending") == 0
    assert_none_lost(cfg, *live(cloud))


def sync_through_a_full_disk(cfg: KioskConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """One drain whose outcomes cannot be written (disk full), status checked, then resumed."""
    record(cfg, 5, seed=9)
    store = EventStore(cfg.store.data_dir)
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    conn = store.db.conn
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    # Marking rows delivered needs no new pages; a full disk makes SQLite refuse the write anyway.
    real_complete = store.complete

    def full(results: object) -> None:
        raise StoreError("the data disk is full (database or disk is full)")

    monkeypatch.setattr(store, "complete", full)
    totals = syncer.drain()
    assert totals.storage_error and "disk is full" in totals.storage_error
    assert store.count("pending") > 0            # nothing marked, nothing lost
    # What a technician sees: `kiosk sync status` checks the disk itself.
    monkeypatch.setattr(os, "statvfs", lambda p: os.statvfs_result((4096,) * 2 + (0,) * 8))
    rep = sync_status.status_report(cfg)
    assert rep["ok"] is False and "no space left on the device" in rep["storage_problem"]
    monkeypatch.undo()
    monkeypatch.setattr(store, "complete", real_complete)
    conn.execute("PRAGMA max_page_count = 1073741823")
    while syncer.drain().delivered:
        pass
    syncer.close()
    clients.close()
    assert store.count("pending") == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_full_data_disk_shows_in_status_and_sync_resumes(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = cloud_config()
    sync_through_a_full_disk(cfg, monkeypatch)
    assert_none_lost(cfg, *live(cloud))
    # The rows sent while "full" went again: a server without Idempotency-Key stored them twice.
    assert cloud.counts()["event_duplicates"] > 0
    assert sync_status.status_report(cfg)["storage_problem"] is None


def test_persons_sent_while_the_disk_was_full_are_not_stored_twice(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = cloud_config()
    sync_through_a_full_disk(cfg, monkeypatch)
    assert_persons_delivered(cfg, cloud_persons(cloud))
    assert cloud.counts()["person_duplicates"] == 0


RECORDER = """
import sys, uuid
from pathlib import Path
from kiosk.store import DeviceIds, EventStore
from kiosk.store.events import AttireChanged
from kiosk.store.outbox import Consent
from kiosk.store.persons import PersonFields
store = EventStore(Path(sys.argv[1]))
ids = DeviceIds("s", "s", "d")
print("ready", flush=True)
while True:
    sid = str(uuid.uuid4())
    store.record(AttireChanged(attire_id="a", attire_name="A", is_original=True), session_id=sid, ids=ids)
    store.record_person(session_id=sid, vector=[0.1] * 128, jpeg=b"\\xff\\xd8" + b"x" * 20000,
                        fields=PersonFields(age=30), consent=Consent(0.0, "v1", 30))
"""


def test_kill_9_of_the_recording_process_leaves_a_clean_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rng = random.Random(3)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", RECORDER, str(data)], cwd=ROOT,
                                stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
    store = EventStore(data)
    assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = store.db.read("SELECT local_id, image_path FROM persons")
    assert rows
    for r in rows:   # every committed person has its complete photo
        assert (data / r["image_path"]).stat().st_size == 20002
    assert store.db.read("SELECT COUNT(*) FROM outbox WHERE kind = 'person.create'")[0][0] == len(rows)
    for r in store.db.read("SELECT payload FROM outbox"):
        json.loads(r["payload"])


def test_person_records_survive_session_expiry_and_csrf_rotation(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    from kiosk.store.outbox import Consent
    from kiosk.store.persons import PersonFields, PersonUpdate

    cfg = cloud_config()
    store = EventStore(cfg.store.data_dir)
    locals_ = []
    for i in range(12):
        local = store.record_person(session_id=str(uuid.uuid4()), vector=[i / 100] * 128,
                                    jpeg=b"\xff\xd8" + bytes(100), fields=PersonFields(age=20 + i),
                                    consent=Consent(time.time(), "v1", 30))
        store.update_person(local, PersonUpdate(full_name=f"Customer {i}"))
        locals_.append(local)
    cfg = cloud_config(workers=2)
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    # Each request takes 50 ms, 24 requests on 2 workers: sessions (0.2 s) expire mid-drain,
    # and the CSRF token is rotated under the client's feet every 0.15 s.
    cloud.faults.update({"expire_sessions_every": 0.2, "slow_ms": 50})
    stop = threading.Event()

    def rotate() -> None:
        while not stop.wait(0.15):
            cloud.app.state.sessions.rotate_all_csrf()

    rotator = threading.Thread(target=rotate)
    rotator.start()
    try:
        drain_until_empty(store, syncer, 30)
    finally:
        stop.set()
        rotator.join()
        syncer.close()
        clients.close()
    assert store.count("pending") == 0 and store.count("dead") == 0
    assert clients.persons.logins >= 2
    persons = {p["id"]: p for p in (cloud.app.state.db.get_person(r["cloud_id"]) for r in
                                    store.db.read("SELECT cloud_id FROM persons"))}
    assert len(persons) == 12 == cloud.counts()["persons"]
    assert cloud.counts()["person_duplicates"] == 0       # a 403 is refused before any work
    assert sorted(p["full_name"] for p in persons.values()) == sorted(f"Customer {i}" for i in range(12))
