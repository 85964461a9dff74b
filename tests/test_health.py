"""Heartbeats, `kiosk status`, the local monitoring endpoint, restart-loop detection, db restore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kiosk import config
from kiosk.ops import health
from kiosk.store import DeviceIds, EventStore, maintenance
from kiosk.store.db import LATEST, StoreError
from kiosk.store.events import AttireChanged
from sync.monitor import MonitorServer


def _cfg(make_config: Callable[..., Path], extra: str = "") -> config.KioskConfig:
    path = make_config()
    path.write_text(path.read_text() + extra)
    return config.load(path)


def _record(data_dir: Path, n: int) -> None:
    store = EventStore(data_dir)
    for i in range(n):
        store.record(AttireChanged(attire_id=f"a{i}", attire_name="A", is_original=False),
                     session_id="0b6a3f0e-3c1e-4c41-9a62-0c4f3e8a1d11", ids=DeviceIds("s", "p", "d"))
    store.close()


def test_status_reports_processes_camera_pending_disk(make_config: Callable[..., Path]) -> None:
    cfg = _cfg(make_config)
    _record(cfg.store.data_dir, 3)
    rep = health.report(cfg)
    assert not rep["ok"] and "app is not running" in rep["problems"]
    assert rep["pending_events"] == 3 and rep["oldest_pending_age_s"] is not None
    assert rep["disk_free_bytes"] > 0 and rep["versions"]["kiosk"]

    health.Heartbeat(cfg.store.data_dir, "app").beat(mode="normal", camera_fps=29.7, last_frame_age_s=0.04)
    health.Heartbeat(cfg.store.data_dir, "sync").beat(drains=4)
    rep = health.report(cfg)
    assert rep["ok"], rep["problems"]
    assert rep["camera_fps"] == 29.7 and rep["last_frame_age_s"] == 0.04
    assert rep["processes"]["sync"]["running"] and rep["processes"]["app"]["pid"] == os.getpid()

    # A process that stopped refreshing its file is reported as not running.
    beat = health.read_beats(cfg.store.data_dir)["sync"]
    assert not health.is_alive(beat, cfg.health.heartbeat_s, now=time.time() + 60)
    health.Heartbeat(cfg.store.data_dir, "sync").stopped()
    assert "sync is not running" in health.report(cfg)["problems"]


@pytest.mark.slow
def test_status_cli_json(make_config: Callable[..., Path]) -> None:
    path = make_config()
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(path), "status", "--json"],
                       capture_output=True, text=True, timeout=60)
    rep = json.loads(r.stdout)
    assert r.returncode == 1 and rep["problems"]         # nothing runs in a test
    for key in ("versions", "camera_fps", "last_frame_age_s", "pending_events", "oldest_pending_age_s",
                "disk_free_bytes", "last_sync_success_at"):
        assert key in rep


@pytest.mark.slow
def test_monitor_endpoint_on_loopback(make_config: Callable[..., Path]) -> None:
    cfg = _cfg(make_config)
    mon = MonitorServer(cfg, port=0)
    mon.start()
    try:
        base = f"http://127.0.0.1:{mon.port}"
        assert mon.httpd.server_address[0] == "127.0.0.1"
        r = httpx.get(f"{base}/status")
        assert r.status_code == 200 and "pending_events" in r.json()
        assert httpx.get(f"{base}/healthz").status_code == 503      # no app, no daemon heartbeat
        health.Heartbeat(cfg.store.data_dir, "app").beat(mode="normal")
        health.Heartbeat(cfg.store.data_dir, "sync").beat()
        r = httpx.get(f"{base}/healthz")
        assert r.status_code == 200 and r.json() == {"ok": True, "problems": []}
        assert httpx.get(f"{base}/other").status_code == 404
    finally:
        mon.stop()


def test_low_disk_is_a_problem(make_config: Callable[..., Path]) -> None:
    path = make_config({'data_dir = "': 'min_free_mb = 1000000\ndata_dir = "'})
    cfg = config.load(path)
    assert health.low_disk(cfg)          # a terabyte free is more than this machine has
    assert any(p.startswith("low disk") for p in health.report(cfg)["problems"])


def test_restart_history_counts_only_crashes_in_the_window(tmp_path: Path) -> None:
    h = health.RestartHistory(tmp_path, window_s=600, limit=3)
    now = 1_800_000_000.0
    assert not h.looping(h.record_start(now - 700))    # outside the window by the 4th
    for dt in (300, 200, 100):
        starts = h.record_start(now - dt)
    assert not h.looping(starts)            # 3 in the window: the limit, not over it
    assert h.looping(h.record_start(now))   # the 4th start within 10 minutes
    assert len(h.starts(now)) == 4
    h.clean_exit(now, now)                              # an orderly stop does not count
    assert len(h.starts(now)) == 3 and not h.looping(h.starts(now))
    h.reset()
    assert h.starts(now) == []
    (tmp_path / "run" / "app-starts.json").write_text("not json")
    assert h.starts(now) == []                          # a damaged file is an empty history


@pytest.mark.slow
def test_wait_healthy_needs_both_new_and_steady(make_config: Callable[..., Path]) -> None:
    cfg = _cfg(make_config)
    since = time.time()
    ok, why = health.wait_healthy(cfg, since, timeout_s=0, hold_s=0)
    assert not ok and "has not started" in why
    app = health.Heartbeat(cfg.store.data_dir, "app")
    sync = health.Heartbeat(cfg.store.data_dir, "sync")
    app.beat(mode="safe")
    sync.beat()
    ok, why = health.wait_healthy(cfg, since, timeout_s=0, hold_s=0)
    assert not ok and "technician screen" in why
    app.beat(mode="normal")
    ok, why = health.wait_healthy(cfg, since, timeout_s=0, hold_s=0, release="other-release")
    assert not ok and "not other-release" in why
    ok, why = health.wait_healthy(cfg, since, timeout_s=3, hold_s=1.5)
    assert ok, why

    # A crash loop: the pid changes during the hold.
    def restart_later() -> None:
        time.sleep(0.5)
        data = json.loads(sync.path.read_text())
        data["pid"] = 1             # init: alive, but not the process seen first
        sync.path.write_text(json.dumps(data))

    t = threading.Thread(target=restart_later)
    t.start()
    ok, why = health.wait_healthy(cfg, since, timeout_s=0, hold_s=2.5)
    t.join()
    assert not ok and "restarted" in why


def test_restore_keeps_the_replaced_database(make_config: Callable[..., Path]) -> None:
    cfg = _cfg(make_config)
    data = cfg.store.data_dir
    _record(data, 2)
    backup = maintenance.backup(data, "pre-upgrade")
    assert backup is not None and maintenance.schema(backup) == maintenance.schema(data / "kiosk.db")
    _record(data, 3)
    msg = maintenance.restore(data, backup)
    assert "kept as" in msg
    store = EventStore(data)
    assert store.count("pending") == 2
    store.close()
    replaced = [p for p in (data / "backups").iterdir() if "replaced" in p.name]
    assert len(replaced) == 1
    conn = __import__("sqlite3").connect(replaced[0])
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 5
    conn.close()
    with pytest.raises(StoreError, match="no such backup"):
        maintenance.restore(data, data / "missing.db")
    (data / "junk.db").write_text("not a database at all, really not")
    with pytest.raises(StoreError):
        maintenance.restore(data, data / "junk.db")


@pytest.mark.slow
def test_dry_run_smoke_sends_nothing(make_config: Callable[..., Path], cloud) -> None:  # type: ignore[no-untyped-def]
    from kiosk.harness import simulate
    from sync import dryrun

    cfg = config.load(make_config(events_url=cloud.url + "/", person_url=cloud.url + "/api/"))
    dry = dryrun.run(cfg, sessions=2, record=simulate.run)
    assert dry.ok and dry.events == dry.delivered > 0
    assert all("answers" in line for line in dry.reachability)
    assert cloud.events() == []
    assert not (cfg.store.data_dir / "kiosk.db").exists(), "the store's own database is not touched"


def test_a_backup_is_one_self_contained_file(make_config: Callable[..., Path]) -> None:
    cfg = _cfg(make_config)
    _record(cfg.store.data_dir, 1)
    backup = maintenance.backup(cfg.store.data_dir, "x")
    assert backup is not None and maintenance.schema(backup) == LATEST
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]


HEALTH_KEYS = ["time", "versions", "processes", "camera_fps", "last_frame_age_s", "app_mode",
               "disk_free_bytes", "disk_total_bytes", "low_disk", "database_error", "storage_problem",
               "database_damage", "pending_events", "pending_total", "oldest_pending_age_s",
               "last_sync_success_at", "last_sync_success_age_s", "last_sync_error", "dead_letters",
               "network_blocked", "problems", "ok"]
SYNC_HEAD = ["database", "ok", "storage_problems", "storage_problem"]
SYNC_KEYS = SYNC_HEAD + ["pending", "delivered", "dead", "oldest_pending_age_s", "last_success_at",
                         "last_error", "last_error_at", "dead_letters", "blocked", "blocked_since",
                         "resent_after_ambiguity", "adopted", "pending_total", "last_success_time",
                         "last_error_time"]


def test_status_json_keeps_its_keys_and_their_order(make_config: Callable[..., Path]) -> None:
    """Monitoring scripts and install.sh parse these answers: the typed model (kiosk.ops.status)
    must serialise to the same keys, in the same order, as the dicts it replaced."""
    from sync import status as sync_status

    cfg = _cfg(make_config)
    rep = health.report(cfg)
    never = {"running": False, "note": "never started with this data dir"}
    assert list(rep) == HEALTH_KEYS and rep["processes"]["app"] == never
    assert list(sync_status.status_report(cfg)) == SYNC_HEAD + ["note", "pending", "pending_total"]
    _record(cfg.store.data_dir, 2)
    health.Heartbeat(cfg.store.data_dir, "app").beat(camera_fps=29.5, mode="normal")
    rep = health.report(cfg)
    assert list(rep) == HEALTH_KEYS
    assert list(rep["processes"]["app"]) == ["pid", "version", "release", "started_at", "updated_at",
                                             "camera_fps", "mode", "running", "uptime_s", "heartbeat_age_s"]
    assert rep["app_mode"] == "normal" and rep["problems"] == ["sync is not running"]
    sync = sync_status.status_report(cfg)
    assert list(sync) == SYNC_KEYS and sync["ok"] and sync["pending_total"] == 2
    (cfg.store.data_dir / "kiosk.db").write_bytes(b"not a database" * 100)
    sync = sync_status.status_report(cfg)
    assert list(sync) == SYNC_HEAD + ["error"] and not sync["ok"]
    assert list(health.report(cfg)) == HEALTH_KEYS
