"""Cloud outfit: pick a garment, the customer poses, the cloud makes the picture (with progress);
the result flows into the photo review like any capture. Explains itself when unavailable."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QVBoxLayout, QWidget

from kiosk.config import Garment
from kiosk.outfit.client import OutfitProgress
from kiosk.ui.screens.common import button, clear, money, note, scrolling_list, title

STEPS = {"starting": "Opening a cloud session…", "uploading": "Sending the photo…",
         "processing": "The cloud is making the outfit…", "downloading": "Fetching the picture…",
         "jewelry": "Adding the jewelry…"}


class CloudScreen(QWidget):
    chosen = Signal(str)          # garment id
    cancel = Signal()
    back = Signal()

    def __init__(self, garments: list[Garment], currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.garments, self.currency = garments, currency
        lay = QVBoxLayout(self)
        lay.addWidget(title("Cloud outfit"))
        self.info = note("A full garment change, made by the cloud service from a photo of the "
                         "customer. Takes a little while; up to 3 tries per outfit.")
        lay.addWidget(self.info)
        scroll, self.list = scrolling_list()
        lay.addWidget(scroll, 1)
        self.status = note("")
        lay.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setMinimumHeight(28)
        self.bar.hide()
        lay.addWidget(self.bar)
        self.error = note("", name="error")
        lay.addWidget(self.error)
        self.stop = button("Cancel", "cloud_cancel", primary=False)
        self.stop.clicked.connect(self.cancel)
        self.stop.hide()
        lay.addWidget(self.stop)
        self.leave = button("Back to the catalogue", "cloud_back", primary=False)
        self.leave.clicked.connect(self.back)
        lay.addWidget(self.leave)
        self.tiles: dict[str, QPushButton] = {}
        self.left: dict[str, int] = {}           # tries left per garment for this customer
        self.available, self.reason = True, ""

    def set_available(self, ok: bool, reason: str = "") -> None:
        self.available, self.reason = ok, reason
        self._enable(not self.busy)

    @property
    def busy(self) -> bool:
        return self.stop.isVisible()

    def open(self, tries_left: dict[str, int]) -> None:
        clear(self.list)
        self.tiles = {}
        self.left = {g.id: tries_left.get(g.id, 3) for g in self.garments}
        for g in self.garments:
            left = self.left[g.id]
            price = f" · {money(g.price, g.currency or self.currency)}" if g.price is not None else ""
            b = button(f"{g.name}{price}\n{left} of 3 tries left" if left < 3 else f"{g.name}{price}",
                       f"garment_{g.id}", primary=False)
            b.setStyleSheet("text-align: left;")
            b.clicked.connect(lambda _=False, k=g.id: self.chosen.emit(k))
            self.tiles[g.id] = b
            self.list.addWidget(b)
        self.error.setText("")
        self.status.setText("")
        self.bar.hide()
        self.stop.hide()
        self._enable(True)

    def _enable(self, idle: bool) -> None:
        for gid, b in self.tiles.items():
            b.setEnabled(idle and self.available and self.left.get(gid, 0) > 0)
        if not self.available:
            self.error.setText(self.reason or "The cloud outfit service is not available right now.")

    def working(self, step: str) -> None:
        self._enable(False)
        self.error.setText("")
        self.status.setText(step)
        self.bar.setRange(0, 0)             # busy until the cloud reports a percentage
        self.bar.show()
        self.stop.show()

    def progress(self, p: OutfitProgress) -> None:
        self.status.setText(STEPS.get(p.status, p.status))
        if p.percent is not None:
            self.bar.setRange(0, 100)
            self.bar.setValue(p.percent)

    def failed(self, message: str) -> None:
        self.bar.hide()
        self.stop.hide()
        self.status.setText("")
        self.error.setText(message)
        self._enable(True)

    def finished(self) -> None:
        self.bar.hide()
        self.stop.hide()
        self.status.setText("")
        self._enable(True)
