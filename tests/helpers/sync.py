"""The sync daemon's parts as tests drive them, and what the fault and acceptance tests check
on the devcloud afterwards: every event there at least once, every person once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk import paths
from kiosk.config import KioskConfig
from kiosk.store import EventStore
from sync import daemon
from sync.drain import Syncer
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud

ROOT = paths.PROJECT_ROOT
PROJECT = "11111111-2222-4333-8444-555555555555"      # the devcloud's messaging project (seed 003)
ENVELOPE = ("event_type", "session_id", "store_id", "seller_id", "device_id", "payload")


def share_section(url: str) -> str:
    """[share] for seed 003 on the devcloud (WhatsApp and email), and no fixed monitoring port."""
    return (f'\n[share]\nmessaging_url = "{url}"\nmessaging_email = "{EMAIL}"\n'
            f'messaging_password = "{PASSWORD}"\nmessaging_project_id = "{PROJECT}"\nemail_enabled = true\n'
            "\n[health]\nport = 0\n")


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


def spawn_daemon(path: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(path), "sync", "run"],
                            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _content(envelope: dict[str, Any]) -> str:
    return json.dumps({k: envelope[k] for k in ENVELOPE}, sort_keys=True)


def assert_none_lost(cfg: KioskConfig, events: list[dict[str, Any]], stats: dict[str, Any],
                     skip: Collection[str] = ()) -> None:
    """Every event row of the outbox is on the cloud at least once, by content; print how many
    were stored twice. `events`/`stats` are the devcloud's /_devcloud/events and /stats."""
    with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
        rows = [(r[0], json.loads(r[1])) for r in c.execute("SELECT id, payload FROM outbox"
                                                            " WHERE kind = 'event'") if r[0] not in skip]
    want = Counter(_content(body) for _, body in rows)
    have = Counter(_content(e) for e in events)
    missing = want - have
    assert not missing, f"{sum(missing.values())} of {len(rows)} events never reached the cloud"
    seen = Counter(e["key_seen"] for e in events)
    assert {rid for rid, _ in rows} <= set(seen), "the devcloud saw every row's Idempotency-Key"
    dups = stats["event_duplicates"]
    print(f"\nevents: {len(rows)} recorded, {len(events)} stored, {dups} stored twice "
          f"({100 * dups / max(len(rows), 1):.1f} %); messages stored twice: {stats['message_duplicates']}")


def assert_persons_delivered(cfg: KioskConfig, persons: dict[str, dict[str, Any]]) -> None:
    """Every local person record has its cloud record, with the PUT of the visit's end."""
    with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
        local = c.execute("SELECT cloud_id, full_name FROM persons").fetchall()
    assert local and all(cloud_id in persons for cloud_id, _ in local)
    for cloud_id, name in local:
        p = persons[cloud_id]
        assert p["entry_time"] and p["exit_time"] and (p["full_name"] or "") == (name or "")


def cloud_persons(cloud: LiveCloud) -> dict[str, dict[str, Any]]:
    db = cloud.app.state.db
    return {p["id"]: p for p in db.list_persons(0, 10**6)[1]}
