"""On-screen keyboard: the kiosk compositor has no system virtual keyboard.

Keys never take focus, so the field being typed into keeps it. Two layouts: letters (names,
emails) and a phone pad.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from kiosk.ui.screens.common import clear
from kiosk.ui.theme import MIN_TOUCH_PX

LETTERS = ["1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm.-_"]
PHONE = ["123", "456", "789", "+0"]
BACKSPACE = "⌫"


class Keyboard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        self.mode = ""
        self.grid = QGridLayout(self)
        self.grid.setSpacing(4)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.set_mode("letters")

    def field(self, placeholder: str, name: str, mode: str = "letters", height: int = 52) -> QLineEdit:
        """A text field that brings this keyboard up, in `mode`, when it takes focus."""
        e = _Field(self, mode)
        e.setObjectName(name)
        e.setPlaceholderText(placeholder)
        e.setMinimumHeight(height)
        return e

    def attach(self, edit: QLineEdit, mode: str) -> None:
        self.target = edit
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        clear(self.grid)
        rows = PHONE if mode == "phone" else LETTERS
        for r, row in enumerate(rows):
            for c, ch in enumerate(row):
                self._key(ch, r, c)
        last = len(rows)
        if mode == "phone":
            self._key(BACKSPACE, last - 1, 2)
        else:
            self._key("space", last, 0, span=7)
            self._key(BACKSPACE, last, 7, span=3)

    def _key(self, label: str, row: int, col: int, span: int = 1) -> None:
        b = QPushButton(label, self)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setMinimumSize(MIN_TOUCH_PX, MIN_TOUCH_PX)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.setStyleSheet("min-width: 0; padding: 0; background: #2c2a26; color: #f4f1ea; font-size: 22px;")
        b.setObjectName(f"key_{label}")
        b.clicked.connect(lambda _=False, k=label: self.press(k))
        self.grid.addWidget(b, row, col, 1, span)

    def press(self, key: str) -> None:
        if self.target is None:
            return
        if key == BACKSPACE:
            self.target.backspace()
        elif key == "space":
            self.target.insert(" ")
        else:
            shift = self.target.property("capitalize") and self.target.text()[-1:] in ("", " ")
            self.target.insert(key.upper() if shift else key)


class _Field(QLineEdit):
    # The field itself reacts to focus (no event filter on another object, which could
    # outlive or predecease it while a screen is torn down).
    def __init__(self, keyboard: Keyboard, mode: str) -> None:
        super().__init__()
        self.keyboard, self.mode = keyboard, mode

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.keyboard.attach(self, self.mode)
        super().focusInEvent(event)
