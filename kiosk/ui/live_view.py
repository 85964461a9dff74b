"""The live mirror: paints the newest processed frame, a stats overlay and a camera banner.

The frame fills the whole view (no letterbox bars): a crop of it with the view's aspect,
chosen by the auto-framing around the customer's face (kiosk.ui.framing). In compare mode the
view is split: the live mirror on one side, a photo of the visit on the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.capture.pipeline import Processed
from kiosk.capture.thread import RateMeter
from kiosk.tryon.engine import HINT_NO_HAND
from kiosk.ui.framing import FaceBox, Framer, Rect, refit
from kiosk.ui.qimage import wrap_bgr
from kiosk.ui.silhouette import draw_hand

CORNER = 96     # the banner keeps clear of the corner buttons (⚙ top left, FPS top right)


@dataclass(frozen=True)
class Comparison:
    """A photo shown beside the live mirror: the image, the face in it when it was taken (the
    photo is a camera frame: frame pixels) and what to call it."""

    image: QImage
    face: FaceBox | None
    label: str


class LiveView(QWidget):
    tapped = Signal()
    banners_changed = Signal()

    def __init__(self, mirror: bool = True, show_stats: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay_text = ""      # "Tap to start", a capture countdown
        self.hand_wanted = False    # a ring or bangle chosen and no hand seen: its outline
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
        self.framer = Framer()
        self.face_source: Callable[[], FaceBox | None] | None = None   # the try-on's face track
        self.crop: Rect | None = None          # what of the newest frame is on screen
        self.comparison: Comparison | None = None
        self.tools: QWidget | None = None      # buttons over the mirror (close-up, compare)

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

    def set_tools(self, tools: QWidget | None) -> None:
        self.tools = tools
        if tools is not None:
            tools.setParent(self)
            tools.raise_()
        self._place_children()

    def show_tools(self, visible: bool) -> None:
        if self.tools is not None:
            self.tools.setVisible(visible)
            self._place_children()       # the hint keeps clear of them

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.comparison = comparison
        self.update()

    def areas(self) -> tuple[QRectF, QRectF | None]:
        """Where the live mirror and the compared photo go. Comparing splits the view across
        its longer side (one above the other in a tall view, side by side in a wide one), so
        each keeps room for the face and the earrings on both sides of it."""
        w, h = float(self.width()), float(self.height())
        if self.comparison is None:
            return QRectF(0, 0, w, h), None
        if h > w:
            return QRectF(0, h / 2, w, h - h / 2), QRectF(0, 0, w, h / 2)
        return QRectF(w / 2, 0, w - w / 2, h), QRectF(0, 0, w / 2, h)

    def show_processed(self, processed: Processed) -> None:
        self._current = processed
        img = processed.frame.image
        area = self.areas()[0]
        face = self.face_source() if self.face_source is not None else None
        self.crop = self.framer.update(int(img.shape[1]), int(img.shape[0]),
                                       max(1.0, area.width()) / max(1.0, area.height()), face,
                                       time.monotonic())
        self.hand_wanted = HINT_NO_HAND in processed.hints
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
        tools = self.tools if self.tools is not None and self.tools.isVisibleTo(self) else None
        tw, th = (tools.sizeHint().width(), tools.sizeHint().height()) if tools is not None else (0, 0)
        # The hint keeps clear of the buttons in the bottom-right corner.
        room = w - 48 - (tw + 16 if tools is not None else 0)
        hw = min(room, 900)
        hh = self.hint.heightForWidth(hw) if self.hint.text() else 56
        self.hint.setGeometry(24 + (room - hw) // 2, self.height() - max(56, hh) - 32, hw, max(56, hh))
        if tools is not None:
            # Bottom right, over a shoulder: the face and the necklace are in the middle.
            tools.setGeometry(w - tw - 16, self.height() - th - 24, tw, th)

    def _draw(self, p: QPainter, target: QRectF, img: QImage, crop: Rect) -> None:
        """`crop` of `img` over the whole of `target`, flipped like a mirror when asked."""
        source = QRectF(crop.x, crop.y, crop.w, crop.h)
        if not self.mirror:
            p.drawImage(target, img, source)
            return
        p.save()
        p.translate(target.x() + target.width(), target.y())
        p.scale(-1, 1)
        p.drawImage(QRectF(0, 0, target.width(), target.height()), img, source)
        p.restore()

    def _label(self, p: QPainter, area: QRectF, text: str) -> None:
        """A caption along the top of one side of the comparison, clear of the FPS button."""
        font = QFont("DejaVu Sans", 15, QFont.Weight.Bold)
        p.setFont(font)
        under_fps = area.x() + area.width() >= self.width() - 1 and area.y() == 0
        box = QRectF(area.x() + 12, area.y() + 24, area.width() - 24 - (96 if under_fps else 0), 48)
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(box.width()) - 16)
        p.fillRect(box, QColor(0, 0, 0, 160))
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, shown)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0))
        cur = self._current
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        area, photo_area = self.areas()
        comparing = self.comparison
        if comparing is not None and photo_area is not None:
            crop = self.framer.still(comparing.image.width(), comparing.image.height(),
                                     photo_area.width() / max(1.0, photo_area.height()), comparing.face)
            self._draw(p, photo_area, comparing.image, crop)
            self._label(p, photo_area, comparing.label)
        if cur is not None:
            img = cur.frame.image
            qimg = wrap_bgr(img)
            h, w = img.shape[:2]
            # Refit: the view may have been resized since the crop was chosen for this frame.
            crop = refit(self.crop or Rect(0, 0, w, h), area.width() / max(1.0, area.height()), w, h)
            self._draw(p, area, qimg, crop)
            if comparing is not None:
                self._label(p, area, "Now")
            if cur is not self._last_counted:  # overlay-only repaints are not new frames
                self._last_counted = cur
                now = time.monotonic()
                self.paint_meter.tick(now)
                self.painted += 1
                if len(self.latencies_ms) < 100_000:
                    self.latencies_ms.append((now - cur.frame.captured_at) * 1000)
        if self.hand_wanted and comparing is None:
            draw_hand(p, area)
        if self.overlay_text.startswith("●"):
            # A recording's timer: small, at the top, out of the way of the pieces being filmed.
            p.setFont(QFont("DejaVu Sans", 20, QFont.Weight.Bold))
            box = QRectF(area.left() + 16, area.top() + 16, 300, 44)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 160))
            p.drawRoundedRect(box, 22, 22)
            p.setPen(QColor(255, 90, 80))
            p.drawText(box.adjusted(16, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "●")
            p.setPen(QColor(255, 255, 255))
            timer = self.overlay_text[1:].strip()
            p.drawText(box.adjusted(44, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, timer)
        elif self.overlay_text:
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
