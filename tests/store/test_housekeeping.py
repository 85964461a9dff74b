"""Housekeeping never deletes what is not delivered; low disk drops the age limits only."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.store import EventStore, housekeeping, shares
from kiosk.store.outbox import Result
from kiosk.store.outcomes import Delivered, Outcome, Rejected
from kiosk.store.persons import PersonFields
from tests.fakes.clock import FakeClock
from tests.helpers.outbox import CONSENT, IDS, JPEG, VEC, ev, sid

DAY = 86400.0
UPLOADED = '{"image_url": "https://cdn.example/p.jpg", "page_url": "https://cdn.example/p"}'


def _share(store: EventStore) -> shares.Share:
    return shares.create(store, session_id=sid(), jpeg=JPEG, jewelry=("p1", "Jhumka", 100.0), link_days=7,
                         upload={"jeweler_name": "A"})


def _deliver(store: EventStore) -> int:
    jobs = store.due_heads(100, 0)
    store.complete([Result(j, Delivered("ok")) for j in jobs])
    return len(jobs)


def _complete(store: EventStore, match: str, outcome: Outcome) -> None:
    """Complete the due rows of one stream (share:<token>) or kind (person.create)."""
    jobs = [j for j in store.due_heads(100, 0) if match in (j.stream, j.kind)]
    assert jobs
    store.complete([Result(j, outcome) for j in jobs])


def _sweep(store: EventStore, low: bool = False) -> housekeeping.Swept:
    return housekeeping.sweep(store, keep_images_days=14, keep_delivered_days=30, low_disk=low)


def test_photos_go_only_when_delivered_and_old(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    delivered, pending, dead = _share(store), _share(store), _share(store)
    person = store.record_person(session_id=sid(), vector=VEC, jpeg=JPEG, fields=PersonFields(),
                                 consent=CONSENT)
    _complete(store, f"share:{delivered.token}", Delivered(UPLOADED))
    _complete(store, f"share:{dead.token}", Rejected("refused"))
    _complete(store, "person.create", Delivered("cloud-1"))

    clock.t += 13 * DAY                     # not old enough yet
    assert _sweep(store).photos_deleted == 0
    assert delivered.image.exists()

    clock.t += 2 * DAY
    swept = _sweep(store)
    assert swept.photos_deleted == 2        # the delivered share and the delivered face photo
    assert not delivered.image.exists()
    assert pending.image.exists(), "an undelivered photo is the only copy"
    assert dead.image.exists(), "a dead letter can still be retried by a technician"
    row = store.db.read("SELECT image_path FROM persons WHERE local_id = ?", (person,))[0]
    assert row["image_path"] is None and not (tmp_path / "persons" / f"{person}.jpg").exists()


def test_delivered_rows_pruned_but_counted_and_pending_kept(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    for n in range(5):
        store.record(ev(n), session_id=sid(), ids=IDS)
    assert _deliver(store) == 5
    for n in range(3):
        store.record(ev(n), session_id=sid(), ids=IDS)
    clock.t += 31 * DAY
    swept = _sweep(store)
    assert swept.rows_pruned == 5
    st = store.status()
    assert st.delivered == 5 and st.pending_total == 3
    assert store.count("pending") == 3


def test_low_disk_drops_age_limits_never_undelivered(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    sent, waiting = _share(store), _share(store)
    store.record(ev(), session_id=sid(), ids=IDS)
    _complete(store, f"share:{sent.token}", Delivered(UPLOADED))
    clock.t += 1                             # minutes old, not days
    assert _sweep(store).photos_deleted == 0
    swept = _sweep(store, low=True)
    assert swept.photos_deleted == 1 and swept.rows_pruned == 1
    assert not sent.image.exists() and waiting.image.exists()
    assert store.count("pending") == 2       # the event and the waiting upload


def test_orphan_files_and_old_backups(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    keep = _share(store)
    orphan = tmp_path / "shares" / "crashed-before-commit.jpg"
    orphan.write_bytes(JPEG)
    fresh_orphan = tmp_path / "shares" / "being-written.jpg"
    fresh_orphan.write_bytes(JPEG)
    old = time.time() - 2 * DAY
    os.utime(orphan, (old, old))
    os.utime(keep.image, (old, old))
    backups = tmp_path / "backups"
    backups.mkdir()
    for n in range(5):
        b = backups / f"kiosk-v{n}-2026.db"
        b.write_bytes(b"x")
        os.utime(b, (old + n, old + n))
    swept = _sweep(store)
    assert swept.orphans_deleted == 1 and not orphan.exists()
    assert fresh_orphan.exists() and keep.image.exists()
    assert sorted(p.name for p in backups.iterdir()) == ["kiosk-v2-2026.db", "kiosk-v3-2026.db",
                                                          "kiosk-v4-2026.db"]
    assert _sweep(store, low=True).backups_deleted == 2


@pytest.mark.slow
def test_vacuum_when_a_quarter_is_free(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    for n in range(3000):
        store.record(ev(n), session_id=sid(), ids=IDS)
    while _deliver(store):
        pass
    size_before = (tmp_path / "kiosk.db").stat().st_size
    clock.t += 31 * DAY
    swept = _sweep(store)
    assert swept.rows_pruned == 3000 and swept.vacuumed
    assert (tmp_path / "kiosk.db").stat().st_size < size_before / 2
    assert not _sweep(store).vacuumed       # nothing left to gain
    assert store.status().delivered == 3000
