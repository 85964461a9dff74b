"""`kiosk bench`: the runner, and the display benchmark (capture -> pipeline -> Qt paint)."""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from kiosk import paths
from kiosk.bench.stats import machine, percentile


def bench_display(seconds: float, video: Path = paths.SAMPLE_VIDEO,
                  size: tuple[int, int] = (1280, 800), warmup_s: float = 1.0) -> dict[str, Any]:
    """Sample video → capture thread → pipeline worker → Qt paint, as `kiosk app --demo` runs."""
    from PySide6.QtCore import QEventLoop, QTimer

    from kiosk.capture import VideoFileSource
    from kiosk.ui.app import create_app
    from kiosk.ui.live import LivePipeline
    from kiosk.ui.live_view import LiveView

    app = create_app()
    view = LiveView(mirror=True, show_stats=True)
    view.resize(*size)
    view.show()
    live = LivePipeline(VideoFileSource(video), view)
    live.start()

    def spin(s: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(s * 1000), loop.quit)
        loop.exec()

    spin(warmup_s)
    c0, p0, d0 = live.capture.stats().frames, view.painted, live.frames.dropped + live.results.dropped
    lat0 = len(view.latencies_ms)
    ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    spin(seconds)
    elapsed = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    c1, p1, d1 = live.capture.stats().frames, view.painted, live.frames.dropped + live.results.dropped
    lat = view.latencies_ms[lat0:]
    live.stop()
    view.close()
    app.processEvents()
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {
        "bench": "display",
        "source": f"{video.name} (looped, paced at its own rate)",
        "window": f"{size[0]}x{size[1]}",
        "seconds": round(elapsed, 2),
        "capture_fps": round((c1 - c0) / elapsed, 2),
        "display_fps": round((p1 - p0) / elapsed, 2),
        "dropped_frames": d1 - d0,
        "latency_ms_p50": round(statistics.median(lat), 2) if lat else None,
        "latency_ms_p95": round(percentile(lat, 95), 2) if lat else None,
        "cpu_percent_of_one_core": round(100 * cpu / elapsed, 1),
        "max_rss_mb": round(ru1.ru_maxrss / 1024, 1),
        "machine": machine(),
    }


def _print_human(report: dict[str, Any]) -> None:
    print(f"[{report['bench']}]")
    for k, v in report.items():
        if k not in ("bench", "machine"):
            print(f"  {k:26} {v}")
    print(f"  {'machine':26} {report['machine']}")


def main(what: str, seconds: float, as_json: bool, out: Path | None) -> int:
    reports = []
    if what in ("display", "all"):
        reports.append(bench_display(seconds))
    if what in ("tryon", "all"):
        from kiosk.bench.tryon import bench_tryon

        report = bench_tryon(seconds)
        report["machine"] = machine()
        reports.append(report)
        from kiosk.bench.hands import bench_hands

        report = bench_hands(seconds)
        report["machine"] = machine()
        reports.append(report)
    if what in ("face", "all"):
        from kiosk.bench.face import bench_face

        report = bench_face()
        report["machine"] = machine()
        reports.append(report)
    if what in ("sync", "all"):
        from kiosk.bench.sync import bench_sync

        report = bench_sync()
        report["machine"] = machine()
        reports.append(report)
    if as_json:
        json.dump(reports, sys.stdout, indent=2)
        print()
    else:
        for r in reports:
            _print_human(r)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(reports, indent=2) + "\n")
    return 0
