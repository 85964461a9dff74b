"""`script/soak --hours H --speed X`: a store day at X times real speed, measured.

Three real processes, as in a store: the devcloud (flaky: a share of requests fail or lose
their answer), the sync daemon, and the app offscreen on the sample video with the autopilot
(kiosk/harness/autopilot.py) driving visits through its screens: start form, pieces, outfits,
photos, WhatsApp shares, sales. On the way, at fixed points of the day: the cloud goes down
for half an hour (store time), the daemon is killed with SIGKILL and started again 5 s later
(as systemd would), and the camera is unplugged for a minute.

Sampled every few seconds: RSS and open file descriptors of the app and the daemon. At the
end the app is stopped, the daemon drains, and every event the kiosk recorded is looked up in
the cloud by its Idempotency-Key. Tracebacks in either log count as errors.
Writes soak.json, report.md and rss.svg to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk import paths
from kiosk.store.kinds import Kind

WARMUP = 0.15          # the first 15% of the day: caches, models and pools filling up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(work: Path, cloud_port: int, health_port: int) -> Path:
    text = paths.DEMO_CONFIG.read_text()
    text = text.replace("127.0.0.1:8700", f"127.0.0.1:{cloud_port}")
    text = text.replace('source = "../assets/video/sample.mp4"', f'source = "{paths.SAMPLE_VIDEO}"')
    text = text.replace('data_dir = "../var/demo"', f'data_dir = "{work / "data"}"\nmin_free_mb = 50')
    text = text.replace("show_fps = true", "show_fps = false\nidle_timeout_s = 600")
    text = text.replace("[cloud_tryon]", "[cloud_tryon_unused]").split("[cloud_tryon_unused]")[0]
    text += (f"\n[health]\nport = {health_port}\nheartbeat_s = 2\n"
             "\n[sync]\ninterval_s = 2\nretry_base_s = 0.5\nretry_max_s = 20\n")
    path = work / "soak.toml"
    path.write_text(text)
    return path


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str]
    p: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        fh = open(self.log, "ab")  # noqa: SIM115 - the child keeps it
        self.p = subprocess.Popen(self.argv, stdout=fh, stderr=subprocess.STDOUT, env=self.env)
        fh.close()
        self.starts += 1

    def alive(self) -> bool:
        return self.p is not None and self.p.poll() is None

    def stop(self, sig: int = signal.SIGTERM, wait: float = 30.0) -> None:
        if self.alive():
            assert self.p is not None
            self.p.send_signal(sig)
            try:
                self.p.wait(wait)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def _rss_fds(pid: int) -> tuple[float, int] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration, ValueError):
        return None


@dataclass
class Samples:
    t: list[float] = field(default_factory=list)          # store hours
    rss: dict[str, list[float | None]] = field(default_factory=lambda: {"app": [], "sync": []})
    fds: dict[str, list[int | None]] = field(default_factory=lambda: {"app": [], "sync": []})


def _growth(values: list[float | None], t: list[float], hours: float) -> tuple[float | None, float | None]:
    """(median after warm-up, median of the last 15%): steady state against the end."""
    pts = [(x, v) for x, v in zip(t, values, strict=True) if v is not None]
    early = [v for x, v in pts if WARMUP * hours <= x < (WARMUP + 0.15) * hours]
    late = [v for x, v in pts if x >= 0.85 * hours]
    if not early or not late:
        return None, None
    return statistics.median(early), statistics.median(late)


def _events(data: Path, cloud: Path) -> dict[str, int]:
    from kiosk.store import audit
    from sync.devcloud.db import received_keys

    outbox = audit.tally(data)
    ids, delivered, counts = outbox.event_ids, outbox.events_delivered, outbox.by_kind
    seen, repeats = received_keys(cloud)
    return {"recorded": len(ids), "delivered": int(delivered), "in_cloud": len(ids & seen),
            "lost": len(ids - seen), "repeats_absorbed": int(repeats),
            "shares": int(counts.get(Kind.SHARE_SEND, 0)), "uploads": int(counts.get(Kind.IMAGE_UPLOAD, 0)),
            "persons": int(counts.get(Kind.PERSON_CREATE, 0))}


def _errors(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [ln for ln in lines if "Traceback" in ln or " ERROR " in ln or ln.startswith("ERROR")]


def _svg(s: Samples, hours: float) -> str:
    w, h, left, bottom, pad = 720, 300, 60, 30, 24
    top = max((v for vals in s.rss.values() for v in vals if v is not None), default=1.0) * 1.15
    def px(x: float) -> float:
        return left + x / hours * (w - left - pad)
    def py(y: float) -> float:
        return h - bottom - y / top * (h - bottom - pad)
    def xy(x: float, y: float) -> str:
        return f"{px(x):.1f},{py(y):.1f}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
           'font-size="11"><rect width="100%" height="100%" fill="white"/>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - pad}" y2="{h - bottom}" stroke="#888"/>',
           f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{h - bottom}" stroke="#888"/>']
    for i in range(5):
        y = top * i / 4
        out.append(f'<text x="4" y="{py(y) + 4:.1f}">{y:.0f} MB</text>')
    for i in range(int(hours) + 1):
        out.append(f'<text x="{px(i) - 8:.1f}" y="{h - 12}">{i} h</text>')
    for name, colour in (("app", "#b8860b"), ("sync", "#2a6f8e")):
        pts = " ".join(xy(x, v) for x, v in zip(s.t, s.rss[name], strict=True) if v is not None)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}"/>')
        out.append(f'<text x="{w - 120}" y="{24 if name == "app" else 40}" fill="{colour}">{name} RSS</text>')
    out.append("</svg>")
    return "\n".join(out)


def run(hours: float, speed: float, out: Path, visits_per_hour: float, sample_s: float) -> int:
    real_s = hours * 3600 / speed
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    cloud_port, health_port = _free_port(), _free_port()
    cfg = _config(work, cloud_port, health_port)
    kiosk = [sys.executable, "-m", "kiosk.cli"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_SHARE__LAN_PORT="0", PYTHONUNBUFFERED="1")
    for k in ("KIOSK_CONFIG", "NOTIFY_SOCKET", "WATCHDOG_USEC"):
        env.pop(k, None)
    cloud = Proc("devcloud", [*kiosk, "devcloud", "--port", str(cloud_port),
                              "--data-dir", str(work / "cloud"),
                              "--fail-rate", "0.05", "--drop-rate", "0.02", "--slow-ms", "20", "--seed", "1"],
                 work / "devcloud.log", env)
    daemon = Proc("sync", [*kiosk, "--config", str(cfg), "sync", "run"], work / "sync.log", env)
    unplug_at = 0.65 * real_s
    app_env = dict(env, KIOSK_AUTOPILOT=f"{visits_per_hour}:{speed}",
                   KIOSK_AUTOPILOT_UNPLUG=f"{unplug_at:.0f}:{max(3.0, 60 / speed):.0f}")
    app = Proc("app", [*kiosk, "--config", str(cfg), "app"], work / "app.log", app_env)
    incidents: list[str] = []
    samples = Samples()
    print(f"soak: {hours} store hours at {speed}x = {real_s / 60:.1f} min; work dir {work}", flush=True)
    cloud.start()
    time.sleep(2)
    daemon.start()
    app.start()
    t0 = time.monotonic()
    outage = (0.25 * real_s, 0.25 * real_s + max(5.0, 1800 / speed))
    kill_at, restart_daemon_at = 0.5 * real_s, None
    cloud_down = killed = False
    try:
        while (now := time.monotonic() - t0) < real_s:
            if not cloud_down and outage[0] <= now < outage[1]:
                cloud.stop()
                cloud_down = True
                incidents.append(f"{now * speed / 3600:.2f} h: cloud down for {1800 / 60:.0f} store min")
            elif cloud_down and now >= outage[1]:
                cloud.start()
                cloud_down = False
            if not killed and now >= kill_at:
                daemon.stop(signal.SIGKILL)
                killed, restart_daemon_at = True, now + 5
                incidents.append(f"{now * speed / 3600:.2f} h: sync daemon killed (SIGKILL), "
                                 "restarted after 5 s")
            if restart_daemon_at is not None and now >= restart_daemon_at:
                daemon.start()
                restart_daemon_at = None
            if not app.alive():
                rc = app.p.returncode if app.p else "?"
                incidents.append(f"{now * speed / 3600:.2f} h: APP EXITED (rc {rc})")
                break
            samples.t.append(now * speed / 3600)
            for proc in (app, daemon):
                got = _rss_fds(proc.p.pid) if proc.p is not None and proc.alive() else None
                samples.rss[proc.name].append(got[0] if got else None)
                samples.fds[proc.name].append(got[1] if got else None)
            time.sleep(sample_s)
        incidents.append(f"{unplug_at * speed / 3600:.2f} h: camera unplugged for 1 store min")
        app.stop()
        if cloud_down:
            cloud.start()
        if not daemon.alive():
            daemon.start()
        drain_deadline = time.monotonic() + 120
        while time.monotonic() < drain_deadline:
            st = subprocess.run([*kiosk, "--config", str(cfg), "status", "--json"], capture_output=True,
                                text=True, env=env)
            try:
                if json.loads(st.stdout)["pending_total"] == 0:
                    break
            except (ValueError, KeyError):
                pass
            time.sleep(2)
    finally:
        for proc in (app, daemon, cloud):
            proc.stop()
    incidents.sort(key=lambda i: float(i.split(" h:")[0]))
    ev = _events(work / "data", work / "cloud")
    report: dict[str, Any] = {"hours": hours, "speed": speed, "real_minutes": round(real_s / 60, 1),
                              "visits_per_hour": visits_per_hour, "events": ev, "incidents": incidents,
                              "daemon_starts": daemon.starts, "app_starts": app.starts, "processes": {}}
    ok = ev["lost"] == 0 and ev["recorded"] > 0
    for name in ("app", "sync"):
        rss0, rss1 = _growth(samples.rss[name], samples.t, hours)
        fd0, fd1 = _growth([float(v) if v is not None else None for v in samples.fds[name]], samples.t, hours)
        errors = _errors(work / f"{name}.log")
        growth = None if not rss0 or rss1 is None else round(100 * (rss1 - rss0) / rss0, 1)
        report["processes"][name] = {
            "rss_mb_after_warmup": rss0, "rss_mb_at_end": rss1, "rss_growth_pct": growth,
            "fds_after_warmup": fd0, "fds_at_end": fd1, "errors": len(errors), "first_errors": errors[:5]}
        ok = ok and not errors
        # The targets (RSS growth < 10 %, no fd growth) mean something only over a long run.
        report["processes"][name]["targets_met"] = (growth is not None and growth < 10
                                                    and fd0 is not None and fd1 is not None and fd1 <= fd0)
    report["ok"] = ok
    report["samples"] = asdict(samples)
    (out / "soak.json").write_text(json.dumps(report, indent=1))
    (out / "rss.svg").write_text(_svg(samples, hours))
    (out / "report.md").write_text(_markdown(report))
    print(_markdown(report), flush=True)
    print(f"soak: logs kept in {work}", flush=True)
    return 0 if ok else 1


def _markdown(r: dict[str, Any]) -> str:
    ev = r["events"]
    lines = [f"# Soak: {r['hours']} store hours at {r['speed']}x ({r['real_minutes']} min real)", "",
             f"Visits driven through the app's screens: about {r['visits_per_hour']} per store hour.", "",
             "| process | RSS after warm-up | RSS at end | growth | fds after warm-up | fds at end"
             " | errors | RSS growth < 10 %, no fd growth |",
             "|---|---|---|---|---|---|---|---|"]
    for name, p in r["processes"].items():
        def num(v: float | None, unit: str = "") -> str:
            return "-" if v is None else f"{v:.0f}{unit}"
        lines.append(f"| {name} | {num(p['rss_mb_after_warmup'], ' MB')} | "
                     f"{num(p['rss_mb_at_end'], ' MB')} | "
                     f"{'-' if p['rss_growth_pct'] is None else str(p['rss_growth_pct']) + ' %'} | "
                     f"{num(p['fds_after_warmup'])} | {num(p['fds_at_end'])} | {p['errors']} | "
                     f"{'yes' if p.get('targets_met') else 'no'} |")
    lines += ["", f"Events recorded {ev['recorded']}, delivered {ev['delivered']}, found in the cloud "
              f"{ev['in_cloud']}, **lost {ev['lost']}**; duplicates absorbed by Idempotency-Key "
              f"{ev['repeats_absorbed']}. Photos uploaded {ev['uploads']}, WhatsApp sends {ev['shares']}, "
              f"face records {ev['persons']}.", "", "Incidents:", *[f"- {i}" for i in r["incidents"]], "",
              f"Result: {'OK' if r['ok'] else 'FAILED'}", "", "![RSS over the day](rss.svg)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="script/soak", description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=float, default=8.0, help="store hours to simulate")
    ap.add_argument("--speed", type=float, default=20.0, help="times real time")
    ap.add_argument("--visits-per-hour", type=float, default=8.0)
    ap.add_argument("--sample-s", type=float, default=5.0, help="real seconds between samples")
    ap.add_argument("--out", type=Path, default=Path("var/soak"))
    a = ap.parse_args(argv)
    return run(a.hours, a.speed, a.out, a.visits_per_hour, a.sample_s)


if __name__ == "__main__":
    sys.exit(main())
