from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk import cli

pytestmark = pytest.mark.slow     # the benchmarks, on the real models


def test_bench_display_reports_its_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Only the report's shape and sanity: speed targets are checked by running the benchmark.
    out = tmp_path / "b.json"
    assert cli.main(["bench", "display", "--seconds", "1", "--json", "--out", str(out)]) == 0
    (report,) = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == [report]
    for key in ("capture_fps", "display_fps", "dropped_frames", "latency_ms_p50",
                "latency_ms_p95", "cpu_percent_of_one_core", "machine"):
        assert key in report
    assert report["capture_fps"] > 0 and report["display_fps"] > 0
    assert report["dropped_frames"] >= 0


def test_bench_sync_drains_everything_it_records() -> None:
    from kiosk.bench.sync import bench_sync

    report = bench_sync(backlog=300, per_session=10, workers=4)
    assert report["delivered"] == report["received_by_devcloud"] == 300
    assert report["left_pending"] == 0
    for key in ("record_events_per_s", "drain_events_per_s", "backlog_drain_s", "disk_commits_per_s"):
        assert report[key] > 0


def test_bench_tryon_reports_every_figure() -> None:
    from kiosk.bench.tryon import bench_tryon

    r = bench_tryon(seconds=1.0)
    assert r["fps_sustained"] > 0 and r["still_head_jitter_px_rms"]["frames"] > 0
    for key in ("track_ms", "composite_ms", "track_plus_composite_ms"):
        assert r[key]["p95"] >= r[key]["p50"] > 0
    assert set(r["capture_ms"]) == {"720p", "1080p"}


def test_bench_face_reports_every_figure() -> None:
    from kiosk.bench.face import bench_face

    r = bench_face(rounds=2)
    assert r["encode_ms"]["p50"] > 0 and r["estimates_ms"]["p50"] > 0
    assert set(r["gallery_match_ms"]) == {"1000", "10000", "100000"}


def test_bench_hands_reports_every_figure() -> None:
    from kiosk.bench.hands import bench_hands

    r = bench_hands(seconds=1.0)
    assert "skipped" not in r, r            # the bundled catalogue has rings and bangles
    for run in ("hand_only", "face_and_hand", "two_hands"):
        assert r[run]["fps_sustained"] > 0 and r[run]["hand_found_pct"] > 50, r[run]
        assert r[run]["hand_total_ms"]["p95"] >= r[run]["hand_total_ms"]["p50"] > 0
    assert r["hand_only"]["two_hands_pct"] == 0
    # The second hand is followed once the side thread has seen it (twice a second).
    assert r["two_hands"]["two_hands_pct"] > 0, r["two_hands"]
