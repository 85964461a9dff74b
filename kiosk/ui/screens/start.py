"""Start a customer session: optional name, phone, email (validated) and the face consent."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.session.contact import normalise_phone, valid_email
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import Switch, action_row, button, labelled, note, title


class StartScreen(QWidget):
    started = Signal(str, str, str, bool)     # name, phone (E.164 or ""), email, consent
    cancelled = Signal()
    switch_seller = Signal()
    switch_jeweler = Signal()
    forget_data = Signal()

    def __init__(self, consent_text: str, country_code: str, face_enabled: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country_code = country_code
        lay = QVBoxLayout(self)
        # Every pixel counts on a 1024x768 landscape screen: the keyboard must keep full keys.
        # The top margin is the title's own: a title touching the screen's edge looks cut off.
        lay.setContentsMargins(8, 14, 8, 4)
        lay.setSpacing(4)
        self.heading = title("New customer")
        lay.addWidget(self.heading)
        people = QHBoxLayout()
        self.seller = button("", "switch_seller", primary=False)
        self.seller.clicked.connect(self.switch_seller)
        self.seller.hide()
        people.addWidget(self.seller, 1)
        self.jeweler = button("Other jeweler", "switch_jeweler", primary=False)
        self.jeweler.clicked.connect(self.switch_jeweler)
        self.jeweler.hide()
        people.addWidget(self.jeweler, 1)
        people.addStretch(0)
        forget = button("Forget customer", "to_forget", primary=False)
        forget.clicked.connect(self.forget_data)
        people.addWidget(forget, 1)
        for b in (self.seller, self.jeweler, forget):     # three across a portrait screen
            b.setStyleSheet("padding: 6px 6px; font-size: 17px; min-width: 0;")
        lay.addLayout(people)
        self.keyboard = Keyboard()
        self.name = self.keyboard.field("e.g. Priya Sharma", "name", height=46)
        self.name.setProperty("capitalize", True)
        self.phone = self.keyboard.field("e.g. 98123 45678", "phone", "phone", height=46)
        self.email = self.keyboard.field("e.g. name@example.com", "email", height=46)
        lay.addWidget(labelled("Name (optional, like everything here)", self.name))
        # Phone and email side by side: each label takes a line, and the keys need the height.
        contact = QHBoxLayout()
        contact.addWidget(labelled(f"Phone ({country_code} is added)", self.phone), 1)
        contact.addWidget(labelled("Email", self.email), 1)
        lay.addLayout(contact)
        self.consent = Switch("Remember my face for next time", "consent")
        self.consent_text = note(consent_text, name="fine")
        self.consent.setVisible(face_enabled)
        self.consent_text.setVisible(face_enabled)
        lay.addWidget(self.consent)
        lay.addWidget(self.consent_text)
        self.error = note("", name="error")
        self.error.hide()
        lay.addWidget(self.error)
        lay.addWidget(self.keyboard, 1)
        row, self.cancel, self.start = action_row(("Cancel", "cancel"), ("Start try-on", "start"))
        lay.addLayout(row)
        self.start.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled)
        self.keyboard.attach(self.name, "letters")

    def show_seller(self, name: str | None) -> None:
        self.seller.setText(f"Seller: {name}" if name else "")
        self.seller.setVisible(bool(name))

    def show_jeweler(self, name: str, can_change: bool) -> None:
        self.heading.setText(f"New customer · {name}" if can_change else "New customer")
        self.jeweler.setVisible(can_change)

    def reset(self) -> None:
        for e in (self.name, self.phone, self.email):
            e.clear()
        self.consent.setChecked(False)
        self.error.setText("")
        self.error.hide()
        self.name.setFocus()
        self.keyboard.attach(self.name, "letters")

    def _submit(self) -> None:
        phone = normalise_phone(self.phone.text(), self.country_code)
        email = self.email.text().strip()
        problems = []
        if phone is None:
            problems.append("The phone number does not look right: digits only, e.g. 98123 45678 "
                            f"(the country code {self.country_code} is added).")
        if email and not valid_email(email):
            problems.append("The email address does not look right, e.g. name@example.com.")
        name = " ".join(self.name.text().split())
        if len(name) > 120:
            problems.append("The name is too long.")
        if problems:
            self.error.setText(" ".join(problems))
            self.error.show()
            return
        self.error.setText("")
        self.error.hide()
        self.started.emit(name, phone or "", email, self.consent.isChecked())
