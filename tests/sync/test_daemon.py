"""`kiosk sync run|once|status`: lock, wake-up latency, exit codes, status output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore
from kiosk.store.events import AttireChanged
from kiosk.store.outbox import KINDS
from sync import daemon
from tests.fakes.cloud import FakeClients
from tests.helpers.cloud import LiveCloud
from tests.helpers.sync import ROOT, spawn_daemon

IDS = DeviceIds("store_1", "seller_1", "ipad_1")


def cfg_path(cfg: KioskConfig) -> Path:
    return cfg.store.data_dir.parent / "kiosk.toml"


@pytest.mark.slow
def test_daemon_delivers_within_two_seconds_of_recording(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], tmp_path: Path) -> None:
    cfg = cloud_config(interval_s=30)         # the periodic tick cannot be what delivers it
    store = EventStore(cfg.store.data_dir)
    proc = spawn_daemon(cfg_path(cfg), tmp_path / "d.log")
    try:
        time.sleep(1.5)                        # started and idle
        latencies = []
        for _ in range(5):
            t0 = time.monotonic()
            key = store.record(AttireChanged(attire_id="a", attire_name="A", is_original=True),
                               session_id=str(uuid.uuid4()), ids=IDS)
            while key not in {e["idempotency_key"] for e in cloud.events()}:
                assert time.monotonic() - t0 < 5, (tmp_path / "d.log").read_text()
                time.sleep(0.02)
            latencies.append(time.monotonic() - t0)
            time.sleep(0.3)
        assert max(latencies) <= 2.0, latencies
        # A second daemon on the same data dir is refused.
        second = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path(cfg)),
                                 "sync", "run"], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1 and "another sync daemon" in second.stderr
    finally:
        proc.terminate()
        assert proc.wait(15) == 0             # SIGTERM: clean stop


@pytest.mark.slow
def test_once_exit_codes_and_status(cloud: LiveCloud, cloud_config: Callable[..., KioskConfig],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    cfg = cloud_config()
    path = str(cfg_path(cfg))
    assert main(["--config", path, "sync", "status"]) == 0
    assert "no events recorded yet" in capsys.readouterr().out
    store = EventStore(cfg.store.data_dir)
    for _ in range(3):
        store.record(AttireChanged(attire_id="a", attire_name="A", is_original=True),
                     session_id=str(uuid.uuid4()), ids=IDS)
    store.close()
    cloud.faults.update({"down": True})
    assert main(["--config", path, "sync", "once"]) == 1
    out = capsys.readouterr().out
    assert "3 still pending" in out and "HTTP 503" in out
    assert main(["--config", path, "sync", "status", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["pending"] == {k: 0 for k in KINDS} | {"event": 3}
    assert rep["pending_total"] == 3 and rep["oldest_pending_age_s"] >= 0
    assert rep["last_success_at"] is None and "HTTP 503" in rep["last_error"]
    assert rep["dead"] == 0 and rep["dead_letters"] == [] and rep["storage_problem"] is None
    cloud.faults.update({"down": False})
    assert main(["--config", path, "sync", "once"]) == 0
    assert "3 delivered" in capsys.readouterr().out
    assert main(["--config", path, "sync", "status"]) == 0
    text = capsys.readouterr().out
    assert "pending        0" in text and "delivered      3" in text and "last success" in text


def test_sync_with_a_broken_config_names_the_key(make_config: Callable[..., Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config(replace={'events_url = "http://127.0.0.1:9/"': 'events_url = "nope"'})
    assert main(["--config", str(path), "sync", "status"]) == 2
    assert "cloud.events_url" in capsys.readouterr().err


def test_sync_status_names_a_data_dir_that_takes_no_writes(
        make_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.store import datadir

    path = make_config()
    assert main(["--config", str(path), "sync", "status"]) == 0
    monkeypatch.setattr(datadir, "problem", lambda data_dir: "read-only file system")
    assert main(["--config", str(path), "sync", "status"]) == 1
    assert "STORAGE        data dir " in capsys.readouterr().out
    assert main(["--config", str(path), "sync", "status", "--json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert "read-only file system" in rep["storage_problem"] and rep["ok"] is False


@pytest.mark.slow
def test_daemon_tells_systemd_it_is_ready_and_pets_the_watchdog(
        cloud: LiveCloud, cloud_config: Callable[..., KioskConfig], tmp_path: Path) -> None:
    import os
    import socket

    cfg = cloud_config()
    sock_path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        sock.settimeout(10)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env |= {"NOTIFY_SOCKET": str(sock_path), "WATCHDOG_USEC": "400000"}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path(cfg)),
                                 "sync", "run"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            got: list[str] = []
            while not any("WATCHDOG=1" in m for m in got):
                got.append(sock.recv(4096).decode())
            assert got[0].startswith("READY=1")
        finally:
            proc.terminate()
            proc.wait(15)


def test_housekeeping_job_frees_delivered_photos_at_once_when_the_disk_is_low(
        make_config: Callable[..., Path]) -> None:
    from kiosk import config
    from kiosk.ops import health
    from kiosk.store import shares
    from kiosk.store.outbox import Result
    from kiosk.store.outcomes import Delivered

    cfg = config.load(make_config({'data_dir = "': 'min_free_mb = 1000000\ndata_dir = "'}))
    store = EventStore(cfg.store.data_dir)
    clients = FakeClients()             # the sweep is tested here: nothing is sent
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        jpeg = b"\xff\xd8" + b"\0" * 64
        sent = shares.create(store, session_id=str(uuid.uuid4()), jpeg=jpeg, jewelry=("p", "P", None),
                             link_days=7, upload={})
        waiting = shares.create(store, session_id=str(uuid.uuid4()), jpeg=jpeg, jewelry=("p", "P", None),
                                link_days=7, upload={})
        store.record(AttireChanged(attire_id="a", attire_name="A", is_original=False),
                     session_id=str(uuid.uuid4()), ids=DeviceIds("s", "p", "d"))
        jobs = [j for j in store.due_heads(10, 0) if j.stream == f"share:{sent.token}"]
        store.complete([Result(j, Delivered('{"image_url": "u", "page_url": "p"}')) for j in jobs])
        d = daemon.Daemon(cfg, store, syncer)
        d._housekeeping_job()
        assert d.low_disk and "1 delivered photo" in d.last_sweep_summary
        assert not sent.image.exists() and waiting.image.exists()
        assert store.count("pending") == 2          # the waiting upload and the event: never dropped
        d._beat()
        beat = health.read_beats(cfg.store.data_dir)["sync"]
        assert beat["low_disk"] is True and "delivered photo" in beat["housekeeping"]
    finally:
        syncer.close()
        clients.close()
        store.close()


@pytest.mark.slow
def test_two_quick_signals_stop_the_daemon_cleanly(make_config: Callable[..., Path], tmp_path: Path) -> None:
    """`timeout` or Ctrl-C sends a second signal while the first is handled: the handler must
    not write to the log (a reentrant write to stderr raised inside logging)."""
    import signal

    path = make_config()
    text = ""
    for i in range(3):
        log = tmp_path / f"d{i}.log"
        log.touch()
        proc = spawn_daemon(path, log)
        deadline = time.monotonic() + 20
        while "sync daemon running" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        text += log.read_text()
    assert "reentrant" not in text and "Traceback" not in text, text
    assert "stopped after the current request" in text
