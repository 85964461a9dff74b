"""3, 2, 1 on the mirror, then the action: before a photo, a clip or a cloud outfit's shot."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from kiosk.ui.live_view import LiveView


class Countdown(QObject):
    def __init__(self, view: LiveView, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view, self.seconds = view, seconds
        self.left = 0
        self._then: Callable[[], None] = lambda: None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self, then: Callable[[], None]) -> None:
        """Ignored while one runs: a second tap must not start a second shot."""
        if self.running:
            return
        self._then, self.left = then, self.seconds
        self.view.set_overlay(str(self.left))
        self.timer.start(1000)

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        self.left -= 1
        if self.left > 0:
            self.view.set_overlay(str(self.left))
            return
        self.timer.stop()
        self.view.set_overlay("")
        self._then()
