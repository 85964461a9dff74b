"""Technician screen behind a PIN: device ids, version, camera, sync status, export logs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ops import logs
from kiosk.ui.screens.assets import AssetScreen
from kiosk.ui.screens.camera import CameraControl, CameraScreen
from kiosk.ui.screens.common import action_row, button, note, title
from kiosk.ui.screens.pin import PinPad, pin_matches


def export_logs(data_dir: Path) -> Path:
    """The app's recent log lines (secrets already masked) to a file a technician can copy."""
    out = data_dir / "logs" / f"kiosk-{time.strftime('%Y%m%d-%H%M%S')}.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(logs.RECENT.lines) + "\n")
    return out


class TechnicianScreen(QWidget):
    closed = Signal()

    def __init__(self, pin_sha256: str, report: Callable[[], list[tuple[str, str]]], data_dir: Path,
                 assets: AssetScreen | None = None, camera: CameraControl | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assets = assets
        self.camera = CameraScreen(camera) if camera is not None else None
        self.pin_sha256, self.report, self.data_dir = pin_sha256, report, data_dir
        self.pages = QStackedWidget()
        QVBoxLayout(self).addWidget(self.pages)
        self.pin = PinPad("Technician PIN")
        self.pin.entered.connect(self._check)
        self.pin.cancelled.connect(self.closed)
        info = QWidget()
        lay = QVBoxLayout(info)
        lay.addWidget(title("Technician"))
        self.body = QLabel()
        self.body.setObjectName("mono")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        lay.addWidget(scroll, 1)
        self.result = note("")
        lay.addWidget(self.result)
        row, self.export, self.refresh_button = action_row(("Export logs", "export_logs"),
                                                           ("Refresh", "refresh"))
        lay.addLayout(row)
        tools = QHBoxLayout()
        self.camera_button = button("Camera", "tech_camera", primary=False)
        self.camera_button.setVisible(self.camera is not None)
        self.camera_button.clicked.connect(self._to_camera)
        tools.addWidget(self.camera_button)
        self.add_piece = button("Add a piece from a photo", "tech_add_piece", primary=False)
        self.add_piece.setVisible(assets is not None)
        self.add_piece.clicked.connect(self._to_assets)
        tools.addWidget(self.add_piece, 2)
        lay.addLayout(tools)
        self.back = button("Back to the customer screen", "tech_back", primary=False)
        lay.addWidget(self.back)
        self.back.clicked.connect(self.closed)
        self.export.clicked.connect(self._export)
        self.refresh_button.clicked.connect(self.refresh)
        self.pages.addWidget(self.pin)
        self.pages.addWidget(info)
        for sub in (assets, self.camera):
            if sub is not None:
                self.pages.addWidget(sub)
                sub.closed.connect(self._back_to_info)

    def _back_to_info(self) -> None:
        self.pages.setCurrentIndex(1)
        self.refresh()

    def _to_camera(self) -> None:
        if self.camera is not None:
            self.camera.open()
            self.pages.setCurrentWidget(self.camera)

    def _to_assets(self) -> None:
        if self.assets is not None:
            self.assets.open()
            self.pages.setCurrentWidget(self.assets)

    def open(self) -> None:
        self.pin.reset("Technician PIN")
        self.result.setText("")
        self.pages.setCurrentIndex(0)

    def _check(self, pin: str) -> None:
        if not pin_matches(pin, self.pin_sha256):
            self.pin.reset(error="That PIN is not right.")
            return
        self.pages.setCurrentIndex(1)
        self.refresh()

    def refresh(self) -> None:
        self.body.setText("\n".join(f"{k:<16} {v}" for k, v in self.report()))

    def _export(self) -> None:
        try:
            path = export_logs(self.data_dir)
        except OSError as e:
            self.result.setText(f"Could not write the logs: {e.strerror}")
            return
        self.result.setText(f"Logs written to {path}")
