"""EventStore: durable outbox, stream ordering, persons in one transaction, migrations."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from kiosk.store import EventStore, StoreError, db, schema
from kiosk.store.events import JewelrySelected
from kiosk.store.outbox import Result
from kiosk.store.outcomes import Delivered, Rejected, Retry
from kiosk.store.persons import PersonFields, PersonUpdate
from tests.fakes.clock import FakeClock
from tests.helpers.outbox import CONSENT, IDS, JPEG, VEC, ev, sid


def test_database_is_wal_with_full_sync(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.LATEST


def test_record_queues_a_row_with_its_own_idempotency_key(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    s = sid()
    a = store.record(ev(1), session_id=s, ids=IDS)
    b = store.record(ev(2), session_id=s, ids=IDS)
    assert a != b and uuid.UUID(a).version == 4
    row = store.db.read("SELECT * FROM outbox WHERE id = ?", (a,))[0]
    assert row["kind"] == "event" and row["attempts"] == 0 and row["state"] == "pending"
    assert row["created_at"] == clock.t and row["next_attempt_at"] == clock.t and row["last_error"] is None
    assert store.count() == 2


def test_rows_of_a_session_go_in_order_and_sessions_do_not_wait_for_each_other(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    s1, s2 = sid(), sid()
    first = store.record(ev(1), session_id=s1, ids=IDS)
    store.record(ev(2), session_id=s1, ids=IDS)
    other = store.record(ev(3), session_id=s2, ids=IDS)
    heads = store.due_heads(10, 600)
    assert [j.id for j in heads] == [first, other]
    # s1's head fails and backs off: s1 waits, s2 does not.
    store.complete([Result(heads[0], Retry("HTTP 503"), 30.0), Result(heads[1], Delivered("evt_1"))])
    assert store.due_heads(10, 600) == []
    clock.t += 31
    again = store.due_heads(10, 600)
    assert [j.id for j in again] == [first] and again[0].attempts == 1
    st = store.status()
    assert st.pending["event"] == 2 and st.delivered == 1 and st.last_error == "event: HTTP 503"


def test_a_dead_letter_does_not_block_its_session(tmp_path: Path) -> None:
    store = EventStore(tmp_path, clock=FakeClock())
    s = sid()
    bad = store.record(ev(1), session_id=s, ids=IDS)
    nxt = store.record(ev(2), session_id=s, ids=IDS)
    (head,) = store.due_heads(10, 600)
    store.complete([Result(head, Rejected("HTTP 400: Invalid session_id"))])
    assert [j.id for j in store.due_heads(10, 600)] == [nxt]
    st = store.status()
    assert st.dead == 1 and st.dead_letters[0]["id"] == bad
    assert st.dead_letters[0]["error"] == "HTTP 400: Invalid session_id"


def test_clock_jumping_back_an_hour_does_not_stall_retries(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path, clock=clock)
    store.record(ev(), session_id=sid(), ids=IDS)
    (head,) = store.due_heads(10, 600)
    store.complete([Result(head, Retry("timed out"), 20.0)])
    clock.t -= 3600
    # 3620 s ahead is beyond any real backoff (horizon 600 s): only a clock jump does that.
    assert [j.id for j in store.due_heads(10, 600)] == [head.id]


def test_person_row_vector_and_photo_are_written_together(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    s = sid()
    local = store.record_person(session_id=s, vector=VEC, jpeg=JPEG,
                                fields=PersonFields(age=30, gender="Female"), consent=CONSENT)
    (job,) = store.due_heads(10, 600)
    assert job.kind == "person.create" and job.vector == pytest.approx(VEC)
    assert job.blob is not None and job.blob.read_bytes() == JPEG
    assert job.payload == {"age": 30, "gender": "Female"}
    # The update waits behind the create, then carries the cloud id.
    store.update_person(local, PersonUpdate(full_name="Jane Doe", phone_number="+6512345678"))
    assert [j.kind for j in store.due_heads(10, 600)] == ["person.create"]
    store.complete([Result(job, Delivered("cloud-42"))])
    (upd,) = store.due_heads(10, 600)
    assert upd.kind == "person.update" and upd.person_cloud_id == "cloud-42"
    assert upd.payload == {"full_name": "Jane Doe", "phone_number": "+6512345678"}


def test_a_failed_person_transaction_leaves_no_photo_and_no_row(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = EventStore(tmp_path)

    def boom(*a: object, **k: object) -> str:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "insert_row", boom)
    with pytest.raises(StoreError, match="disk is full"):
        store.record_person(session_id=sid(), vector=VEC, jpeg=JPEG, fields=PersonFields(), consent=CONSENT)
    assert store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 0
    assert list((tmp_path / "persons").iterdir()) == []


@pytest.mark.parametrize("vector,jpeg,match", [
    ([0.0] * 127, JPEG, "128"), ([float("nan")] * 128, JPEG, "NaN"), (VEC, b"PNG....", "JPEG")])
def test_bad_person_input_is_refused(tmp_path: Path, vector: list[float], jpeg: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        EventStore(tmp_path).record_person(session_id=sid(), vector=vector, jpeg=jpeg, fields=PersonFields(),
                                           consent=CONSENT)


def test_full_disk_refuses_new_events_clearly_and_loses_nothing(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    s = sid()
    kept = [store.record(ev(i), session_id=s, ids=IDS) for i in range(50)]
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        for i in range(5000):
            store.record(JewelrySelected(jewelry_id=f"piece_{i}" * 15, jewelry_name="N" * 190,
                                         jewelry_category="necklace"), session_id=s, ids=IDS)
    assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.db.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    store.record(ev(), session_id=s, ids=IDS)
    ids = {r[0] for r in store.db.read("SELECT id FROM outbox")}
    assert set(kept) <= ids


def test_migrating_an_older_database_backs_it_up_first(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:         # a database written by the first release
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])    # the migrations live in store/schema.py
        m.setattr(schema, "LATEST", 1)
        store = EventStore(tmp_path)
        kept = store.record(ev(), session_id=sid(), ids=IDS)
        store.close()
    store = EventStore(tmp_path)
    assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == db.LATEST >= 2
    assert [r[0] for r in store.db.read("SELECT id FROM outbox")] == [kept]
    assert store.db.read("SELECT COUNT(*) FROM sessions")[0][0] == 0
    (backup,) = (tmp_path / "backups").iterdir()
    assert "-v1-" in backup.name
    with sqlite3.connect(backup) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert old.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    EventStore(tmp_path).close()
    with sqlite3.connect(tmp_path / db.DB_NAME) as c:
        c.execute(f"PRAGMA user_version = {db.LATEST + 1}")
    with pytest.raises(StoreError, match="newer than this kiosk"):
        EventStore(tmp_path)
