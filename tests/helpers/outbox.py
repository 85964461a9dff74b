"""Outbox rows for tests: device ids, a photo, a face vector, consent, events, and databases
damaged one way or another."""

from __future__ import annotations

import os
import random
import uuid
from pathlib import Path

from kiosk.store import DeviceIds, EventStore
from kiosk.store.db import DB_NAME
from kiosk.store.events import AttireChanged
from kiosk.store.outbox import Consent

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
VEC = [0.01 * i for i in range(128)]
CONSENT = Consent(1_800_000_000.0, "v1", 30)
KINDS = ["truncated", "garbage_pages", "garbage_header", "empty"]     # of damage: make_damaged


def ev(n: int = 0) -> AttireChanged:
    return AttireChanged(attire_id=f"a{n}", attire_name=f"A{n}", is_original=n == 0)


def sid() -> str:
    return str(uuid.uuid4())


def record(data_dir: Path, n: int) -> None:
    store = EventStore(data_dir)
    try:
        with store.db.write() as conn:
            for i in range(n):
                store.record_in(conn, ev(i), session_id=sid(), ids=IDS)
    finally:
        store.close()


def make_damaged(data_dir: Path, kind: str, events: int = 300) -> bytes:
    """A database of `events` events damaged one way; returns the damaged file's bytes."""
    record(data_dir, events)
    path = data_dir / DB_NAME
    size = path.stat().st_size
    assert size > 40 * 4096, "big enough to have pages in the middle"
    rng = random.Random(kind)
    if kind == "truncated":
        os.truncate(path, size // 2)
    elif kind == "garbage_pages":
        with open(path, "r+b") as fh:
            fh.seek((size // 4096 // 2) * 4096)
            fh.write(rng.randbytes(3 * 4096))
    elif kind == "garbage_header":
        with open(path, "r+b") as fh:
            fh.write(rng.randbytes(100))
    else:
        os.truncate(path, 0)
    return path.read_bytes()
