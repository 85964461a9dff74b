"""The cloud outfit in the seller's app: progress, a composite with the jewelry into review,
the events, a slow cloud that does not freeze the mirror, and a service that is down."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from kiosk.ui.screens.cloud import CloudScreen
from kiosk.ui.visit_screen import VisitScreen
from sync.devcloud.tryon import TEST_KEY
from tests.helpers.cloud import LiveCloud
from tests.helpers.ui import click, events, launch

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def cloud_config(make_config: Callable[..., Path], url: str) -> Path:
    path = make_config()
    path.write_text(path.read_text() + f"""
[cloud_tryon]
url = "{url}"
merchant_key = "{TEST_KEY}"

[[cloud_tryon.garments]]
id = "kanjivaram_green"
name = "Kanjivaram silk saree, green"
image = "{url}/tryon-media/garments/kanjivaram_green.jpg"
price = 24000
""")
    return path


def pick_garment(qtbot: QtBot, make_config: Callable[..., Path], cloud: LiveCloud,
                 delay_s: float) -> tuple[MainWindow, VisitScreen, CloudScreen]:
    """A visit with a jhumka on, the cloud screen open, the green saree tapped."""
    cloud.faults.update({"tryon_delay_s": delay_s})
    win = launch(qtbot, cloud_config(make_config, cloud.url))
    v = win.visit
    assert v is not None and v.cloud is not None
    to_cloud(qtbot, win)
    screen = v.cloud.screen
    qtbot.waitUntil(lambda: screen.tiles["kanjivaram_green"].isEnabled(), timeout=5000)
    click(qtbot, screen.tiles["kanjivaram_green"])
    return win, v, screen


def to_cloud(qtbot: QtBot, win: MainWindow) -> None:
    v = win.visit
    assert v is not None and v.cloud is not None
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    assert v.catalogue.cloud_button is not None and v.catalogue.cloud_button.isVisible()
    click(qtbot, v.catalogue.cloud_button)
    assert v.state == "cloud"


def test_a_cloud_outfit_comes_back_with_the_jewelry_into_review(
        qtbot: QtBot, make_config: Callable[..., Path], cloud: LiveCloud) -> None:
    win, v, screen = pick_garment(qtbot, make_config, cloud, 1.0)
    assert screen.bar.isVisible() and screen.stop.isVisible()
    qtbot.waitUntil(lambda: v.state == "review", timeout=40_000)
    info = v.review.info.text()
    assert "Kanjivaram silk saree, green, cloud outfit" in info and "no face" not in info
    assert "made in" not in info                                    # timings are for the log
    photo = v.sharing.photo
    assert photo is not None and photo[1] is not None and photo[1].id == "jhumka_gold"
    evs = [e for e in events(win) if e["event_type"] in ("attire.changed", "image.generated")]
    changed, generated = evs[-2]["payload"], evs[-1]["payload"]
    assert changed["attire_id"] == "cloud_kanjivaram_green"                     # type: ignore[index]
    assert generated["attire_name"] == "Kanjivaram silk saree, green (cloud)"   # type: ignore[index]
    assert generated["generation_time_ms"] > 1000                               # type: ignore[index]
    # the photo shares like any other; back at the mirror the live outfit is recorded again
    click(qtbot, v.review.keep_button)
    last = [e for e in events(win) if e["event_type"] == "attire.changed"][-1]["payload"]
    assert last["attire_id"] == "original"                                      # type: ignore[index]
    assert v.cloud is not None and v.cloud.outfits.tries_left("kanjivaram_green") == 2


def test_a_slow_cloud_leaves_the_mirror_running_and_can_be_cancelled(
        qtbot: QtBot, make_config: Callable[..., Path], cloud: LiveCloud) -> None:
    win, v, screen = pick_garment(qtbot, make_config, cloud, 10.0)
    qtbot.waitUntil(lambda: v.cloud is not None and v.cloud.job is not None, timeout=6000)  # after 3-2-1
    qtbot.waitUntil(lambda: screen.bar.maximum() == 100 and screen.bar.value() > 0, timeout=8000)
    painted, t0 = win.live_view.painted, time.monotonic()
    qtbot.wait(2000)
    fps = (win.live_view.painted - painted) / (time.monotonic() - t0)
    assert fps > 10, f"the mirror slowed to {fps:.1f} fps while the cloud worked"
    assert "making the outfit" in screen.status.text()
    click(qtbot, screen.stop)
    assert v.cloud is not None and v.cloud.job is None and screen.status.text() == "Cancelled."
    assert screen.tiles["kanjivaram_green"].isEnabled()
    qtbot.wait(9000)                   # the cloud finishes anyway: nothing reaches the visit
    assert v.state == "cloud"
    assert not [e for e in events(win) if e["event_type"] == "image.generated"]


def test_with_the_service_down_the_option_explains_itself(qtbot: QtBot,
                                                          make_config: Callable[..., Path]) -> None:
    win = launch(qtbot, cloud_config(make_config, "http://127.0.0.1:9"))
    v = win.visit
    assert v is not None and v.cloud is not None
    to_cloud(qtbot, win)
    screen = v.cloud.screen
    qtbot.waitUntil(lambda: "cannot be reached" in screen.error.text(), timeout=10_000)
    assert not screen.tiles["kanjivaram_green"].isEnabled()
    click(qtbot, screen.leave)
    assert v.state == "catalogue"
    click(qtbot, v.catalogue.capture_button)                   # the rest works as usual
    qtbot.waitUntil(lambda: v.state == "review", timeout=10_000)


def test_no_cloud_option_without_the_config(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = launch(qtbot, make_config())
    assert win.visit is not None and win.visit.cloud is None and win.visit.catalogue.cloud_button is None
