"""script/demo as a user stops it: every process it started goes, whole trees included."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kiosk import paths

# Stands in for the kiosk CLI: each long-running command leaves a child behind, as the real
# app (under xvfb-run) and the devcloud do, and records every pid it made.
FAKE_KIOSK = """#!/usr/bin/env bash
for a in "$@"; do [[ $a == --help ]] && exit 0; done
sleep 300 &
echo $! >> "$FAKE_PIDS"
echo $$ >> "$FAKE_PIDS"
wait
"""
# xvfb-run runs its command as a child next to an Xvfb server, not by exec.
FAKE_XVFB_RUN = """#!/usr/bin/env bash
while [[ $1 == -* ]]; do [[ $1 == -s ]] && shift; shift; done
sleep 300 &
echo $! >> "$FAKE_PIDS"
echo $$ >> "$FAKE_PIDS"
"$@"
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not reaped it yet.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][0] != "Z"


def _project(tmp: Path) -> Path:
    root = tmp / "project"
    (root / "script").mkdir(parents=True)
    shutil.copy(paths.PROJECT_ROOT / "script" / "demo", root / "script" / "demo")
    (root / "script" / "setup").write_text("#!/bin/sh\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "kiosk").write_text(FAKE_KIOSK)
    bin_ = tmp / "bin"
    bin_.mkdir()
    (bin_ / "xvfb-run").write_text(FAKE_XVFB_RUN)
    for f in (root / "script" / "demo", root / "script" / "setup", root / ".venv" / "bin" / "kiosk",
              bin_ / "xvfb-run"):
        f.chmod(0o755)
    return root


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_stops_everything_it_started(tmp_path: Path, sig: signal.Signals) -> None:
    root = _project(tmp_path)
    pids_file = tmp_path / "pids"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{tmp_path / 'bin'}:{env['PATH']}", FAKE_PIDS=str(pids_file))
    demo = subprocess.Popen(["bash", str(root / "script" / "demo")], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        # devcloud, sync daemon and the app under xvfb-run: 2 pids each, 2 for xvfb-run.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if pids_file.exists() and len(pids_file.read_text().split()) >= 8:
                break
            time.sleep(0.1)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert len(pids) == 8, pids
        demo.send_signal(sig)
        out, _ = demo.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(map(_alive, pids)):
            time.sleep(0.1)
        assert not [p for p in pids if _alive(p)], out
        assert demo.returncode != 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        for p in (int(x) for x in pids_file.read_text().split()) if pids_file.exists() else ():
            if _alive(p):
                os.kill(p, signal.SIGKILL)
