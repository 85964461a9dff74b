"""The ring and bangle sizes on the catalogue, for the seller: what the customer's finger or
hand suggests (kiosk/tryon/sizing.py), with "Add to notes" so the estimate goes into the
visit's notes on the end screen (and from there into session.ended's `notes`).

Read from the try-on stage twice a second (the stage computes them on the worker thread),
shown only while a hand piece is worn and a hand is in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.screens.common import button, note

if TYPE_CHECKING:
    from kiosk.ui.visit_screen import VisitScreen

POLL_MS = 500


class SizeLine(QObject):
    def __init__(self, visit: VisitScreen) -> None:
        super().__init__(visit)
        self.visit = visit
        self.noted: list[str] = []
        self.host = QWidget()
        self.host.setObjectName("sizes")
        row = QHBoxLayout(self.host)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = note("", name="sizes_text")
        self.label.setWordWrap(True)
        # How to measure closer (the size card): shown beside the estimate, never noted.
        self.tip = note("", name="sizes_tip")
        self.tip.setWordWrap(True)
        self.tip.setStyleSheet("font-size: 14px; font-style: italic;")
        self.tip.hide()
        self.add_button: QPushButton = button("Add to notes", "sizes_note", primary=False)
        self.add_button.setStyleSheet("min-width: 0; padding: 6px 10px; font-size: 16px;")
        self.add_button.clicked.connect(self.add_to_notes)
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.addWidget(self.label)
        text.addWidget(self.tip)
        row.addLayout(text, 1)
        row.addWidget(self.add_button)
        self.host.hide()
        cat = visit.catalogue
        lay = cat.layout()
        if isinstance(lay, QBoxLayout):
            # Above the photo buttons, under the tiles: where the seller looks after a tap.
            lay.insertWidget(lay.count() - 1, self.host)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.lines: tuple[str, ...] = ()

    def refresh(self) -> None:
        stage = self.visit.stage
        lines = tuple(getattr(stage, "sizes", ())) if stage is not None else ()
        tip = str(getattr(stage, "size_tip", "")) if stage is not None and lines else ""
        if tip != self.tip.text():
            self.tip.setText(tip)
            self.tip.setVisible(bool(tip))
        if lines == self.lines:
            return
        self.lines = lines
        self.label.setText("\n".join(lines))
        self.host.setVisible(bool(lines))
        self.add_button.setEnabled(any(x not in self.noted for x in lines))

    def add_to_notes(self) -> None:
        for line in self.lines:
            if line not in self.noted:
                self.noted.append(line)
        self.add_button.setEnabled(False)
        self.visit.catalogue.show_badge("Size added to the notes")

    def notes_text(self) -> str:
        return "; ".join(self.noted)

    def reset(self) -> None:
        """A new visit: nothing noted, nothing shown."""
        self.noted.clear()
        self.lines = ()
        self.label.setText("")
        self.tip.setText("")
        self.tip.hide()
        self.host.hide()
