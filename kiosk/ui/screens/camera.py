"""Technician: pick the camera, test it (resolution, real frame rate, light), switch to it.

A test opens the camera on a worker thread for two seconds; the camera in use is not opened a
second time (V4L2 devices are busy while the mirror runs), its live figures are shown instead.
"""

from __future__ import annotations

import threading
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QButtonGroup, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.capture import FrameSource
from kiosk.capture.devices import CameraTest, try_source
from kiosk.ui.qimage import wrap_bgr
from kiosk.ui.screens.common import action_row, button, clear, note, scrolling_list, title

PREVIEW_W = 360


class CameraControl(Protocol):
    """What the window lets the technician do with its camera."""

    def camera_options(self) -> list[tuple[str, str]]: ...     # (source value, label)

    def current_camera(self) -> str: ...

    def live_check(self) -> CameraTest: ...

    def open_camera(self, value: str) -> FrameSource: ...

    def switch_camera(self, value: str) -> None: ...


class _Results(QObject):
    tested = Signal(str, object)       # source value, CameraTest


class CameraScreen(QWidget):
    closed = Signal()

    def __init__(self, control: CameraControl, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self.chosen: str | None = None
        self.worker: threading.Thread | None = None
        self.results = _Results()
        self.results.tested.connect(self._on_tested)
        lay = QVBoxLayout(self)
        lay.addWidget(title("Camera"))
        lay.addWidget(note("Tap a camera, test it, then use it. The choice is kept after a restart."))
        scroll, self.list = scrolling_list()
        lay.addWidget(scroll, 1)
        self.group = QButtonGroup(self)
        self.result = note("")
        lay.addWidget(self.result)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.preview)
        row, self.test, self.use = action_row(("Test", "camera_test"), ("Use this camera", "camera_use"))
        lay.addLayout(row)
        self.back = button("Back", "camera_back", primary=False)
        lay.addWidget(self.back)
        self.test.clicked.connect(self.run_test)
        self.use.clicked.connect(self._use)
        self.back.clicked.connect(self.closed)
        self.options: dict[str, QPushButton] = {}

    def open(self) -> None:
        clear(self.list)
        self.options = {}
        current = self.control.current_camera()
        for value, label in self.control.camera_options():
            b = button(label + ("  · in use" if value == current else ""), f"camera_opt_{len(self.options)}",
                       primary=False, checkable=True)
            b.setStyleSheet("text-align: left;")
            self.group.addButton(b)
            b.clicked.connect(lambda _=False, v=value: self._choose(v))
            self.options[value] = b
            self.list.addWidget(b)
        self.result.setText("")
        self.preview.clear()
        self._choose(current)

    def _choose(self, value: str) -> None:
        self.chosen = value
        for v, b in self.options.items():
            b.setChecked(v == value)
        self.use.setEnabled(value != self.control.current_camera())

    def run_test(self) -> None:
        value = self.chosen
        if value is None or self.worker is not None:
            return
        if value == self.control.current_camera():
            self._on_tested(value, self.control.live_check())
            return
        try:
            source = self.control.open_camera(value)
        except (OSError, ValueError) as e:
            self._on_tested(value, CameraTest(False, f"Cannot use it: {e}"))
            return
        self.result.setText("Testing… (2 seconds)")
        self.test.setEnabled(False)
        self.worker = threading.Thread(target=lambda: self.results.tested.emit(value, try_source(source)),
                                       name="camera-test", daemon=True)
        self.worker.start()

    def _on_tested(self, value: str, got: object) -> None:
        self.worker = None
        self.test.setEnabled(True)
        if not isinstance(got, CameraTest) or value != self.chosen:
            return
        self.result.setText(("Works: " if got.ok else "Problem: ") + got.message)
        self.result.setObjectName("subtitle" if got.ok else "error")
        self.result.style().polish(self.result)
        if got.frame is not None:
            pm = QPixmap.fromImage(wrap_bgr(got.frame))
            self.preview.setPixmap(pm.scaledToWidth(PREVIEW_W, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.clear()

    def _use(self) -> None:
        if self.chosen is None:
            return
        self.control.switch_camera(self.chosen)
        self.open()
        self.result.setText("Switched. The mirror now shows this camera.")

    def shutdown(self) -> None:
        w = self.worker
        if w is not None:
            w.join(3)
        self.results.tested.disconnect()
