"""The outline of an open hand, back to the mirror, drawn where the customer should hold theirs
when a ring or bangle is chosen and no hand is seen ("show your hand")."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform

# Fingers as (x of the base, length, width) in units of the palm's width, thumb apart; a right
# hand seen from its back in a mirror reads the same for a left one seen from its palm.
FINGERS = ((0.12, 0.78, 0.2), (0.37, 0.9, 0.21), (0.62, 0.84, 0.2), (0.86, 0.64, 0.17))


def _rounded(r: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(r, radius, radius)
    return path


def hand_path(box: QRectF) -> QPainterPath:
    """The hand filling `box` (wrist at the bottom), as one outline."""
    # Fingers 0.9, palm 1.05 and wrist 0.35 palm-widths tall; the thumb leans 0.45 out.
    palm_w = min(box.width() / 1.5, box.height() / 2.3)
    palm_h = palm_w * 1.05
    x0 = box.left() + 0.45 * palm_w
    top = box.top() + 0.9 * palm_w
    path = _rounded(QRectF(x0, top, palm_w, palm_h), palm_w * 0.18)
    path = path.united(_rounded(QRectF(x0 + palm_w * 0.16, top + palm_h * 0.8, palm_w * 0.68,
                                       palm_w * 0.35 + palm_h * 0.2), palm_w * 0.1))   # the wrist
    for fx, length, width in FINGERS:
        w, h = palm_w * width, palm_w * length
        cx = x0 + palm_w * fx
        path = path.united(_rounded(QRectF(cx - w / 2, top - h + w / 2, w, h), w / 2))
    tw, th = palm_w * 0.24, palm_w * 0.62
    # The thumb leans out from the palm's lower side.
    t = QTransform()
    t.translate(x0 + palm_w * 0.02, top + palm_h * 0.72)
    t.rotate(-42)
    return path.united(t.map(_rounded(QRectF(-tw / 2, -th, tw, th), tw / 2)))


def draw_hand(p: QPainter, area: QRectF) -> None:
    """A soft white outline in the mirror's right half, half its height."""
    h = area.height() * 0.5
    box = QRectF(area.left() + area.width() * 0.62, area.top() + area.height() * 0.25, h * 0.8, h)
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(255, 255, 255, 40))
    pen = QPen(QColor(255, 255, 255, 200), max(2.0, h / 90))
    pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawPath(hand_path(box))
    p.restore()

