"""The seller records a clip on the catalogue (bundled sample video through the real try-on
engine), shares it, and the QR code's page plays it in headless Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from kiosk.clip.encoder import ClipEncoder, Strip
from kiosk.ui.app import MainWindow
from kiosk.ui.screens import clip as clip_mod
from tests.chromium import video_state
from tests.helpers.disks import Tmpfs
from tests.helpers.ui import click, decode_qr, launch, start_visit

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe, recording clips


def on_the_catalogue(qtbot: QtBot, config: Path) -> MainWindow:
    """The app on `config`, a visit started, a jhumka on."""
    win = launch(qtbot, config)
    v = win.visit
    assert v is not None
    start_visit(qtbot, win)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    assert v.state == "catalogue"
    return win


@pytest.fixture
def window(qtbot: QtBot, make_config: Callable[..., Path]) -> MainWindow:
    return on_the_catalogue(qtbot, make_config())


def record(qtbot: QtBot, win: MainWindow) -> None:
    v = win.visit
    assert v is not None
    rec = v.clip.record_button
    click(qtbot, rec)
    assert win.live_view.overlay_text == "3"                     # the countdown, as for a photo
    assert not rec.isEnabled()
    qtbot.waitUntil(lambda: "REC" in win.live_view.overlay_text, timeout=6000)
    assert rec.text() == "■ Stop" and not rec.isEnabled()        # no stopping before MIN_S
    assert not win.visit.catalogue.capture_button.isEnabled()     # no photo over the clip
    first = win.live_view.overlay_text
    qtbot.wait(700)
    assert win.live_view.overlay_text != first                   # the timer runs on the mirror


def test_a_recorded_clip_is_shared_and_plays_from_the_qr_page(qtbot: QtBot, window: MainWindow) -> None:
    v = window.visit
    assert v is not None
    ctl = v.clip
    assert ctl.record_button.isVisible() and not ctl.share_button.isVisible()
    record(qtbot, window)
    qtbot.waitUntil(lambda: ctl.record_button.isEnabled(), timeout=6000)  # MIN_S reached
    click(qtbot, ctl.record_button)                                        # stop at ~3.x s
    assert "REC" not in window.live_view.overlay_text
    assert v.catalogue.capture_button.isEnabled()
    qtbot.waitUntil(lambda: ctl.clip is not None, timeout=30_000)
    clip = ctl.clip
    assert clip is not None
    assert "Clip ready" in v.catalogue.badge.text() and ctl.share_button.isVisible()
    # Stopped as soon as Stop is offered (MIN_S after the first frame): the last frame can come
    # a frame period before that on a loaded machine.
    assert 2.8 <= clip.duration_s <= 4.5 and clip.frames >= 10
    assert clip.width % 2 == 0 and clip.height % 2 == 0 and clip.height > 720   # the strip below
    with av.open(str(clip.path)) as box:
        stream = box.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in box.decode(stream)]
        assert stream.codec_context.name == "h264" and stream.codec_context.profile == "Main"
    assert len(frames) == clip.frames
    strip = frames[0][720:]
    assert strip.mean() < 60 and (strip[..., 0] > 150).sum() > 200         # dark bar, gold text
    # The frames are the try-on's: the earring is drawn on them, so they differ from the source.
    assert not np.array_equal(frames[0][:720], frames[-1][:720])

    click(qtbot, ctl.share_button)
    assert v.state == "share" and v.sharing.share is not None and v.sharing.share.clip is not None
    assert not clip.path.exists() and v.sharing.share.clip.exists()                # moved in with the share
    qtbot.wait(300)
    url = decode_qr(window)
    assert "/s/" in url
    page = httpx.get(url)
    assert page.status_code == 200 and "<video" in page.text and "playsinline" in page.text
    state = video_state(url)
    assert state["error"] == 0 and state["ready"] >= 2, state
    assert abs(state["duration"] - clip.duration_s) < 0.3 and state["height"] == clip.height
    assert state["playsinline"] and state["muted"]


def test_a_clip_of_five_seconds_stops_by_itself(qtbot: QtBot, window: MainWindow) -> None:
    v = window.visit
    assert v is not None
    record(qtbot, window)
    painted = window.live_view.painted
    qtbot.waitUntil(lambda: v.clip.recording_since is None, timeout=10_000)
    painted = window.live_view.painted - painted
    qtbot.waitUntil(lambda: v.clip.clip is not None, timeout=40_000)
    clip = v.clip.clip
    assert clip is not None and 4.5 <= clip.duration_s <= clip_mod.MAX_S + 0.3
    assert clip.path.stat().st_size <= 4_000_000
    # Every frame the mirror painted while recording (from ~0.7 s in, see record()) is in it.
    assert painted - clip.dropped <= clip.frames <= painted * 5.0 / 4.0 + 3     # drops: a busy machine
    # The next visit does not get this customer's clip.
    v.on_idle()
    v.to_start()
    v.start_screen.name.setText("Anu")
    click(qtbot, v.start_screen.start)
    assert v.state == "catalogue"
    assert v.clip.clip is None and not v.clip.share_button.isVisible() and not clip.path.exists()


def test_an_encoder_that_fails_says_so_in_one_line_and_the_visit_goes_on(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    v = window.visit
    assert v is not None
    def broken(path: Path, strip: Strip | None = None) -> ClipEncoder:
        return ClipEncoder(path, strip, options={"profile": "no-such-profile"})

    monkeypatch.setattr(clip_mod, "ClipEncoder", broken)
    record(qtbot, window)
    qtbot.waitUntil(lambda: "could not be made" in v.catalogue.badge.text(), timeout=30_000)
    assert "Traceback" not in v.catalogue.badge.text() and "\n" not in v.catalogue.badge.text()
    assert not any(r.exc_info for r in caplog.records)
    assert v.clip.clip is None and not v.clip.share_button.isVisible()
    assert not any(v.clip.folder.glob("*"))                      # no half-written file left
    assert v.clip.record_button.isEnabled() and v.clip.record_button.text() == "● Clip"
    click(qtbot, v.catalogue.capture_button)                     # the photo still works
    qtbot.waitUntil(lambda: v.state == "review", timeout=10_000)


def test_a_visit_that_ends_while_recording_keeps_nothing(qtbot: QtBot, window: MainWindow) -> None:
    v = window.visit
    assert v is not None
    record(qtbot, window)
    v.on_idle()                                                  # the inactivity timeout
    assert v.state == "attract" and "REC" not in window.live_view.overlay_text
    qtbot.waitUntil(lambda: v.clip.encoder is None, timeout=30_000)
    assert v.clip.clip is None and not any(v.clip.folder.glob("*"))
    assert v.catalogue.badge.text() == ""                        # nothing said to the next customer


def test_a_full_disk_is_one_line_and_the_clip_waits_for_room(
        qtbot: QtBot, make_config: Callable[..., Path], tmp_path: Path) -> None:
    disk = Tmpfs(tmp_path / "mnt")
    try:
        win = on_the_catalogue(qtbot, make_config({f'data_dir = "{tmp_path / "data"}"':
                                                   f'data_dir = "{disk.where / "data"}"'}))
        v = win.visit
        assert v is not None
        disk.fill()
        record(qtbot, win)
        qtbot.waitUntil(lambda: "could not be made" in v.catalogue.badge.text(), timeout=30_000)
        assert v.catalogue.badge.text() == "The clip could not be made: the disk is full."
        assert not any(v.clip.folder.glob("*"))
        disk.unfill()
        record(qtbot, win)
        qtbot.waitUntil(lambda: v.clip.clip is not None, timeout=30_000)
        clip = v.clip.clip
        assert clip is not None
        disk.fill()
        click(qtbot, v.clip.share_button)
        assert v.state == "catalogue" and "could not be shared" in v.catalogue.badge.text()
        assert "/" not in v.catalogue.badge.text() and "Errno" not in v.catalogue.badge.text()
        assert clip.path.exists() and v.clip.share_button.isVisible()     # nothing lost: try again
        disk.unfill()
        click(qtbot, v.clip.share_button)
        assert v.state == "share" and v.sharing.share is not None and v.sharing.share.clip is not None
        win.close()
    finally:
        disk.unmount()


def test_a_visit_that_ends_during_the_countdown_leaves_the_button_usable(
        qtbot: QtBot, window: MainWindow) -> None:
    v = window.visit
    assert v is not None
    click(qtbot, v.clip.record_button)
    assert window.live_view.overlay_text == "3" and not v.clip.record_button.isEnabled()
    v.on_idle()
    v.to_start()
    click(qtbot, v.start_screen.start)
    assert v.state == "catalogue" and v.clip.record_button.isEnabled()
    qtbot.wait(3500)                                             # the old countdown does not fire
    assert v.clip.encoder is None and "REC" not in window.live_view.overlay_text
