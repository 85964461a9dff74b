"""A damaged database is set aside (kept byte for byte), a fresh one started, the backup named."""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import sqlite3
from pathlib import Path

import pytest

from kiosk.store import EventStore, StoreError, damage, housekeeping, maintenance
from kiosk.store.db import DB_NAME, LATEST
from tests.helpers.outbox import KINDS, make_damaged, record


def kept_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob(f"{DB_NAME}.damaged-*"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_file_is_set_aside_a_fresh_store_starts_and_the_backup_is_named(
        tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture) -> None:
    record(tmp_path, 5)
    good = maintenance.backup(tmp_path, "manual")
    assert good is not None
    newer_junk = tmp_path / "backups" / "kiosk-junk.db"
    newer_junk.write_bytes(b"not a database")          # newest, but no use to restore
    damaged = make_damaged(tmp_path, kind)
    assert damage.verdict(tmp_path / DB_NAME, alone=True) is not None

    with caplog.at_level(logging.ERROR):
        store = EventStore(tmp_path)
    try:
        assert store.count("pending") == 0
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        kept = store.db.set_aside
        assert kept is not None and kept_files(tmp_path) == [kept.name]
        assert kept.read_bytes() == damaged, "kept exactly as it was found"
    finally:
        store.close()
    told = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(told) == 1 and "set aside" in told[0] and f"kiosk db restore {good}" in told[0]
    (line,) = damage.problems(tmp_path)
    assert kept.name in line and f"kiosk db restore {good}" in line

    EventStore(tmp_path).close()                        # the fresh file is healthy: left alone
    assert kept_files(tmp_path) == [kept.name]

    msg = maintenance.restore(tmp_path, good)
    assert "restored" in msg and damage.problems(tmp_path) == []
    store = EventStore(tmp_path)
    assert store.count("pending") == 5
    store.close()
    assert kept.exists(), "a restore does not delete the damaged file"


def test_the_wal_and_shm_go_aside_with_it(tmp_path: Path) -> None:
    make_damaged(tmp_path, "garbage_header")
    (tmp_path / f"{DB_NAME}-wal").write_bytes(b"w" * 100)
    (tmp_path / f"{DB_NAME}-shm").write_bytes(b"s" * 100)
    store = EventStore(tmp_path)
    kept = store.db.set_aside
    store.close()
    assert kept is not None
    assert Path(f"{kept}-wal").read_bytes() == b"w" * 100
    assert Path(f"{kept}-shm").read_bytes() == b"s" * 100
    line = damage.problems(tmp_path)[0]
    assert "no backup" in line and ".recover" in line


def test_a_healthy_or_missing_database_is_left_alone(tmp_path: Path) -> None:
    assert damage.verdict(tmp_path / DB_NAME) is None
    record(tmp_path, 50)
    assert damage.verdict(tmp_path / DB_NAME) is None
    store = EventStore(tmp_path)
    assert store.db.set_aside is None and store.count("pending") == 50
    store.close()
    assert kept_files(tmp_path) == [] and damage.problems(tmp_path) == []


def test_status_names_a_damaged_file_nobody_has_opened_yet(tmp_path: Path) -> None:
    make_damaged(tmp_path, "empty")
    (line,) = damage.problems(tmp_path)
    assert "empty" in line and "sets it aside" in line and kept_files(tmp_path) == []


def test_a_damaged_file_in_use_is_not_moved(tmp_path: Path) -> None:
    record(tmp_path, 20)
    first = EventStore(tmp_path)                        # the other process, still running
    path = tmp_path / DB_NAME
    with open(path, "r+b") as fh:
        fh.write(b"garbage!" * 4)
    with pytest.raises(damage.DamagedInUse, match="another process has it open"):
        EventStore(tmp_path)
    assert path.exists() and kept_files(tmp_path) == []
    (line,) = damage.problems(tmp_path)
    assert "in use" in line and "restart kiosk-app and kiosk-sync" in line
    first.close()
    with open(path, "r+b") as fh:                       # its close rewrote page 1
        fh.write(b"garbage!" * 4)
    store = EventStore(tmp_path)
    assert store.db.set_aside is not None
    store.close()
    (line,) = damage.problems(tmp_path)
    assert "set aside" in line, "the in-use notice is replaced by what was done"


def _open_at_once(data_dir: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()
    store = EventStore(Path(data_dir))
    store.close()


@pytest.mark.parametrize("start", ["no database", "0-byte database"])
@pytest.mark.slow
def test_processes_opening_at_once_never_move_a_fresh_file(tmp_path: Path, start: str) -> None:
    if start == "0-byte database":
        (tmp_path / DB_NAME).touch()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_at_once, args=(str(tmp_path), barrier)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4
    assert len(kept_files(tmp_path)) == (1 if start == "0-byte database" else 0)
    assert damage.verdict(tmp_path / DB_NAME) is None
    assert maintenance.schema(tmp_path / DB_NAME) == LATEST


def test_hourly_integrity_check_reports_damage_in_use_and_sweeps_nothing(tmp_path: Path) -> None:
    record(tmp_path, 300)
    good = maintenance.backup(tmp_path, "manual")
    store = EventStore(tmp_path)
    try:
        assert damage.check_in_use(tmp_path) is None
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")    # every page in the main file
        path = tmp_path / DB_NAME
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.seek((size // 4096 // 2) * 4096)
            fh.write(random.Random(7).randbytes(2 * 4096))
        with pytest.raises(StoreError, match="nothing swept") as err:
            housekeeping.sweep(store, keep_images_days=14, keep_delivered_days=30)
        assert "in use" in str(err.value) and f"kiosk db restore {good}" in str(err.value)
        assert path.exists() and kept_files(tmp_path) == []
        (line,) = damage.problems(tmp_path)
        assert "integrity_check" in line or "malformed" in line
    finally:
        store.close()


def test_the_backup_to_restore_survives_low_disk_pruning(tmp_path: Path) -> None:
    record(tmp_path, 3)
    named = maintenance.backup(tmp_path, "named")
    assert named is not None
    make_damaged(tmp_path, "garbage_header")
    store = EventStore(tmp_path)                        # sets it aside, names `named`
    try:
        for n in range(3):                              # newer backups of the fresh store
            newer = maintenance.backup(tmp_path, f"later{n}")
            assert newer is not None
            os.utime(newer, (named.stat().st_mtime + 10 + n,) * 2)
        swept = housekeeping.sweep(store, keep_images_days=14, keep_delivered_days=30, low_disk=True)
    finally:
        store.close()
    left = {p.name for p in (tmp_path / "backups").glob("*.db")}
    assert named.name in left and len(left) == 2 and swept.backups_deleted == 2


def test_restore_refuses_while_the_database_is_open_and_sets_a_damaged_one_aside(tmp_path: Path) -> None:
    record(tmp_path, 4)
    good = maintenance.backup(tmp_path, "manual")
    assert good is not None
    store = EventStore(tmp_path)
    with pytest.raises(StoreError, match="open in another process"):
        maintenance.restore(tmp_path, good)
    store.close()
    with open(tmp_path / DB_NAME, "r+b") as fh:
        fh.write(b"garbage!" * 4)
    msg = maintenance.restore(tmp_path, good)
    (kept,) = kept_files(tmp_path)
    assert kept in msg
    with pytest.raises(StoreError, match="not a healthy database"):
        maintenance.restore(tmp_path, tmp_path / kept)


def test_migrate_sets_a_damaged_file_aside(tmp_path: Path) -> None:
    make_damaged(tmp_path, "truncated")
    assert "was damaged, set aside" in maintenance.migrate(tmp_path)
    assert len(kept_files(tmp_path)) == 1 and maintenance.schema(tmp_path / DB_NAME) == LATEST


def test_quick_check_rows_count_as_damage(tmp_path: Path) -> None:
    """Damage SQLite reports as rows of quick_check (not as an error) is damage too."""
    path = tmp_path / "x.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a INTEGER)")
    conn.execute("INSERT INTO t VALUES (NULL)")
    conn.commit()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_schema SET sql = 'CREATE TABLE t (a INTEGER NOT NULL)' WHERE name = 't'")
    conn.commit()
    conn.close()
    why = damage.verdict(path, alone=True)
    assert why == "quick_check: NULL value in t.a"
