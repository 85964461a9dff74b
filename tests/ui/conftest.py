"""The UI tests' fixtures: the window on a config, and one with a technician PIN set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from tests.helpers.ui import SELLERS_AND_TECH, TECH_PIN, launch


@pytest.fixture
def window(qtbot: QtBot, make_config: Callable[..., Path]) -> MainWindow:
    win = launch(qtbot, make_config())
    assert win.visit is not None
    return win


@pytest.fixture
def staffed(qtbot: QtBot, make_config: Callable[..., Path]) -> MainWindow:
    path = make_config()
    text = path.read_text().replace("[camera]", SELLERS_AND_TECH + "\n[camera]")
    path.write_text(text + f'\n[ui]\ntechnician_pin_sha256 = "{TECH_PIN}"\n')
    return launch(qtbot, path, frames=3)
