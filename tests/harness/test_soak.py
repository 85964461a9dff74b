"""The soak's short form (CI): a quarter store hour at 20x with every incident, nothing lost.

The real 8-hour figures are in docs/soak/ (script/soak --hours 8 --speed 20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.harness import soak

pytestmark = pytest.mark.slow     # a short soak of the whole app


def test_short_soak_loses_nothing(tmp_path: Path) -> None:
    rc = soak.run(hours=0.3, speed=20, out=tmp_path, visits_per_hour=12, sample_s=2)
    report = json.loads((tmp_path / "soak.json").read_text())
    ev = report["events"]
    assert ev["recorded"] > 0 and ev["lost"] == 0 and ev["delivered"] == ev["recorded"], ev
    incidents = " ".join(report["incidents"])
    assert "killed" in incidents and "cloud down" in incidents and "camera unplugged" in incidents
    assert report["daemon_starts"] == 2        # started, killed, started again by the soak
    for name in ("app", "sync"):
        assert report["processes"][name]["errors"] == 0, report["processes"][name]["first_errors"]
    assert rc == 0
    assert (tmp_path / "rss.svg").read_text().startswith("<svg")
    assert "lost 0" in (tmp_path / "report.md").read_text()
