"""What the issue 21 defect tests share: the app's window at a store's screen size, and
whether a widget can really be seen (shown, inside the window, not clipped by a parent).

They test screens, not tracking: the window runs on the fake tracker and face models
(tests/fakes/), so no MediaPipe or dlib model loads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from kiosk.ui.theme import STYLESHEET
from kiosk.ui.wiring import Wiring
from tests.fakes.embedder import fake_face_models
from tests.fakes.tracker import FakeTracker

LANDSCAPE = (1024, 768)
PORTRAIT = (768, 1024)
FAKES = Wiring(tracker=FakeTracker, face_models=fake_face_models)


def styled_app(qapp: QApplication) -> Iterator[None]:
    """The app's own style sheet, as `kiosk app` sets it (sizes depend on it)."""
    qapp.setStyleSheet(STYLESHEET)
    yield
    qapp.setStyleSheet("")


def launch_at(qtbot: QtBot, config: Path, size: tuple[int, int], frames: int = 3,
              wiring: Wiring = FAKES) -> MainWindow:
    win = MainWindow(config, demo=False, wiring=wiring)
    qtbot.addWidget(win)
    win.resize(*size)
    win.load_and_start()
    win.show()
    qtbot.waitUntil(lambda: win.live_view.painted >= frames, timeout=20_000)
    return win


def on_screen(w: QWidget) -> QRect:
    """The widget's rectangle in its window's coordinates."""
    return QRect(w.mapTo(w.window(), QPoint(0, 0)), w.size())


def fully_visible(w: QWidget) -> bool:
    """Shown, wholly inside its window and not cut off by a scroll area or any parent."""
    if not w.isVisible() or w.width() <= 0 or w.height() <= 0:
        return False
    if not w.window().rect().contains(on_screen(w)):
        return False
    return w.visibleRegion().boundingRect() == w.rect()
