"""`kiosk bench sync`: durable record rate, drain rate to the devcloud, 10k backlog time.

Targets (issue 4): record >= 5,000 events/s with synchronous=FULL and one transaction per
event; drain >= 500 events/s over loopback; a 10,000-event backlog drained in < 30 s.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from kiosk.store import DeviceIds, EventStore
from kiosk.store.db import time_bare_commits
from kiosk.store.events import JewelrySelected
from kiosk.store.kinds import Kind

IDS = DeviceIds("bench_store", "bench_seller", "bench_device")


def _record(store: EventStore, n: int, per_session: int) -> float:
    rng = random.Random(1)
    t0 = time.perf_counter()
    sid = str(uuid.uuid4())
    for i in range(n):
        if i % per_session == 0:
            sid = str(uuid.uuid4())
        store.record(JewelrySelected(jewelry_id=f"piece_{rng.randrange(40)}", jewelry_name="Bench Piece",
                                     jewelry_category="necklace", price=1000.0), session_id=sid, ids=IDS)
    return time.perf_counter() - t0


def _disk_ceiling(root: Path, n: int = 2000) -> float:
    """Commits/s of a bare one-row WAL+FULL transaction on the same disk: the floor set by fsync."""
    return n / time_bare_commits(root / "ceiling.db", n)


def bench_sync(backlog: int = 10_000, per_session: int = 10, workers: int = 8) -> dict[str, Any]:
    from sync.clients.events import EventsClient
    from sync.devcloud.app import create_app
    from sync.devcloud.server import Background
    from sync.drain import Syncer

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        root = Path(tmp)
        ceiling = _disk_ceiling(root)
        store = EventStore(root / "kiosk")
        record_s = _record(store, backlog, per_session)
        cloud = Background(create_app(root / "cloud"))
        client = EventsClient(cloud.url, 10.0)
        syncer = Syncer(store, {Kind.EVENT: lambda job: client.send(job.payload, job.id)}, workers=workers,
                        batch=256)
        try:
            t0 = time.perf_counter()
            totals = syncer.drain()
            drain_s = time.perf_counter() - t0
            pending = store.count("pending")
            received = cloud.app.state.db.counts()["events"]
        finally:
            syncer.close()
            client.close()
            cloud.stop()
            store.close()
    return {
        "bench": "sync",
        "events": backlog,
        "sessions": backlog // per_session,
        "record_events_per_s": round(backlog / record_s),
        "record_txn": "one BEGIN IMMEDIATE per event, WAL, synchronous=FULL",
        "disk_commits_per_s": round(ceiling),
        "drain_events_per_s": round(totals.delivered / drain_s),
        "backlog_drain_s": round(drain_s, 2),
        "delivered": totals.delivered,
        "received_by_devcloud": received,
        "left_pending": pending,
        "workers": workers,
        "targets": {"record_events_per_s": 5000, "drain_events_per_s": 500, "backlog_drain_s": 30},
    }
