"""End of the visit: sale or not, amount, what was bought (from what was tried), notes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import action_row, button, money, note, title


class EndScreen(QWidget):
    finished = Signal(bool, float, list, str)     # sale_made, amount, purchased ids, notes
    back = Signal()
    forget_face = Signal()

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(title("End of visit"))
        row = QHBoxLayout()
        self.sale = button("Sale made", "sale_yes", primary=False, checkable=True)
        self.no_sale = button("No sale", "sale_no", primary=False, checkable=True)
        self.sale.clicked.connect(lambda: self._sale(True))
        self.no_sale.clicked.connect(lambda: self._sale(False))
        row.addWidget(self.sale)
        row.addWidget(self.no_sale)
        lay.addLayout(row)
        self.items_label = note("Bought (from what was tried):")
        lay.addWidget(self.items_label)
        # What was tried can be a long list: it scrolls, two per row.
        self.items_host = QWidget()
        self.items_box = QGridLayout(self.items_host)
        self.items_box.setContentsMargins(0, 0, 0, 0)
        self.items_box.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.items_host)
        scroller.setMinimumHeight(64)
        lay.addWidget(scroller, 1)
        self.keyboard = Keyboard()
        self.amount = self.keyboard.field("", "amount", "phone", height=56)
        self.set_currency(currency)
        self.notes = self.keyboard.field("Notes (optional)", "notes", height=56)
        fields = QHBoxLayout()
        fields.addWidget(self.amount, 1)
        fields.addWidget(self.notes, 2)
        lay.addLayout(fields)
        self.error = note("", name="error")
        lay.addWidget(self.error)
        # For a customer who opted in to face recognition and changes their mind.
        self.forget = button("Forget this customer's face", "forget_face", primary=False)
        self.forget.clicked.connect(self.forget_face)
        lay.addWidget(self.forget)
        lay.addWidget(self.keyboard, 2)
        bottom, self.back_button, self.finish = action_row(("Back", "back"), ("Finish visit", "finish"))
        lay.addLayout(bottom)
        self.back_button.clicked.connect(self.back)
        self.finish.clicked.connect(self._submit)
        self.item_buttons: dict[str, QPushButton] = {}
        self.prices: dict[str, float] = {}

    def set_currency(self, currency: str) -> None:
        self.currency = currency
        self.amount.setPlaceholderText(f"Amount ({currency})")

    def prepare(self, tried: list[tuple[str, str, float | None]], face_kept: bool = False) -> None:
        """tried: (id, name, price) of every piece tried in this visit; face_kept: the customer
        consented to face recognition in this visit."""
        self.forget.setVisible(face_kept)
        self.forget.setEnabled(True)
        self.forget.setText("Forget this customer's face")
        for b in self.item_buttons.values():
            b.deleteLater()
        self.item_buttons, self.prices = {}, {}
        for i, (pid, name, price) in enumerate(tried):
            b = button(f"{name}\n{money(price, self.currency)}", f"bought_{pid}", primary=False,
                       checkable=True)
            b.setMinimumHeight(64)
            b.clicked.connect(self._sum)
            self.items_box.addWidget(b, i // 2, i % 2)
            self.item_buttons[pid] = b
            self.prices[pid] = price or 0.0
        self.items_label.setVisible(bool(tried))
        self.sale.setChecked(False)
        self.no_sale.setChecked(False)
        self.amount.clear()
        self.notes.clear()
        self.error.setText("")
        self._sale(None)

    def face_forgotten(self, text: str) -> None:
        self.forget.setText("Face record deleted")
        self.forget.setEnabled(False)
        self.error.setText(text)

    def _sale(self, made: bool | None) -> None:
        if made is not None:
            self.sale.setChecked(made)
            self.no_sale.setChecked(not made)
        on = bool(made)
        self.amount.setEnabled(on)
        for b in self.item_buttons.values():
            b.setEnabled(on)

    def _sum(self) -> None:
        total = sum(self.prices[p] for p, b in self.item_buttons.items() if b.isChecked())
        if total:
            self.amount.setText(f"{total:.0f}")

    def _submit(self) -> None:
        if not (self.sale.isChecked() or self.no_sale.isChecked()):
            self.error.setText("Was there a sale? Tap “Sale made” or “No sale”.")
            return
        made = self.sale.isChecked()
        amount = 0.0
        if made:
            text = self.amount.text().replace(",", "").strip()
            try:
                amount = float(text) if text else 0.0
            except ValueError:
                self.error.setText("The amount must be a number, e.g. 45000.")
                return
            if amount < 0:
                self.error.setText("The amount cannot be negative.")
                return
        bought = [p for p, b in self.item_buttons.items() if b.isChecked()] if made else []
        self.finished.emit(made, amount, bought, self.notes.text().strip())
