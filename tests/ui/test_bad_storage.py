"""The app on a damaged database, a read-only or a full data dir: the mirror runs, the banner says why."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.store import StoreError
from kiosk.ui.app import MainWindow
from kiosk.ui.storage import route_store_errors
from tests.helpers.disks import Tmpfs
from tests.helpers.outbox import KINDS, make_damaged
from tests.helpers.ui import window_at

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def _banner(win: MainWindow) -> str:
    return win.live_view.banner.text() if not win.live_view.banner.isHidden() else ""


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_database_starts_a_fresh_store_and_tells_the_technician(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path, kind: str) -> None:
    data = tmp_path / "data"
    damaged = make_damaged(data, kind)
    win = window_at(qtbot, make_config())
    try:
        assert win.current_screen() is win.visit and win.store is not None
        assert win.store.count("pending") == 0
        (kept,) = data.glob("kiosk.db.damaged-*[0-9Z]")
        assert kept.read_bytes() == damaged
        assert "the database was damaged" in _banner(win) and kept.name in _banner(win)
        rows = dict(win.report())
        assert kept.name in rows["database"] and "no backup" in rows["database"]
        qtbot.waitUntil(lambda: win.live is not None and win.live.stats().capture_fps > 0, timeout=10_000)
    finally:
        win.shutdown()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Tmpfs]:
    d = Tmpfs(tmp_path / "mnt")
    yield d
    d.unmount()


@pytest.mark.parametrize("how", ["read-only", "full"])
def test_no_writes_at_start_keeps_the_mirror_and_visits_come_back_when_fixed(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path, disk: Tmpfs, how: str) -> None:
    data = disk.where / "data"
    path = make_config({f'data_dir = "{tmp_path / "data"}"': f'data_dir = "{data}"'})
    damaged = make_damaged(data, "garbage_header")  # not touched while nothing can be written
    if how == "read-only":
        disk.remount("ro")
    else:
        disk.fill()
    cause = "read-only file system" if how == "read-only" else "no space left"
    win = window_at(qtbot, path)
    try:
        assert win.live is not None, "the mirror runs"
        assert win.visit is None and win.store is None, "no visit can start: none could be recorded"
        assert cause in _banner(win) and str(data) in _banner(win)
        assert (data / "kiosk.db").read_bytes() == damaged and not list(data.glob("kiosk.db.damaged-*"))
        qtbot.waitUntil(lambda: win.live is not None and win.live.stats().capture_fps > 0, timeout=10_000)
        if how == "read-only":
            disk.remount("rw")
        else:
            disk.unfill()
        qtbot.waitUntil(lambda: win.visit is not None, timeout=15_000)     # the 5 s storage check
        assert win.current_screen() is win.visit and cause not in _banner(win)
        assert "the database was damaged" in _banner(win), "then opened: set aside, fresh store"
    finally:
        win.shutdown()


def test_a_write_that_fails_in_a_visit_is_a_banner_not_a_traceback(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path, disk: Tmpfs,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = disk.where / "data"
    win = window_at(qtbot, make_config({f'data_dir = "{tmp_path / "data"}"': f'data_dir = "{data}"'}))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)     # put back after the test
    route_store_errors(win.recording_failed)
    try:
        assert win.visit is not None
        disk.fill()
        win._check_storage()
        assert "no space left" in _banner(win)
        QTimer.singleShot(0, lambda: win.visit.begin("Asha", "", "", False) if win.visit else None)
        qtbot.waitUntil(lambda: "not recorded at" in _banner(win), timeout=5000)
        assert win.visit.service.visit is None, "the visit did not start"
        with pytest.raises(StoreError):         # what the slot raised: the disk is full
            win.visit.service.start(name="Ravi")
    finally:
        win.shutdown()
