"""What the UI tests share: launching the window, clicking, reading the events it recorded, a
standing customer, screenshots, QR codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from kiosk.ui.screens.technician import TechnicianScreen

SELLERS_AND_TECH = """
[[sellers]]
id = "seller_asha"
name = "Asha"
pin_sha256 = "0ffe1abd1a08215353c233d6e009613e95eec4253832a761af28ff37ac5a150c"
"""
PHOTOS = Path(__file__).parents[1] / "fixtures" / "photos"
FRAME_FACE_SHARE = 0.2          # the face's height in the camera frame: a step back from the kiosk


def events(win: MainWindow) -> list[dict[str, object]]:
    assert win.cfg is not None
    with sqlite3.connect(win.cfg.store.data_dir / "kiosk.db") as c:
        rows = c.execute("SELECT payload FROM outbox WHERE kind = 'event' ORDER BY seq").fetchall()
    return [json.loads(r[0]) for r in rows]


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def launch(qtbot: QtBot, config: Path, frames: int = 5) -> MainWindow:
    """The app's window on this config, shown at 1366x1024 once it has painted `frames` frames."""
    win = MainWindow(config, demo=False)
    qtbot.addWidget(win)
    win.resize(1366, 1024)
    win.load_and_start()
    win.show()
    qtbot.waitUntil(lambda: win.live_view.painted >= frames, timeout=20_000)
    return win


def start_visit(qtbot: QtBot, win: MainWindow) -> None:
    """A visit started from the start screen (name and phone filled), on the catalogue."""
    v = win.visit
    assert v is not None
    v.to_start()
    v.start_screen.name.setText("Priya")
    v.start_screen.phone.setText("98123 45678")
    click(qtbot, v.start_screen.start)


TECH_PIN = "a1fb4e703a9ef1fa4936801721ff285a97ac85330856674412e054892afe6972"   # 2468


def open_technician(qtbot: QtBot, win: MainWindow) -> TechnicianScreen:
    """The ⚙ button and the technician PIN, as a technician would."""
    v = win.visit
    assert v is not None and v.technician is not None
    click(qtbot, v.tech_button)
    pin(qtbot, v.technician.pin, "2468")
    return v.technician


def standing_customer(path: Path) -> Path:
    """A 1280x720 camera frame of a customer standing back and off to one side: the face is a
    fifth of the frame's height, on a plain wall."""
    portrait = cv2.imread(str(PHOTOS / "portrait_shoulders.jpg"))
    assert portrait is not None
    scale = FRAME_FACE_SHARE * 720 / 362            # the portrait's face is 362 px high
    small = cv2.resize(portrait, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.empty((720, 1280, 3), np.uint8)
    frame[:] = np.linspace(150, 190, 1280, dtype=np.float32)[None, :, None].astype(np.uint8)
    h, w = small.shape[:2]
    x0, y0 = 680, 720 - h
    frame[y0:, x0:x0 + w] = small
    cv2.imwrite(str(path), frame)
    return path


def screenshot(widget: QWidget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    return np.ascontiguousarray(arr[:, :w * 3].reshape(h, w, 3)[:, :, ::-1])     # BGR


def to_catalogue(qtbot: QtBot, win: MainWindow) -> None:
    v = win.visit
    assert v is not None
    v.to_start()
    if v.state == "jeweler":
        qtbot.mouseClick(v.jeweler_screen.tiles[v.brands.all[0].id], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(v.start_screen.start, Qt.MouseButton.LeftButton)
    assert v.state == "catalogue"


def window_at(qtbot: QtBot, path: Path) -> MainWindow:
    win = MainWindow(path, demo=False)
    qtbot.addWidget(win)
    win.show()
    win.load_and_start()
    return win


def decode_qr(win: MainWindow) -> str:
    """The code as a phone would read it: from the QR label alone, on a white margin (the live
    video around it changes from frame to frame and must not decide whether it decodes)."""
    assert win.visit is not None
    img = win.visit.share_screen.qr.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    rgb = arr[:, : w * 3].reshape(h, w, 3)
    bgr = cv2.copyMakeBorder(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), 40, 40, 40, 40,
                             cv2.BORDER_CONSTANT, value=(255, 255, 255))
    # Two decoders, as phones differ: OpenCV's classic detector misses ~5 % of valid codes
    # (measured over 1000 random share links; the ArUco-based one read them all).
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, _pts, _ = detector.detectAndDecode(bgr)
        if text:
            return str(text)
    return ""


def pin(qtbot: QtBot, pad: object, digits: str) -> None:
    from kiosk.ui.screens.pin import PinPad

    assert isinstance(pad, PinPad)
    for d in digits:
        click(qtbot, pad.findChild(type(pad.ok), f"pin_{d}"))
    click(qtbot, pad.ok)
