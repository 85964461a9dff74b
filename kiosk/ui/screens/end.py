"""End of the visit: sale or not, amount, what was bought, notes.

What was bought is picked from what was tried, plus "+ Another piece" for a piece bought
without trying it (from the visit's jeweler's pieces): seed 000's ``purchased_items`` lists
everything bought, so it agrees with ``sale_amount``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.pieces import Piece
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import action_row, button, labelled, message, money, note, title
from kiosk.ui.screens.pick import PiecePicker


class EndScreen(QWidget):
    finished = Signal(bool, float, list, str)     # sale_made, amount, purchased ids, notes
    back = Signal()
    forget_face = Signal()

    def __init__(self, currency: str, offered: Callable[[], list[Piece]] = lambda: [],
                 parent: QWidget | None = None) -> None:
        """offered: the pieces the seller may sell in this visit (its jeweler's, listed)."""
        super().__init__(parent)
        self.offered = offered
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        form = QWidget()
        self.pages.addWidget(form)
        self.picker = PiecePicker()
        self.picker.picked.connect(self._picked)
        self.picker.cancelled.connect(lambda: self.pages.setCurrentIndex(0))
        self.pages.addWidget(self.picker)
        lay = QVBoxLayout(form)
        lay.addWidget(title("End of visit"))
        row = QHBoxLayout()
        self.sale = button("Sale made", "sale_yes", primary=False, checkable=True)
        self.no_sale = button("No sale", "sale_no", primary=False, checkable=True)
        self.sale.clicked.connect(lambda: self._sale(True))
        self.no_sale.clicked.connect(lambda: self._sale(False))
        row.addWidget(self.sale)
        row.addWidget(self.no_sale)
        lay.addLayout(row)
        self.items_label = note("Bought:")
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
        self.another = button("+ Another piece (not tried)", "bought_another", primary=False)
        self.another.clicked.connect(self._to_picker)
        lay.addWidget(self.another)
        self.keyboard = Keyboard()
        self.amount = self.keyboard.field("e.g. 45000", "amount", "phone", height=52)
        self.notes = self.keyboard.field("e.g. will come back with her sister", "notes", height=52)
        fields = QHBoxLayout()
        self.amount_label = QLabel()
        fields.addWidget(labelled(self.amount_label, self.amount), 1)
        fields.addWidget(labelled("Notes (optional)", self.notes), 2)
        lay.addLayout(fields)
        self.amount.textChanged.connect(self._say_amount)
        self.set_currency(currency)
        self.error = message()
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
        self._say_amount(self.amount.text())

    def _say_amount(self, text: str) -> None:
        """The label reads the figure back in the jeweler's currency, as the photo and the share
        page write it: a seller sees at once a zero too many."""
        try:
            value: float | None = float(text.replace(",", "").strip())
        except ValueError:
            value = None
        shown = f"Amount: {money(value, self.currency)}" if value is not None else f"Amount ({self.currency})"
        self.amount_label.setText(shown)

    def prepare(self, tried: list[tuple[str, str, float | None]], face_kept: bool = False) -> None:
        """tried: (id, name, price) of every piece tried in this visit; face_kept: the customer
        consented to face recognition in this visit."""
        self.forget.setVisible(face_kept)
        self.forget.setEnabled(True)
        self.forget.setText("Forget this customer's face")
        for b in self.item_buttons.values():
            b.deleteLater()
        self.item_buttons, self.prices = {}, {}
        for pid, name, price in tried:
            self._item(pid, name, price)
        self.pages.setCurrentIndex(0)
        self.sale.setChecked(False)
        self.no_sale.setChecked(False)
        self.amount.clear()
        self.notes.clear()
        self.error.setText("")
        self._sale(None)

    def _item(self, pid: str, name: str, price: float | None) -> QPushButton:
        b = button(f"{name}\n{money(price, self.currency)}", f"bought_{pid}", primary=False, checkable=True)
        b.setMinimumHeight(64)
        b.setStyleSheet("padding: 4px 8px; min-width: 0;")      # two names across, beside the scroll bar
        b.clicked.connect(self._sum)
        n = len(self.item_buttons)
        self.items_box.addWidget(b, n // 2, n % 2)
        b.show()                 # added to a shown screen: not visible until told (Qt)
        self.item_buttons[pid] = b
        self.prices[pid] = price or 0.0
        return b

    def _to_picker(self) -> None:
        left = [p for p in self.offered() if p.id not in self.item_buttons]
        self.picker.open(left, self.currency)
        self.pages.setCurrentWidget(self.picker)

    def _picked(self, pid: str) -> None:
        """A piece bought without trying it: on the list, ticked, counted in the amount."""
        piece = next((p for p in self.offered() if p.id == pid), None)
        self.pages.setCurrentIndex(0)
        if piece is None or pid in self.item_buttons:
            return
        self._item(piece.id, piece.name, piece.price).setChecked(True)
        self._sum()

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
        self.another.setEnabled(on)
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
