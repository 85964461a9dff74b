"""A bought piece the customer did not try: a searchable list of the visit's jeweler's pieces,
typed on the in-app keyboard like the catalogue's search."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.catalog.pieces import Piece
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import button, clear, money, note, scrolling_list, title

MOST = 40            # buttons drawn at once; typing narrows the rest down
LABELS = {"earring": "Earrings", "necklace": "Necklace", "nose_ring": "Nose ring",
          "maang_tikka": "Maang tikka", "set": "Set"}


def matches(piece: Piece, terms: list[str]) -> bool:
    """Every typed word in the name, style or category (as the catalogue's search)."""
    text = f"{piece.name} {piece.style} {piece.category}".lower().replace("_", " ")
    return all(t in text for t in terms)


class PiecePicker(QWidget):
    picked = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(title("Add a piece that was bought"))
        self.keyboard = Keyboard()
        self.search = self.keyboard.field("Name or style, e.g. jhumka", "pick_search")
        self.search.textChanged.connect(self._fill)
        lay.addWidget(self.search)
        self.info = note("")
        lay.addWidget(self.info)
        scroll, self.column = scrolling_list()
        lay.addWidget(scroll, 1)
        lay.addWidget(self.keyboard)
        self.cancel = button("Cancel", "pick_cancel", primary=False)
        self.cancel.clicked.connect(self.cancelled)
        lay.addWidget(self.cancel)
        self.pieces: list[Piece] = []
        self.currency = ""
        self.results: dict[str, QPushButton] = {}

    def open(self, pieces: list[Piece], currency: str) -> None:
        self.pieces = sorted(pieces, key=lambda p: (p.name.lower(), p.id))
        self.currency = currency
        self.search.clear()
        self._fill("")
        self.search.setFocus()

    def _fill(self, text: str) -> None:
        clear(self.column)
        self.results = {}
        found = [p for p in self.pieces if matches(p, text.lower().split())]
        for p in found[:MOST]:
            kind = LABELS.get(p.category, p.category)
            text = f"{p.name}  ·  {kind}  ·  {money(p.price, self.currency)}"
            b = button(text, f"pick_{p.id}", primary=False)
            b.clicked.connect(lambda _=False, k=p.id: self.picked.emit(k))
            self.column.addWidget(b)
            self.results[p.id] = b
        if not self.pieces:
            self.info.setText("Every piece of this collection is on the list already.")
        elif not found:
            self.info.setText(f"No piece matches “{text.strip()}”.")
        elif len(found) > MOST:
            self.info.setText(f"{len(found) - MOST} more: type part of the name to narrow the list.")
        else:
            self.info.setText("")
