"""Delete a customer's data on request: found by phone number, confirmed with a second tap."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.session.contact import normalise_phone
from kiosk.store import StoreError
from kiosk.store.privacy import Forgotten
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import action_row, note, title


def forgotten_text(out: Forgotten, who: str) -> str:
    if not out.local_ids:
        return (f"No face record is kept for {who}. Contact details on past visits were cleared."
                if who.startswith("+") else "No face record was kept for this customer.")
    text = f"Deleted: the face record and photo of {who}, kept on this kiosk."
    if out.cloud_ids:
        text += (" Head office already had it: their name and phone are being blanked there; "
                 "ask the technician to have the face record removed too.")
    return text


class ForgetScreen(QWidget):
    closed = Signal()

    def __init__(self, country_code: str, forget: Callable[[str], Forgotten],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country_code, self.forget = country_code, forget
        lay = QVBoxLayout(self)
        lay.addWidget(title("Delete a customer's data"))
        lay.addWidget(note("For a customer who asks to be forgotten: their face record, photo and the "
                           "contact details of their visits are deleted from this kiosk."))
        self.keyboard = Keyboard()
        self.phone = self.keyboard.field(f"Customer's phone (e.g. 98123 45678, {country_code} added)",
                                         "forget_phone", "phone", height=56)
        self.phone.textEdited.connect(self._edited)
        lay.addWidget(self.phone)
        self.message = note("", name="error")
        lay.addWidget(self.message)
        lay.addWidget(self.keyboard, 1)
        row, self.back, self.delete = action_row(("Back", "forget_back"), ("Delete", "forget_delete"))
        lay.addLayout(row)
        self.back.clicked.connect(self.closed)
        self.delete.clicked.connect(self._delete)
        self.armed: str | None = None

    def reset(self) -> None:
        self.phone.clear()
        self.message.setText("")
        self.armed = None
        self.delete.setText("Delete")
        self.keyboard.attach(self.phone, "phone")
        self.phone.setFocus()

    def _edited(self) -> None:
        self.armed = None
        self.delete.setText("Delete")

    def _delete(self) -> None:
        phone = normalise_phone(self.phone.text(), self.country_code)
        if not phone:
            self.message.setText("Type the customer's phone number, e.g. 98123 45678.")
            return
        if self.armed != phone:          # a second tap confirms: deletion cannot be undone
            self.armed = phone
            self.delete.setText("Tap again to delete")
            self.message.setText(f"Delete everything kept for {phone}? This cannot be undone.")
            return
        self.armed = None
        self.delete.setText("Delete")
        try:
            out = self.forget(phone)
        except StoreError as e:
            self.message.setText(f"Nothing was deleted: {e}. Call the technician.")
            return
        self.message.setText(forgotten_text(out, phone))
        self.phone.clear()
