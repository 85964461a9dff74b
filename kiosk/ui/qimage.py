from __future__ import annotations

from PySide6.QtGui import QImage

from kiosk.capture.base import Image


def wrap_bgr(img: Image) -> QImage:
    """A QImage over the numpy buffer itself (no copy). Keep ``img`` alive while it is used."""
    h, w = img.shape[:2]
    return QImage(img.data, w, h, int(img.strides[0]), QImage.Format.Format_BGR888)
