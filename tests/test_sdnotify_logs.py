from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from kiosk import logs, sdnotify


def test_notify_sends_a_datagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert sdnotify.notify("WATCHDOG=1")
        assert s.recv(100) == b"WATCHDOG=1"


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
