"""Whose collection: one big tile per jeweler (logo, name, brand colour) when a store serves several."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.catalog.brands import Brand, monogram
from kiosk.ui.screens.common import button, clear, note, scrolling_list, title

LOGO_PX = 72


def logo_pixmap(brand: Brand, px: int) -> QPixmap:
    """The logo scaled to `px` high; a monogram when there is none or Qt cannot read it."""
    pm = QPixmap(str(brand.logo)) if brand.logo is not None else QPixmap()
    if pm.isNull():
        pm.loadFromData(monogram(brand.name, brand.accent, px * 2), "PNG")
    return pm.scaledToHeight(px, Qt.TransformationMode.SmoothTransformation)


class JewelerScreen(QWidget):
    chosen = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(title("Whose collection?"))
        lay.addWidget(note("This store shows several jewelers. Tap the one the customer came for."))
        scroll, self.list = scrolling_list()
        lay.addWidget(scroll, 1)
        self.back = button("Cancel", "jeweler_cancel", primary=False)
        self.back.clicked.connect(self.cancelled)
        lay.addWidget(self.back)
        self.tiles: dict[str, QPushButton] = {}

    def show_brands(self, brands: list[Brand]) -> None:
        clear(self.list)
        self.tiles = {}
        for b in brands:
            t = button(f"  {b.name}", f"jeweler_{b.id}", primary=False)
            t.setMinimumHeight(LOGO_PX + 24)
            edge = b.accent or "#4a453d"
            t.setStyleSheet(f"text-align: left; font-size: 24px; border-left: 12px solid {edge};")
            pm = logo_pixmap(b, LOGO_PX)
            t.setIcon(QIcon(pm))
            t.setIconSize(QSize(pm.width(), LOGO_PX))
            t.clicked.connect(lambda _=False, k=b.id: self.chosen.emit(k))
            self.tiles[b.id] = t
            self.list.addWidget(t)
