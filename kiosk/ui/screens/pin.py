"""PIN entry: a big digit pad; the PIN is compared as a sha256 hash, never stored in clear."""

from __future__ import annotations

import hashlib
import hmac

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.screens.common import action_row, note, title
from kiosk.ui.theme import MIN_TOUCH_PX


def pin_matches(pin: str, sha256_hex: str) -> bool:
    return hmac.compare_digest(hashlib.sha256(pin.encode()).hexdigest(), sha256_hex)


class PinPad(QWidget):
    """Title, masked digits, 0-9 pad; emits the PIN when OK is tapped."""

    entered = Signal(str)
    cancelled = Signal()

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pin = ""
        lay = QVBoxLayout(self)
        self.heading = title(heading)
        lay.addWidget(self.heading)
        self.dots = QLabel("")
        self.dots.setObjectName("title")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.dots)
        self.error = note("", name="error")
        lay.addWidget(self.error)
        grid = QGridLayout()
        for i, key in enumerate("123456789⌫0"):
            b = QPushButton(key)
            b.setObjectName(f"pin_{key}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumSize(MIN_TOUCH_PX + 24, MIN_TOUCH_PX + 16)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.setStyleSheet("font-size: 30px; background: #2c2a26; color: #f4f1ea;")
            b.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
        lay.addLayout(grid, 1)
        row, self.cancel, self.ok = action_row(("Cancel", "pin_cancel"), ("OK", "pin_ok"))
        lay.addLayout(row)
        self.ok.clicked.connect(lambda: self.entered.emit(self.pin))
        self.cancel.clicked.connect(self.cancelled)

    def press(self, key: str) -> None:
        self.pin = self.pin[:-1] if key == "⌫" else (self.pin + key)[:8]
        self.dots.setText("●" * len(self.pin))
        self.error.setText("")

    def reset(self, heading: str | None = None, error: str = "") -> None:
        if heading:
            self.heading.setText(heading)
        self.pin = ""
        self.dots.setText("")
        self.error.setText(error)
