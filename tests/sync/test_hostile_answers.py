"""Real networks are not the cloud: portals, proxies, moved URLs, megabyte answers and servers
that trickle. None of them may dead-letter an event, fill the daemon's memory or the
database, or hold a sender for minutes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore, Job
from kiosk.store.events import AttireChanged
from kiosk.store.kinds import Kind
from kiosk.store.outbox import Result
from kiosk.store.outcomes import Delivered, Rejected, Retry
from sync import daemon
from sync.clients.events import EventsClient
from sync.clients.http import make_client
from sync.drain import Syncer
from tests.fakes.cloud import FakeClients, FakeEvents
from tests.sync.hostile import Hostile, ok_event, portal, response

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
ROOT = Path(__file__).resolve().parents[2]
BODY = {"event_type": "attire.changed"}


@pytest.fixture
def hostile() -> Iterator[Callable[..., Hostile]]:
    made: list[Hostile] = []

    def make(answer: Callable[[bytes, int], bytes | None], trickle_s: float = 1.0) -> Hostile:
        h = Hostile(answer, trickle_s=trickle_s)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def record_events(store: EventStore, sessions: int, per_session: int) -> set[str]:
    keys = set()
    for _ in range(sessions):
        sid = str(uuid.uuid4())
        for i in range(per_session):
            keys.add(store.record(AttireChanged(attire_id=f"a{i}", attire_name="A", is_original=False),
                                  session_id=sid, ids=IDS))
    return keys


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_a_dead_letter_and_is_not_followed(
        code: int, hostile: Callable[..., Hostile]) -> None:
    server = hostile(lambda req, n: portal(code, "/portal/login"))
    out = EventsClient(server.url).send(BODY, "k")
    assert isinstance(out, Retry) and out.blocked, out
    assert len(server.requests) == 1, "a redirect of a POST was followed"
    assert "/portal/login" in out.blocked and str(code) in out.blocked
    assert not out.ambiguous                # the API never saw it


def test_a_moved_url_names_the_setting_to_fix(hostile: Callable[..., Hostile]) -> None:
    server = hostile(lambda req, n: portal(301, "https://127.0.0.1/v1/events"))
    out = EventsClient(server.url).send(BODY, "k")
    assert isinstance(out, Retry) and out.blocked
    assert "moved permanently to https://127.0.0.1/v1/events" in out.blocked
    assert "fix [cloud] events_url" in out.blocked


def test_an_html_error_page_is_not_the_apis_verdict(hostile: Callable[..., Hostile]) -> None:
    server = hostile(lambda req, n: response(404, b"<html><h1>Not Found</h1></html>", "text/html"))
    out = EventsClient(server.url).send(BODY, "k")
    assert isinstance(out, Retry) and out.blocked and "HTTP 404" in out.blocked
    # The seed's own error JSON stays a verdict.
    server = hostile(lambda req, n: response(400, b'{"status": "error", "message": "Invalid session_id"}'))
    assert EventsClient(server.url).send(BODY, "k") == Rejected("HTTP 400: Invalid session_id")


@pytest.mark.slow
def test_behind_a_portal_nothing_is_lost_and_the_technician_is_told(
        tmp_path: Path, hostile: Callable[..., Hostile]) -> None:
    server = hostile(lambda req, n: portal(302, "http://portal.example/login") if n < 25 else ok_event(n))
    store = EventStore(tmp_path / "data")
    keys = record_events(store, sessions=10, per_session=4)
    client = EventsClient(server.url)
    syncer = Syncer(store, {Kind.EVENT: lambda job: client.send(job.payload, job.id)},
                    workers=4, retry_base_s=0.05, retry_max_s=0.5)
    try:
        syncer.drain()
        st = store.status()
        assert "captive portal" in st.blocked["events"] and "portal.example/login" in st.blocked["events"]
        assert st.dead == 0
        for _ in range(6):
            daemon.drain_once(store, syncer)
            if not store.count("pending"):
                break
        st = store.status()
        assert st.dead == 0 and st.pending_total == 0 and st.delivered == len(keys)
        assert st.blocked == {}, "the portal is gone but the status still says so"
        attempts = store.db.read("SELECT MAX(attempts) FROM outbox")[0][0]
        assert attempts <= 2, "portal answers were counted against the events"
    finally:
        syncer.close()
        client.close()
        store.close()


def big(n: int = 20 * 2**20, with_length: bool = True) -> bytes:
    body = b'{"status": "ok", "event_id": "' + b"x" * n + b'"}'
    if with_length:
        return response(200, body)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[i:i + 65536]
                                                             for i in range(0, len(body), 65536)))
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked + b"0\r\n\r\n")


@pytest.mark.parametrize("with_length", [True, False])
def test_a_megabyte_answer_is_not_read(with_length: bool, hostile: Callable[..., Hostile]) -> None:
    payload = big(with_length=with_length)
    server = hostile(lambda req, n: payload)
    client = EventsClient(server.url)
    tracemalloc.start()
    try:
        out = client.send(BODY, "k")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(out, Retry) and "larger than" in out.error and out.ambiguous
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MB allocated for one answer"
    assert len(out.error) <= 500


def test_ids_and_error_texts_are_stored_bounded(hostile: Callable[..., Hostile]) -> None:
    long_id = response(200, b'{"status": "ok", "event_id": "' + b"e" * 60000 + b'"}')
    server = hostile(lambda req, n: long_id)
    out = EventsClient(server.url).send(BODY, "k")
    assert isinstance(out, Delivered) and len(out.response) <= 200
    long_msg = response(400, b'{"status": "error", "message": "' + b"m" * 60000 + b'"}')
    server = hostile(lambda req, n: long_msg)
    out = EventsClient(server.url).send(BODY, "k")
    assert isinstance(out, Rejected) and len(out.error) <= 500


@pytest.mark.slow
def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(hostile: Callable[..., Hostile]) -> None:
    server = hostile(lambda req, n: None, trickle_s=0.5)      # each byte arrives well within 2 s
    client = make_client(2.0, deadline_s=3.0)
    t0 = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        client.post(server.url + "/v1/events", json=BODY)
    took = time.monotonic() - t0
    # Without the deadline each byte is in time for the 2 s read timeout: it would never end.
    assert 2.5 <= took < 8, f"held for {took:.1f} s"
    client.close()


@pytest.mark.slow
def test_daemon_memory_and_database_stay_small_against_a_20mb_answer(
        tmp_path: Path, make_config: Callable[..., Path], hostile: Callable[..., Hostile]) -> None:
    payload = big()
    server = hostile(lambda req, n: payload)
    path = make_config(events_url=server.url)
    path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 0.2\n")
    data = tmp_path / "data"
    store = EventStore(data)
    record_events(store, sessions=2, per_session=8)          # two visits
    store.close()
    size = sum(p.stat().st_size for p in data.glob("kiosk.db*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    log = tmp_path / "once.log"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(path), "sync", "once"],
                            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    peak_kb = 0
    while proc.poll() is None:
        # VmHWM: the process's own peak since exec (getrusage of a child would include the
        # fork of this big test process).
        try:
            text = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            break
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = max(peak_kb, int(line.split()[1]))
        time.sleep(0.02)
    out = log.read_text()
    assert proc.wait() == 1, out        # still pending: not delivered
    assert "Traceback" not in out, out
    peak_mb = peak_kb / 1024
    grown = sum(p.stat().st_size for p in data.glob("kiosk.db*")) - size
    print(f"daemon peak RSS {peak_mb:.0f} MB, database grew {grown / 1024:.0f} KB")
    assert peak_mb < 150 and grown < 2**20
    assert len(server.requests) >= 2


# ---- the store: blocked rows, ambiguous attempts, dead letters re-queued --------------------

def one_job(store: EventStore) -> Job:
    record_events(store, 1, 1)
    return store.due_heads(10, 1e9)[0]


def test_blocked_answers_do_not_count_against_the_row(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "data")
    job = one_job(store)
    for _ in range(3):
        store.complete([Result(job, Retry("HTTP 302: portal", blocked="behind a captive portal"), 0.0)])
    row = store.db.read("SELECT attempts, state, ambiguous FROM outbox")[0]
    assert (row["attempts"], row["state"], row["ambiguous"]) == (0, "pending", 0)
    assert store.status().blocked == {"events": "behind a captive portal"}
    store.complete([Result(job, Retry("timed out", ambiguous=True), 0.0)])
    job = store.due_heads(10, 1e9)[0]
    assert job.ambiguous and store.status().blocked, "a timeout is not the service answering"
    store.complete([Result(job, Delivered("evt_1"))])
    st = store.status()
    assert st.blocked == {} and st.resent_after_ambiguity == {"event": 1}
    store.close()


def test_retry_dead_sends_dead_letters_again(tmp_path: Path, make_config: Callable[..., Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config()
    cfg_store = EventStore(tmp_path / "data")
    record_events(cfg_store, 2, 2)
    jobs = cfg_store.due_heads(10, 1e9)
    cfg_store.complete([Result(j, Rejected("HTTP 400: no")) for j in jobs])
    assert cfg_store.status().dead == 2
    cfg_store.close()
    assert main(["--config", str(path), "sync", "status"]) == 1
    assert "kiosk sync retry-dead" in capsys.readouterr().out
    assert main(["--config", str(path), "sync", "retry-dead", "--kind", "nonsense"]) == 2
    assert main(["--config", str(path), "sync", "retry-dead", "--kind", "event"]) == 0
    assert "2 event dead letter(s) queued again" in capsys.readouterr().out
    store = EventStore(tmp_path / "data")
    st = store.status()
    assert st.dead == 0 and st.pending_total == 4
    assert store.db.read("SELECT MAX(attempts) FROM outbox WHERE state = 'pending'")[0][0] == 0
    store.close()


def test_once_exits_non_zero_when_it_dead_lettered(tmp_path: Path, make_config: Callable[..., Path],
                                                   hostile: Callable[..., Hostile],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    server = hostile(lambda req, n: response(400, b'{"status": "error", "message": "Invalid session_id"}'))
    path = make_config(events_url=server.url)
    store = EventStore(tmp_path / "data")
    record_events(store, 1, 1)
    store.close()
    assert main(["--config", str(path), "sync", "once"]) == 1
    out = capsys.readouterr().out
    assert "1 dead-lettered, 0 still pending" in out and "retry-dead" in out


def test_status_json_shows_the_network_problem(tmp_path: Path, make_config: Callable[..., Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config()
    store = EventStore(tmp_path / "data")
    job = one_job(store)
    store.complete([Result(job, Retry("HTTP 302", blocked="behind a captive portal or proxy: 302 to "
                                                         "http://portal.example/login (text/html)"), 1.0)])
    store.close()
    assert main(["--config", str(path), "sync", "status"]) == 1
    out = capsys.readouterr().out
    assert "NETWORK        events: behind a captive portal" in out
    assert main(["--config", str(path), "sync", "status", "--json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert "portal.example/login" in rep["blocked"]["events"] and rep["ok"] is False


@pytest.mark.slow
def test_a_storage_failure_pauses_sending_instead_of_resending(
        tmp_path: Path, make_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills while the daemon runs: it must not send the same events again and
    again (it used to, ~5 times a second) and it resumes once writes work again."""
    from kiosk import config
    from kiosk.store import StoreError

    cfg: KioskConfig = config.load(make_config())
    store = EventStore(cfg.store.data_dir)
    record_events(store, 1, 1)
    events = FakeEvents()
    full = {"on": True}

    real_complete, real_probe = store.complete, store.probe_write

    def complete(results: list[Result]) -> None:
        if full["on"]:
            raise StoreError("the data disk is full (database or disk is full)")
        real_complete(results)

    def probe() -> None:
        if full["on"]:
            raise StoreError("the data disk is full")
        real_probe()

    monkeypatch.setattr(store, "complete", complete)
    monkeypatch.setattr(store, "probe_write", probe)
    syncer = Syncer(store, FakeClients(events).senders(), retry_base_s=0.05)
    d = daemon.Daemon(cfg, store, syncer)
    import threading

    t = threading.Thread(target=d.serve)
    t.start()
    try:
        time.sleep(4.0)
        assert 1 <= len(events.calls) <= 3, f"{len(events.calls)} sends while the disk was full"
        full["on"] = False
        deadline = time.monotonic() + 20
        while store.count("pending") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.count("pending") == 0, "did not resume once the disk took writes"
    finally:
        d.stop.set()
        t.join(15)
        syncer.close()
        store.close()
