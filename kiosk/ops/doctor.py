"""`kiosk doctor`: what a technician checks first, as a table or as JSON.

Each check returns ok / warn / fail with a one-line detail a person can act on.
Exit status: 0 when nothing failed, 1 otherwise, 2 when the config itself is broken.
"""

from __future__ import annotations

import ctypes.util
import email.utils
import glob
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from kiosk import config as config_mod
from kiosk.ops.status import Check, DoctorReport, disk
from kiosk.store import datadir
from kiosk.store.db import time_bare_commits

MIN_FREE_BYTES_WARN = 2 * 1024**3
MIN_FREE_BYTES_FAIL = 200 * 1024**2
MAX_CLOCK_SKEW_S = 120.0
EARLIEST_SANE_TIME = 1_735_689_600  # 2025-01-01: a clock before this has never been set


def _measure_fps(source_kind: str, value: str, cfg: config_mod.KioskConfig,
                 seconds: float) -> tuple[float, tuple[int, int]]:
    from kiosk.capture import open_source

    src = open_source(source_kind, value, cfg.camera.width, cfg.camera.height, cfg.camera.fps)
    src.open()
    try:
        img = src.read()  # first frame often takes longer (auto-exposure): not counted
        n, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < seconds:
            img = src.read()
            n += 1
        return n / (time.monotonic() - t0), (int(img.shape[1]), int(img.shape[0]))
    finally:
        src.close()


def check_cameras(cfg: config_mod.KioskConfig, seconds: float) -> list[Check]:
    from kiosk.capture import SourceError

    checks = []
    kind = config_mod.camera_kind(cfg.camera.source)
    devices = sorted(glob.glob("/dev/video*"))
    if kind != "camera":
        try:
            fps, size = _measure_fps(kind, cfg.camera.source, cfg, seconds)
            checks.append(Check("camera", "ok", f"configured source is a {kind} file: "
                                f"{Path(cfg.camera.source).name} {size[0]}x{size[1]} at {fps:.1f} fps",
                                {"kind": kind, "fps": round(fps, 1), "size": list(size)}))
        except SourceError as e:
            checks.append(Check("camera", "fail", str(e), {"kind": kind}))
    found: list[dict[str, Any]] = []
    for dev in devices:
        try:
            fps, size = _measure_fps("camera", dev, cfg, seconds)
            found.append({"device": dev, "fps": round(fps, 1), "size": list(size)})
        except SourceError:
            continue  # metadata nodes of UVC cameras do not deliver frames
    if kind == "camera":
        want = cfg.camera.source
        mine = [f for f in found if f["device"] == want or f["device"] == f"/dev/video{want}"]
        if not mine:
            checks.append(Check("camera", "fail", f"configured camera {want} gives no frames"
                                f" ({len(found)} working camera(s) found)", {"cameras": found}))
        else:
            c = mine[0]
            low = c["fps"] < 0.8 * cfg.camera.fps
            checks.append(Check("camera", "warn" if low else "ok",
                                f"{c['device']} {c['size'][0]}x{c['size'][1]} at {c['fps']} fps"
                                + (" (below the configured rate: light? USB bandwidth?)" if low else ""),
                                {"cameras": found}))
    else:
        checks.append(Check("cameras", "ok" if found else "warn",
                            f"{len(found)} working camera(s): "
                            + (", ".join(f"{f['device']} {f['fps']} fps" for f in found) or "none"),
                            {"cameras": found}))
    return checks


def check_display() -> Check:
    wayland, x11 = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
    qpa = os.environ.get("QT_QPA_PLATFORM")
    data = {"wayland": wayland, "x11": x11, "qt_qpa_platform": qpa}
    if qpa == "offscreen":
        return Check("display", "warn", "QT_QPA_PLATFORM=offscreen: nothing is shown", data)
    if wayland or x11:
        return Check("display", "ok", f"wayland={wayland or '-'} x11={x11 or '-'}", data)
    return Check("display", "warn", "no display session here (normal over ssh; the app runs under "
                 "cage from kiosk-app.service)", data)


def check_gpu() -> Check:
    dri = sorted(glob.glob("/dev/dri/renderD*")) + sorted(glob.glob("/dev/dri/card*"))
    egl = ctypes.util.find_library("EGL")
    data = {"dri_devices": dri, "libEGL": egl}
    if dri and egl:
        return Check("gpu", "ok", f"{', '.join(dri)}; libEGL {egl}", data)
    if egl:
        return Check("gpu", "warn", "libEGL present but no /dev/dri device: software rendering", data)
    return Check("gpu", "warn", "no EGL library (apt install libegl1): software rendering only", data)


def check_render(hfov_deg: float) -> Check:
    """The 3D pieces need an OpenGL 3.3 context over EGL (Mesa's llvmpipe without a GPU)."""
    from kiosk.render.context import RenderUnavailable, probe

    data: dict[str, Any] = {"hfov_deg": hfov_deg}
    try:
        what = probe()
    except RenderUnavailable as e:
        data["error"] = e.reason
        return Check("render", "warn", f"no OpenGL context: 3D pieces are drawn as pre-rendered sprites "
                     f"({e.reason})", data)
    data["context"] = what
    return Check("render", "ok", f"3D pieces: {what}; camera field of view {hfov_deg:g} deg "
                 "([camera] hfov_deg)", data)


def check_disk(data_dir: Path) -> Check:
    probe = datadir.existing(data_dir)
    usage = disk(data_dir, 0)
    data = {"path": str(data_dir), "free_bytes": usage.free_bytes, "total_bytes": usage.total_bytes}
    free_gb = usage.free_bytes / 1024**3
    if usage.free_bytes < MIN_FREE_BYTES_FAIL:
        return Check("disk", "fail", f"only {free_gb:.2f} GB free at {probe}", data)
    if usage.free_bytes < MIN_FREE_BYTES_WARN:
        return Check("disk", "warn", f"{free_gb:.1f} GB free at {probe}", data)
    return Check("disk", "ok", f"{free_gb:.1f} GB free at {probe}", data)


def check_sqlite(data_dir: Path) -> Check:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-", suffix=".db") as tmp:
            time_bare_commits(Path(tmp.name), 1)
            for suffix in ("-wal", "-shm"):
                Path(tmp.name + suffix).unlink(missing_ok=True)
        return Check("sqlite", "ok", f"WAL database writable in {data_dir}",
                     {"path": str(data_dir), "sqlite": sqlite3.sqlite_version})
    except (OSError, sqlite3.Error) as e:
        return Check("sqlite", "fail", f"cannot write a database in {data_dir}: {e}",
                     {"path": str(data_dir)})


def _reach(client: httpx.Client, name: str, url: str) -> tuple[Check, float | None]:
    try:
        r = client.get(url)
    except httpx.HTTPError as e:
        return Check(name, "fail", f"{url} unreachable: {type(e).__name__}: {e}", {"url": url}), None
    skew = None
    date = r.headers.get("date")
    if date:
        try:
            skew = time.time() - email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            skew = None
    return Check(name, "ok", f"{url} answers (HTTP {r.status_code})",
                 {"url": url, "status_code": r.status_code}), skew


def check_cloud(cfg: config_mod.KioskConfig) -> tuple[list[Check], list[float]]:
    checks, skews = [], []
    with httpx.Client(timeout=min(cfg.cloud.timeout_s, 5.0)) as client:
        for name, url in (("events_api", str(cfg.cloud.events_url)),
                          ("person_api", str(cfg.cloud.person_url))):
            check, skew = _reach(client, name, url)
            checks.append(check)
            if skew is not None:
                skews.append(skew)
    return checks, skews


def check_clock(skews: list[float]) -> Check:
    now = time.time()
    data: dict[str, Any] = {"unix_time": round(now, 3), "skew_vs_cloud_s": None}
    if now < EARLIEST_SANE_TIME:
        return Check("clock", "fail", f"system clock reads {time.ctime(now)}: never set (NTP?)", data)
    if skews:
        skew = max(skews, key=abs)
        data["skew_vs_cloud_s"] = round(skew, 1)
        if abs(skew) > MAX_CLOCK_SKEW_S:
            return Check("clock", "warn", f"{skew:+.0f} s off the cloud's clock", data)
        return Check("clock", "ok", f"{time.ctime(now)} ({skew:+.1f} s vs cloud)", data)
    return Check("clock", "ok", f"{time.ctime(now)} (cloud clock not reachable to compare)", data)


def run_checks(cfg: config_mod.KioskConfig, probe_seconds: float = 1.0) -> list[Check]:
    checks = check_cameras(cfg, probe_seconds)
    checks += [check_display(), check_gpu(), check_render(cfg.camera.hfov_deg),
               check_disk(cfg.store.data_dir), check_sqlite(cfg.store.data_dir)]
    cloud, skews = check_cloud(cfg)
    checks.append(check_clock(skews))
    return checks + cloud


def main(config_path: Path | None, as_json: bool, probe_seconds: float,
         require: list[str] | None = None) -> int:
    """`require`: only these checks decide the exit status (install.sh gates an upgrade on
    config, disk and sqlite; a missing camera or an offline cloud must not block it)."""
    try:
        cfg = config_mod.load(config_path)
    except config_mod.ConfigError as e:
        checks = [Check("config", "fail", str(p), {"key": p.key}) for p in e.problems]
        rc = 2
    else:
        checks = [Check("config", "ok", str(config_mod.resolve_path(config_path)))]
        checks += run_checks(cfg, probe_seconds)
        rc = 1 if any(c.status == "fail" and (not require or c.name in require) for c in checks) else 0
    report = DoctorReport(checks, rc)
    if as_json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        print()
    else:
        width = max(len(c.name) for c in report.checks)
        for c in report.checks:
            print(f"{c.name:<{width}}  {c.status.upper():<4}  {c.detail}")
    return report.exit_code
