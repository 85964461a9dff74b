"""One model for what the kiosk says about itself: the data disk, the storage problems, each
process, the outbox, the doctor's checks, and the reports built of them.

Readers: `kiosk status` and GET /status (health.build), `kiosk sync status` (sync.status),
`kiosk doctor` (doctor), the sync daemon's housekeeping and the app's safe screen (Disk).
Each report's `to_json()` is its `--json` answer; those key names and their order are what
monitoring scripts and install.sh parse, so they stay as they were when each report was a dict.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from kiosk.store import damage, datadir
from kiosk.store.kinds import Kind
from kiosk.store.syncstate import Status

Level = Literal["ok", "warn", "fail"]


@dataclass
class Check:
    """One line of `kiosk doctor`."""

    name: str
    status: str  # ok | warn | fail
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorReport:
    checks: list[Check]
    exit_code: int          # 0 well, 1 a (required) check failed, 2 the config does not validate

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


@dataclass(frozen=True)
class Disk:
    """Free space on the data dir's disk; under [store] min_free_mb only undelivered data is kept."""

    free_bytes: int
    total_bytes: int
    min_free_mb: float

    @property
    def low(self) -> bool:
        return self.free_bytes < self.min_free_mb * 1024**2


def disk(data_dir: Path, min_free_mb: float) -> Disk:
    """Raises OSError when not even the nearest existing parent can be looked at."""
    usage = shutil.disk_usage(datadir.existing(data_dir))
    return Disk(usage.free, usage.total, min_free_mb)


@dataclass(frozen=True)
class Storage:
    """What keeps the store from recording, as one line each: a data dir that takes no writes, and
    a damaged database (set aside, or still in use), with the backup to restore."""

    data_dir_problem: str | None
    damage: list[str]

    @property
    def lines(self) -> list[str]:
        return ([self.data_dir_problem] if self.data_dir_problem else []) + self.damage


def storage(data_dir: Path) -> Storage:
    return Storage(datadir.problem_line(data_dir), damage.problems(data_dir))


@dataclass(frozen=True)
class ProcessState:
    """The app or the sync daemon, from its heartbeat file (None: it never wrote one here)."""

    beat: dict[str, Any] | None
    running: bool = False
    uptime_s: float | None = None
    heartbeat_age_s: float | None = None

    def figure(self, key: str) -> Any:
        """A figure of the heartbeat (camera fps...) while the process runs, else None."""
        return self.beat.get(key) if self.running and self.beat is not None else None

    def to_json(self) -> dict[str, Any]:
        if self.beat is None:
            return {"running": False, "note": "never started with this data dir"}
        entry = {k: v for k, v in self.beat.items() if k != "name"}
        entry.update(running=self.running, uptime_s=self.uptime_s, heartbeat_age_s=self.heartbeat_age_s)
        return entry


@dataclass(frozen=True)
class HealthReport:
    """`kiosk status` and GET /status: from files only (cheap)."""

    time: float
    versions: dict[str, str | None]
    processes: dict[str, ProcessState]
    disk: Disk
    storage: Storage
    outbox: Status | None               # None before the first event, or when unreadable
    database_error: str | None
    technician_modes: tuple[str, ...]   # app modes that mean the technician screen

    @property
    def problems(self) -> list[str]:
        out = [f"{name} is not running" for name, p in self.processes.items() if not p.running]
        mode = self.processes["app"].figure("mode")
        if mode in self.technician_modes:
            out.append(f"app is on the technician screen ({mode})")
        if self.disk.low:
            out.append(f"low disk: {self.disk.free_bytes / 1024**2:.0f} MB free "
                       f"(threshold {self.disk.min_free_mb} MB)")
        if self.storage.data_dir_problem:
            out.append(self.storage.data_dir_problem)
        if self.database_error:
            out.append(f"database: {self.database_error}")
        for service, why in (self.outbox.blocked if self.outbox else {}).items():
            out.append(f"{service} cloud not reachable: {why}")
        return out + [f"database: {line}" for line in self.storage.damage]

    def to_json(self) -> dict[str, Any]:
        st, now, app = self.outbox, self.time, self.processes["app"]
        problems = self.problems
        return {
            "time": now,
            "versions": self.versions,
            "processes": {name: p.to_json() for name, p in self.processes.items()},
            "camera_fps": app.figure("camera_fps"),
            "last_frame_age_s": app.figure("last_frame_age_s"),
            "app_mode": app.figure("mode"),
            "disk_free_bytes": self.disk.free_bytes,
            "disk_total_bytes": self.disk.total_bytes,
            "low_disk": self.disk.low,
            "database_error": self.database_error,
            "storage_problem": self.storage.data_dir_problem,
            "database_damage": self.storage.damage,
            "pending_events": st.pending.get(Kind.EVENT, 0) if st else 0,
            "pending_total": st.pending_total if st else 0,
            "oldest_pending_age_s": round(st.oldest_pending_age_s, 1) if st and st.oldest_pending_age_s
            else None,
            "last_sync_success_at": st.last_success_at if st else None,
            "last_sync_success_age_s": round(now - st.last_success_at, 1) if st and st.last_success_at
            else None,
            "last_sync_error": st.last_error if st else None,
            "dead_letters": st.dead if st else 0,
            "network_blocked": dict(st.blocked) if st else {},
            "problems": problems,
            "ok": not problems,
        }


@dataclass(frozen=True)
class SyncReport:
    """`kiosk sync status`: the outbox, and what the outbox cannot say itself (storage)."""

    database: Path
    storage: Storage
    outbox: Status | None = None        # None: no database yet, or `error`
    error: str | None = None            # why the database could not be read

    @property
    def ok(self) -> bool:
        if self.error is not None:
            return False
        if self.outbox is None:
            return not self.storage.lines
        return not self.storage.lines and self.outbox.dead == 0 and not self.outbox.blocked

    def to_json(self) -> dict[str, Any]:
        lines = self.storage.lines
        out: dict[str, Any] = {"database": str(self.database), "ok": self.ok, "storage_problems": lines,
                               "storage_problem": lines[0] if lines else None}
        if self.error is not None:
            return out | {"error": self.error}
        if self.outbox is None:
            return out | {"note": "no events recorded yet", "pending": {}, "pending_total": 0}
        out.update(asdict(self.outbox))
        out["pending_total"] = self.outbox.pending_total
        for key in ("last_success_at", "last_error_at"):
            v = out.get(key)
            out[key.removesuffix("_at") + "_time"] = (
                datetime.fromtimestamp(v, UTC).isoformat(timespec="seconds") if v else None)
        return out
