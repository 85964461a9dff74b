"""Fault tests: the outbox reaches the cloud exactly once through crashes, errors and outages.

Everything runs on loopback against the devcloud and is bounded in time. "Exactly once" is
counted by Idempotency-Key: every outbox row id is on the cloud once, nothing missing, and
re-sends after a lost answer are recognised as repeats rather than stored twice.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk import simulate
from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore, StoreError
from kiosk.store.events import SessionStarted
from kiosk.store.outbox import KIND_EVENT
from sync import daemon
from sync.drain import Syncer
from tests.sync.conftest import LiveCloud

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
ROOT = Path(__file__).resolve().parents[2]


def record(cfg: KioskConfig, sessions: int, seed: int) -> None:
    simulate.run(cfg, sessions, seed)


def outbox_ids(cfg: KioskConfig, kind: str = KIND_EVENT) -> set[str]:
    with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
        return {r[0] for r in c.execute("SELECT id FROM outbox WHERE kind = ?", (kind,))}


def assert_exactly_once(cfg: KioskConfig, cloud: LiveCloud) -> None:
    sent = outbox_ids(cfg)
    received = [e["idempotency_key"] for e in cloud.events()]
    assert len(received) == len(set(received)), "an event was stored twice"
    assert set(received) == sent, f"missing {len(sent - set(received))}, unknown {len(set(received) - sent)}"


@contextmanager
def syncing(cfg: KioskConfig, store: EventStore) -> Iterator[tuple[daemon.Clients, Syncer]]:
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        yield clients, syncer
    finally:
        syncer.close()
        clients.close()


def drain_until_empty(store: EventStore, syncer: Syncer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while store.count("pending") and time.monotonic() < deadline:
        syncer.drain()
        time.sleep(0.05)


def config_file(cfg_maker: Callable[..., KioskConfig]) -> tuple[KioskConfig, Path]:
    cfg = cfg_maker()
    path = next(cfg.store.data_dir.parent.glob("kiosk.toml"))
    return cfg, path


def spawn_daemon(path: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(path), "sync", "run"],
                            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def sent(counts: dict[str, int]) -> int:
    return counts["events"] + counts["event_repeats"]


def test_kill_9_the_daemon_twenty_times_mid_drain(cloud: LiveCloud, cloud_config: Callable[..., KioskConfig],
                                                  tmp_path: Path) -> None:
    cfg, path = config_file(cloud_config)
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
    assert_exactly_once(cfg, cloud)


def test_flaky_cloud_30pc_errors_10pc_dropped_answers_all_delivered(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    record(cfg, 30, seed=3)
    cloud.faults.update({"fail_rate": 0.3, "drop_rate": 0.1})
    store = EventStore(cfg.store.data_dir)
    with syncing(cfg, store) as (_, syncer):
        drain_until_empty(store, syncer, 60)
    assert store.count("pending") == 0 and store.count("dead") == 0
    assert cloud.counts()["event_repeats"] > 0        # dropped answers really were re-sent
    assert_exactly_once(cfg, cloud)


def test_a_refused_event_is_dead_lettered_and_the_rest_flow(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    record(cfg, 3, seed=1)
    store = EventStore(cfg.store.data_dir)
    # A row written by an older kiosk release with a field the contract does not allow.
    sid = str(uuid.uuid4())
    bad = {"event_type": "attire.changed", "session_id": sid, "store_id": "s", "seller_id": "s",
           "device_id": "d", "payload": {"attire_id": "a", "attire_name": "A", "is_original": "no"}}
    with store.db.write() as conn:
        conn.execute("INSERT INTO outbox (id, kind, stream, session_id, payload, created_at, next_attempt_at)"
                     " VALUES ('bad-row', 'event', ?, ?, ?, 0, 0)", (sid, sid, json.dumps(bad)))
    store.close()
    assert daemon.once(cfg) == 1, "a run that dead-lettered something must not exit 0"
    st = daemon.status_report(cfg)
    assert st["dead"] == 1 and st["pending_total"] == 0
    assert st["dead_letters"][0]["id"] == "bad-row"
    assert "payload.is_original" in st["dead_letters"][0]["error"]
    assert cloud.counts()["events"] == len(outbox_ids(cfg)) - 1


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
    assert_exactly_once(cfg, cloud)


def test_clock_jumped_back_an_hour_nothing_stalls(cloud: LiveCloud,
                                                  cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    record(cfg, 5, seed=5)
    clock = [time.time()]
    store = EventStore(cfg.store.data_dir, clock=lambda: clock[0])
    with syncing(cfg, store) as (_, syncer):
        cloud.faults.update({"down": True})
        syncer.drain()                      # every head now backs off, due in the future
        assert store.count("pending") and not store.due_heads(100, syncer.horizon_s())
        cloud.faults.update({"down": False})
        clock[0] -= 3600
        drain_until_empty(store, syncer, 20)
    assert store.count("pending") == 0
    assert_exactly_once(cfg, cloud)


def test_full_data_disk_shows_in_status_and_sync_resumes(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = cloud_config()
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
    rep = daemon.status_report(cfg)
    assert rep["ok"] is False and "nearly full: 0 MB free" in rep["storage_problem"]
    monkeypatch.undo()
    monkeypatch.setattr(store, "complete", real_complete)
    conn.execute("PRAGMA max_page_count = 1073741823")
    while syncer.drain().delivered:
        pass
    syncer.close()
    clients.close()
    assert store.count("pending") == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert_exactly_once(cfg, cloud)          # the rows sent while "full" were recognised as repeats
    assert daemon.status_report(cfg)["storage_problem"] is None


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
    assert sorted(p["full_name"] for p in persons.values()) == sorted(f"Customer {i}" for i in range(12))


def test_a_forgotten_person_is_blanked_in_the_cloud(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig]) -> None:
    from kiosk.store import privacy
    from kiosk.store.outbox import ERASE_BODY, Consent
    from kiosk.store.persons import PersonFields, PersonUpdate

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
    assert {k: person[k] for k in ERASE_BODY} == ERASE_BODY        # no name or phone of hers left
