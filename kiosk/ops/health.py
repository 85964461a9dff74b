"""Is this kiosk well? Heartbeats of the two processes, restart-loop detection, `kiosk status`.

Each process (app, sync) rewrites ``<data_dir>/run/<name>.json`` every ``[health]
heartbeat_s``: pid, version, release, start time and its own figures (camera fps, last frame
age...). Files rather than a socket between the processes: the daemon's monitoring endpoint,
`kiosk status` and install.sh's post-upgrade health check all read the same few bytes, and a
process that hangs simply stops refreshing its file.

The app also keeps the times of its recent starts (``run/app-starts.json``). systemd restarts
a crashed or hung app at once (Restart=always, no start limit); when that happens more than
``restart_limit`` times in ``restart_window_min`` the app opens on the technician's safe
screen (camera off) instead of flapping in front of customers. A clean exit removes its own
start from the list, so restarts by an upgrade or a technician do not count.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sqlite3
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from kiosk import __version__, paths
from kiosk.config import KioskConfig
from kiosk.ops.status import HealthReport, ProcessState, disk, storage
from kiosk.store import damage
from kiosk.store.db import DB_NAME, StoreError, connect, explain
from kiosk.store.outbox import Status, read_status

log = logging.getLogger(__name__)

RUN_DIR = "run"
STARTS_FILE = "app-starts.json"
PROCESSES = ("app", "sync")
MODE_NORMAL = "normal"
MODE_SAFE = "safe"              # restart loop: technician screen, camera off
MODE_CONFIG = "config-problem"  # the config does not validate: technician screen


def release_name(root: Path = paths.PROJECT_ROOT) -> str:
    """`/opt/kiosk/releases/<name>` → name; a checkout is "dev:<path>"."""
    return root.name if root.parent.name == "releases" else f"dev:{root}"


def _write_json(path: Path, data: object) -> None:
    # Rename over the old file so a reader never sees half of it. No fsync: a heartbeat
    # lost in a power cut is rewritten seconds later, and flash storage is spared.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, default=str))
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@dataclass
class Heartbeat:
    """This process's heartbeat file; `beat` never raises (a full disk must not stop the app)."""

    data_dir: Path
    name: str
    started_at: float = field(default_factory=time.time)
    failed: bool = False

    @property
    def path(self) -> Path:
        return Path(self.data_dir) / RUN_DIR / f"{self.name}.json"

    def beat(self, **figures: Any) -> None:
        data = {"name": self.name, "pid": os.getpid(), "version": __version__,
                "release": release_name(), "started_at": self.started_at,
                "updated_at": time.time(), **figures}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_json(self.path, data)
            self.failed = False
        except OSError as e:
            if not self.failed:     # once per outage, not every few seconds
                log.warning("cannot write the %s heartbeat %s: %s", self.name, self.path, e.strerror)
            self.failed = True

    def stopped(self) -> None:
        self.beat(stopped=True)


def read_beats(data_dir: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for name in PROCESSES:
        beat = _read_json(Path(data_dir) / RUN_DIR / f"{name}.json")
        if isinstance(beat, dict):
            out[name] = beat
    return out


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True             # alive, owned by another user (status run as root or not)
    return True


def is_alive(beat: dict[str, Any], heartbeat_s: float, now: float | None = None) -> bool:
    """Fresh (three missed beats is dead) and not stopped; a pid that is gone is dead at once."""
    now = time.time() if now is None else now
    fresh = now - float(beat.get("updated_at", 0)) < 3 * heartbeat_s + 2
    return fresh and not beat.get("stopped") and _pid_alive(beat.get("pid"))


# ---- restart loop -------------------------------------------------------------------------

class RestartHistory:
    def __init__(self, data_dir: Path, window_s: float, limit: int):
        self.path = Path(data_dir) / RUN_DIR / STARTS_FILE
        self.window_s = window_s
        self.limit = limit

    def starts(self, now: float | None = None) -> list[float]:
        now = time.time() if now is None else now
        raw = _read_json(self.path)
        if not isinstance(raw, list):
            return []
        return [float(t) for t in raw if isinstance(t, int | float) and now - self.window_s < t <= now]

    def _save(self, starts: list[float]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_json(self.path, starts)
        except OSError as e:
            log.warning("cannot keep the app's start times in %s: %s", self.path, e.strerror)

    def record_start(self, now: float | None = None) -> list[float]:
        now = time.time() if now is None else now
        starts = [*self.starts(now), now]
        self._save(starts)
        return starts

    def looping(self, starts: list[float]) -> bool:
        return len(starts) > self.limit

    def clean_exit(self, started_at: float, now: float | None = None) -> None:
        self._save([t for t in self.starts(now) if t != started_at])

    def reset(self) -> None:
        self._save([])


# ---- status -------------------------------------------------------------------------------

def outbox_status(data_dir: Path) -> tuple[Status | None, str | None]:
    """(status, None), (None, None) before the first event, or (None, why it cannot be read)."""
    path = Path(data_dir) / DB_NAME
    if not path.exists() or damage.header_verdict(path) is not None:
        return None, None           # a damaged header is damage.problems' to tell
    try:
        conn = connect(path, readonly=True)
        try:
            return read_status(conn, time.time()), None
        finally:
            conn.close()
    except sqlite3.Error as e:
        return None, damage.not_yet_aside(data_dir, str(e)) if damage.is_damage(e) else explain(e)
    except StoreError as e:
        return None, str(e)


def disk_free(data_dir: Path) -> tuple[int, int]:
    d = disk(data_dir, 0)
    return d.free_bytes, d.total_bytes


def low_disk(cfg: KioskConfig) -> bool:
    return disk(cfg.store.data_dir, cfg.store.min_free_mb).low


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    return {"kiosk": __version__, "release": release_name(), "python": platform.python_version(),
            "pyside6": _dist_version("pyside6-essentials"), "mediapipe": _dist_version("mediapipe"),
            "opencv": _dist_version("opencv-contrib-python-headless")}


def build(cfg: KioskConfig, now: float | None = None) -> HealthReport:
    """Everything `kiosk status` and GET /status answer, from files only (cheap)."""
    now = time.time() if now is None else now
    beats = read_beats(cfg.store.data_dir)
    processes = {}
    for name in PROCESSES:
        beat = beats.get(name)
        if beat is None:
            processes[name] = ProcessState(None)
            continue
        running = is_alive(beat, cfg.health.heartbeat_s, now)
        processes[name] = ProcessState(
            beat, running, round(now - float(beat.get("started_at", now)), 1) if running else None,
            round(now - float(beat.get("updated_at", 0)), 1))
    space = disk(cfg.store.data_dir, cfg.store.min_free_mb)
    st, error = outbox_status(cfg.store.data_dir)
    return HealthReport(now, versions(), processes, space, storage(cfg.store.data_dir), st, error,
                        (MODE_SAFE, MODE_CONFIG))


def report(cfg: KioskConfig, now: float | None = None) -> dict[str, Any]:
    """`kiosk status --json` and GET /status."""
    return build(cfg, now).to_json()


def print_report(rep: dict[str, Any]) -> None:
    def age(v: float | None) -> str:
        return "-" if v is None else f"{v:.0f} s" if v < 120 else f"{v / 60:.0f} min" if v < 7200 \
            else f"{v / 3600:.1f} h"

    v = rep["versions"]
    rows = [("version", f"{v['kiosk']} ({v['release']})")]
    for name in PROCESSES:
        p = rep["processes"][name]
        if p["running"]:
            rows.append((name, f"running, pid {p['pid']}, up {age(p['uptime_s'])}, release {p['release']}"
                         + (f", mode {p['mode']}" if p.get("mode") else "")))
        else:
            rows.append((name, "NOT RUNNING" + (f" (last heard {age(p.get('heartbeat_age_s'))} ago)"
                                                 if "heartbeat_age_s" in p else "")))
    fps = rep["camera_fps"]
    rows.append(("camera", "-" if fps is None
                 else f"{fps:.1f} fps, last frame {age(rep['last_frame_age_s'])} ago"))
    rows.append(("pending", f"{rep['pending_total']} ({rep['pending_events']} events), oldest "
                 f"{age(rep['oldest_pending_age_s'])}"))
    rows.append(("last sync", "never" if rep["last_sync_success_age_s"] is None
                 else f"{age(rep['last_sync_success_age_s'])} ago"))
    low = "  LOW" if rep["low_disk"] else ""
    rows.append(("disk free", f"{rep['disk_free_bytes'] / 1024**3:.1f} GB{low}"))
    for k, val in rows:
        print(f"{k:<10} {val}")
    for p in rep["problems"]:
        print(f"PROBLEM    {p}")


def wait_healthy(cfg: KioskConfig, since: float, timeout_s: float, hold_s: float,
                 release: str | None = None) -> tuple[bool, str]:
    """For install.sh after a restart: both processes up, started after `since` (from
    `release` when given), the app not on a technician screen, and still the same processes
    `hold_s` later (a crash loop changes the pid)."""
    deadline = time.monotonic() + timeout_s + hold_s
    seen: dict[str, Any] = {}
    up_since: float | None = None
    last_why = ""
    while True:
        why = _unhealthy(cfg, read_beats(cfg.store.data_dir), since, release, seen)
        now = time.monotonic()
        if why:
            up_since, last_why = None, why
        else:
            up_since = now if up_since is None else up_since
            if now - up_since >= hold_s:
                return True, "app and sync daemon are up"
        if now >= deadline:
            return False, why or last_why or f"up for less than {hold_s:.0f} s"
        time.sleep(1.0)


def _unhealthy(cfg: KioskConfig, beats: dict[str, dict[str, Any]], since: float, release: str | None,
               seen: dict[str, Any]) -> str:
    for name in PROCESSES:
        b = beats.get(name)
        if b is None or float(b.get("started_at", 0)) < since:
            return f"{name} has not started since the upgrade"
        if release and b.get("release") != release:
            return f"{name} runs release {b.get('release')}, not {release}"
        if not is_alive(b, cfg.health.heartbeat_s):
            quiet = time.time() - float(b["updated_at"])
            return f"{name} stopped answering (last heartbeat {quiet:.0f} s ago)"
        if name == "app" and b.get("mode") in (MODE_SAFE, MODE_CONFIG):
            return f"the app is on the technician screen ({b.get('mode')})"
        if seen.setdefault(name, b.get("pid")) != b.get("pid"):
            old = seen.pop(name)
            return f"{name} restarted (pid {old} → {b.get('pid')})"
    return ""
