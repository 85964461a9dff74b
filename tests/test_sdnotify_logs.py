from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from kiosk.ops import logs, sdnotify


def test_notify_sends_a_datagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert sdnotify.notify("WATCHDOG=1")
        assert s.recv(100) == b"WATCHDOG=1"


@pytest.mark.slow
def test_the_relay_passes_the_apps_notifications_on_as_the_main_process(tmp_path: Path) -> None:
    """Under PAMName= systemd only hears the unit's main process: the app's READY=1 and
    WATCHDOG=1 must reach systemd from the relay's pid, and the app's exit code comes back."""
    import os
    import struct
    import subprocess
    import sys

    path = tmp_path / "systemd.sock"
    run = tmp_path / "run"
    run.mkdir()
    app = ("from kiosk.ops import sdnotify; import os, sys; "
           "assert os.environ['NOTIFY_SOCKET'].startswith(sys.argv[1]); "
           "sdnotify.notify('READY=1'); sdnotify.notify('WATCHDOG=1'); sys.exit(3)")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(str(path))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        s.settimeout(20)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env |= {"NOTIFY_SOCKET": str(path), "RUNTIME_DIRECTORY": str(run)}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "notify-relay", "--", sys.executable,
                                 "-c", app, str(run)], env=env)
        got = []
        for _ in range(2):
            data, anc, _, _ = s.recvmsg(100, socket.CMSG_SPACE(12))
            pid = struct.unpack("3i", anc[0][2])[0]
            got.append((data, pid))
        assert proc.wait(20) == 3
    assert got == [(b"READY=1", proc.pid), (b"WATCHDOG=1", proc.pid)]
    assert not list(run.iterdir()), "the relay's socket was left behind"


def test_notify_outside_systemd_is_a_noop() -> None:
    assert sdnotify.notify("READY=1") is False


def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sdnotify.watchdog_interval_s() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")  # cage's pid: the app under it still pets
    assert sdnotify.watchdog_interval_s() == 15.0


def test_journald_lines_carry_the_priority(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:1234")
    logs.setup("INFO")
    logging.getLogger("kiosk.test").warning("camera lost")
    assert capsys.readouterr().err.strip() == "<4>kiosk.test: camera lost"
