"""Issue 21, camera lost: the attract screen offers no visit while there is no picture, keeps
⚙ (the technician) reachable and uncovered, and its banner wraps instead of being cut off."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.capture import FrameSource
from kiosk.harness.autopilot import Unpluggable
from tests.helpers.screens import (
    FAKES,
    LANDSCAPE,
    PORTRAIT,
    fully_visible,
    launch_at,
    on_screen,
    styled_app,
)
from tests.helpers.ui import TECH_PIN, click


@pytest.fixture(autouse=True)
def _styled(qapp: QApplication) -> Iterator[None]:
    yield from styled_app(qapp)


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_a_lost_camera_offers_no_visit_and_keeps_the_gear(qtbot: QtBot, make_config: Callable[..., Path],
                                                          size: tuple[int, int]) -> None:
    cables: list[Unpluggable] = []              # the soak's cable, pulled by hand here

    def cable(source: FrameSource) -> FrameSource:
        cables.append(Unpluggable(source))
        return cables[-1]

    path = make_config()
    path.write_text(path.read_text() + f'\n[ui]\ntechnician_pin_sha256 = "{TECH_PIN}"\n')
    win = launch_at(qtbot, path, size, wiring=dataclasses.replace(FAKES, wrap_source=cable))
    v, view = win.visit, win.live_view
    assert v is not None and len(cables) == 1 and win.live is not None
    assert v.state == "attract" and view.overlay_text == "Tap to start"
    win.live.capture.reconnect_s = 0.05
    cables[0].unplug(3600)
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=10_000)
    qtbot.wait(50)
    assert "Camera" in view.banner.text()
    assert "Tap" not in view.overlay_text                        # nothing to try on without a picture
    click(qtbot, view)
    assert v.state == "attract" and v.service.visit is None       # and a tap starts nothing
    gear = v.tech_button
    assert fully_visible(gear)
    assert not on_screen(gear).intersects(on_screen(view.banner)), "the banner covers ⚙"
    assert view.childAt(gear.geometry().center()) is gear         # nothing drawn over it either
    banner = view.banner
    assert banner.height() >= banner.heightForWidth(banner.width())   # every line of it shows
    click(qtbot, gear)
    assert v.state == "technician"
    v.to_attract()
    cables[0].unplug(0)                                           # plugged back in
    qtbot.waitUntil(lambda: not view.banner.isVisible(), timeout=10_000)
    assert view.overlay_text == "Tap to start"
    click(qtbot, view)
    assert v.state == "start"


def test_a_long_banner_wraps_and_is_read_whole(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = launch_at(qtbot, make_config(), PORTRAIT)
    view = win.live_view
    text = ("Jewelry assets problem: [tryon] pieces names 'earring_golld', which is not in the catalogue "
            "(kiosk config check lists the known ids); the mirror runs without it.")
    view.set_banner(text, "assets")
    qtbot.wait(20)
    b = view.banner
    assert fully_visible(b) and b.wordWrap()
    assert b.height() >= b.heightForWidth(b.width()), "the banner is cut off mid-line"
    assert b.heightForWidth(b.width()) > b.fontMetrics().height() * 2     # it did wrap
