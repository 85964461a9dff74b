"""The live mirror: paints the newest processed frame, a stats overlay and a camera banner."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.capture.thread import RateMeter
from kiosk.pipeline import Processed
from kiosk.ui.qimage import wrap_bgr

CORNER = 96     # the banner keeps clear of the corner buttons (⚙ top left, FPS top right)


class LiveView(QWidget):
    tapped = Signal()
    banners_changed = Signal()

    def __init__(self, mirror: bool = True, show_stats: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay_text = ""      # "Tap to start", a capture countdown
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.mirror = mirror
        self.show_stats = show_stats
        self.stats_text = ""
        self._current: Processed | None = None
        self._last_counted: Processed | None = None
        self.paint_meter = RateMeter()
        self.painted = 0
        self.latencies_ms: list[float] = []
        self._banners: dict[str, str] = {}
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("background: rgba(20,20,20,190); color: #fff; font-size: 22px;"
                                "padding: 10px 18px; border-radius: 12px;")
        self.hint.hide()
        self.stats_button = QPushButton("FPS", self)
        self.stats_button.setToolTip("Show or hide frame rate and dropped frames")
        self.stats_button.setStyleSheet("min-width: 64px; padding: 4px 8px;"
                                        "background: rgba(40,40,40,160); color: #ddd;")
        self.stats_button.clicked.connect(self.toggle_stats)

    def toggle_stats(self) -> None:
        self.show_stats = not self.show_stats
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F:
            self.toggle_stats()
        else:
            super().keyPressEvent(event)

    def set_banner(self, text: str | None, key: str = "camera") -> None:
        """One line per concern (camera, disk, assets...): clearing one keeps the others."""
        if text:
            self._banners[key] = text
        else:
            self._banners.pop(key, None)
        if self._banners:
            self.banner.setText("\n".join(self._banners.values()))
            self.banner.show()
            self.banner.raise_()
        else:
            self.banner.hide()
        self._place_children()
        self.banners_changed.emit()

    def has_banner(self, key: str) -> bool:
        return key in self._banners

    def show_processed(self, processed: Processed) -> None:
        self._current = processed
        text = "\n".join(processed.hints)
        if text != self.hint.text() or self.hint.isVisible() != bool(text):
            self.hint.setText(text)
            self.hint.setVisible(bool(text))
            self._place_children()
        self.update()

    def current(self) -> Processed | None:
        return self._current

    def set_overlay(self, text: str) -> None:
        self.overlay_text = text
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.tapped.emit()
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place_children()
        super().resizeEvent(event)

    def _place_children(self) -> None:
        w = self.width()
        # As tall as its lines need (a fixed height cut long messages mid-line), never over ⚙.
        right = CORNER if self.stats_button.isVisible() else 24
        bw = max(100, w - CORNER - right)
        bh = min(max(64, self.banner.heightForWidth(bw)), max(64, self.height() // 2))
        self.banner.setGeometry(CORNER, 16, bw, bh)
        self.stats_button.setGeometry(w - 88, 24, 72, 48)
        hw = min(w - 48, 900)
        hh = self.hint.heightForWidth(hw) if self.hint.text() else 56
        self.hint.setGeometry((w - hw) // 2, self.height() - max(56, hh) - 32, hw, max(56, hh))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0))
        cur = self._current
        if cur is not None:
            img = cur.frame.image
            qimg = wrap_bgr(img)
            h, w = img.shape[:2]
            scale = min(self.width() / w, self.height() / h)
            dw, dh = w * scale, h * scale
            target = QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            if self.mirror:
                p.save()
                p.translate(self.width(), 0)
                p.scale(-1, 1)
                p.drawImage(target, qimg)
                p.restore()
            else:
                p.drawImage(target, qimg)
            if cur is not self._last_counted:  # overlay-only repaints are not new frames
                self._last_counted = cur
                now = time.monotonic()
                self.paint_meter.tick(now)
                self.painted += 1
                if len(self.latencies_ms) < 100_000:
                    self.latencies_ms.append((now - cur.frame.captured_at) * 1000)
        if self.overlay_text:
            big = len(self.overlay_text) <= 2
            p.setFont(QFont("DejaVu Sans", 120 if big else 40, QFont.Weight.Bold))
            box = QRectF(0, self.height() * (0.3 if big else 0.72), self.width(), self.height() * 0.25)
            if not big:
                margin = self.width() * 0.15
                p.fillRect(box.adjusted(margin, 10, -margin, -10), QColor(0, 0, 0, 150))
            p.setPen(QColor(255, 255, 255))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, self.overlay_text)
        if self.show_stats and self.stats_text:
            p.setFont(QFont("DejaVu Sans Mono", 14))
            box = QRectF(16, self.height() - 48, min(self.width() - 32, 760), 36)
            p.fillRect(box, QColor(0, 0, 0, 170))
            p.setPen(QColor(240, 240, 240))
            p.drawText(box.adjusted(10, 0, -10, 0), Qt.AlignmentFlag.AlignVCenter, self.stats_text)
        p.end()
