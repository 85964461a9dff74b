"""Technician camera page: list, test, switch (live view follows, kept across a restart)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.capture import devices
from kiosk.capture.devices import CameraInfo
from kiosk.ui.app import MainWindow
from tests.helpers.ui import click, launch, open_technician

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe

STILL = Path(__file__).parents[1] / "fixtures" / "photos" / "close_face.jpg"


def test_technician_tests_and_switches_the_camera(qtbot: QtBot, staffed: MainWindow,  # noqa: F811
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "list_cameras", lambda: [CameraInfo(str(STILL), "Still camera"),
                                                          CameraInfo("/dev/video97", "Unplugged")])
    v = staffed.visit
    tech = open_technician(qtbot, staffed)
    assert v is not None and tech.camera is not None
    click(qtbot, tech.camera_button)
    page = tech.camera
    assert list(page.options) == [staffed.cfg.camera.source, str(STILL), "/dev/video97"]  # type: ignore[union-attr]
    assert staffed.camera is not None
    assert page.options[staffed.camera.source].text().endswith("in use") and not page.use.isEnabled()

    click(qtbot, page.test)                       # the camera in use: its live figures
    assert page.result.text().startswith("Works: in use now: 1280x720")

    click(qtbot, page.options["/dev/video97"])
    click(qtbot, page.test)
    qtbot.waitUntil(lambda: page.worker is None and "Problem" in page.result.text(), timeout=5000)
    assert "/dev/video97 is not present" in page.result.text()

    click(qtbot, page.options[str(STILL)])
    click(qtbot, page.test)
    qtbot.waitUntil(lambda: page.worker is None and page.result.text().startswith("Works"), timeout=5000)
    assert "at" in page.result.text() and not page.preview.pixmap().isNull()
    click(qtbot, page.use)
    assert staffed.live is not None and staffed.live.source.name == f"image {STILL.name}"
    assert page.options[str(STILL)].text().endswith("in use")
    live = staffed.live
    qtbot.waitUntil(lambda: live.stats().processed > 5 and live.stats().state == "live", timeout=10_000)
    assert staffed.cfg is not None
    assert devices.load_choice(Path(staffed.cfg.store.data_dir)) == str(STILL)
    click(qtbot, page.back)
    assert "chosen on this screen" in tech.body.text()

    # kept across a restart; choosing the configured source again clears the choice
    assert staffed.config_path is not None
    again = launch(qtbot, staffed.config_path, frames=2)
    assert again.live is not None and again.live.source.name == f"image {STILL.name}"
    assert again.camera is not None
    again.camera.switch_camera(again.camera.cfg.camera.source)
    assert devices.load_choice(Path(staffed.cfg.store.data_dir)) is None
    again.close()
