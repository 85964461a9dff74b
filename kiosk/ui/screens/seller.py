"""Seller sign-in: pick your name, enter your PIN. Sets the seller_id of the visits that follow."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.config import SellerConfig
from kiosk.ui.screens.common import button, note, title
from kiosk.ui.screens.pin import PinPad, pin_matches


class SellerScreen(QWidget):
    signed_in = Signal(str, str)      # seller id, name
    cancelled = Signal()

    def __init__(self, sellers: list[SellerConfig], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sellers = {s.id: s for s in sellers}
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)
        pick = QWidget()
        lay = QVBoxLayout(pick)
        lay.addWidget(title("Who is serving?"))
        lay.addWidget(note("Tap your name, then enter your PIN."))
        for s in sellers:
            b = button(s.name, f"seller_{s.id}", primary=False)
            b.clicked.connect(lambda _=False, sid=s.id: self._choose(sid))
            lay.addWidget(b)
        lay.addStretch(1)
        back = button("Cancel", "seller_cancel", primary=False)
        back.clicked.connect(self.cancelled)
        lay.addWidget(back)
        self.pin = PinPad("PIN")
        self.pin.entered.connect(self._check)
        self.pin.cancelled.connect(self.reset)
        self.pages.addWidget(pick)
        self.pages.addWidget(self.pin)
        self.chosen: str | None = None

    def reset(self) -> None:
        self.chosen = None
        self.pages.setCurrentIndex(0)

    def _choose(self, seller_id: str) -> None:
        self.chosen = seller_id
        self.pin.reset(f"PIN for {self.sellers[seller_id].name}")
        self.pages.setCurrentIndex(1)

    def _check(self, pin: str) -> None:
        s = self.sellers.get(self.chosen or "")
        if s is None:
            self.reset()
            return
        if not pin_matches(pin, s.pin_sha256):
            self.pin.reset(error="That PIN is not right. Try again.")
            return
        self.reset()
        self.signed_in.emit(s.id, s.name)
