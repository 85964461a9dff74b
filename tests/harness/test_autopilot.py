"""The soak's parts, as kiosk.cli hands them to the window: none without KIOSK_AUTOPILOT; with
it, a seller who drives visits through the screens and a camera cable that gets pulled."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.harness import autopilot
from kiosk.ui.wiring import Wiring
from tests.helpers.screens import FAKES, LANDSCAPE, launch_at


@pytest.mark.parametrize("value", [None, "", "lots:fast"])
def test_without_a_readable_autopilot_the_window_gets_the_products_parts(
        monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv(autopilot.ENV, value)
    monkeypatch.setenv(autopilot.UNPLUG_ENV, "1:1")
    assert autopilot.wiring() == Wiring()


def test_the_autopilot_drives_a_visit_and_pulls_the_cable(qtbot: QtBot, make_config: Callable[..., Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(autopilot.ENV, "3600:200")      # a visit every second of store time, 200x
    monkeypatch.setenv(autopilot.UNPLUG_ENV, "0:1")    # pulled as soon as the window is up
    soak = autopilot.wiring()
    assert soak.wrap_source is not None and soak.on_started is not None
    win = launch_at(qtbot, make_config(), LANDSCAPE,
                    wiring=dataclasses.replace(soak, tracker=FAKES.tracker, face_models=FAKES.face_models))
    assert win.live is not None
    cable = win.live.source
    assert isinstance(cable, autopilot.Unpluggable)
    soak.on_started(win)
    qtbot.waitUntil(lambda: cable.unplugs == 1, timeout=5000)
    assert win.cfg is not None
    db = Path(win.cfg.store.data_dir) / "kiosk.db"

    def kinds() -> list[str]:
        with sqlite3.connect(db) as c:
            return [json.loads(r[0])["event_type"] for r in
                    c.execute("SELECT payload FROM outbox WHERE kind = 'event' ORDER BY seq")]

    qtbot.waitUntil(lambda: "session.ended" in kinds(), timeout=30_000)
    got = kinds()
    assert got[0] == "session.started" and "jewelry.selected" in got, got
