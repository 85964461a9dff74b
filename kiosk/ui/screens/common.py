"""Small widgets the screens share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.format import money as money  # screens format prices like the share pages
from kiosk.ui.theme import MIN_TOUCH_PX


def title(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("title")
    label.setWordWrap(True)
    return label


def note(text: str = "", parent: QWidget | None = None, name: str = "subtitle") -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def button(text: str, name: str, primary: bool = True, checkable: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setMinimumHeight(MIN_TOUCH_PX + 8)
    b.setCheckable(checkable)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if not primary:
        b.setProperty("secondary", True)
    return b


def clear(layout: QLayout) -> None:
    """Remove and delete every widget in a layout."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget() if item is not None else None
        if w is not None:
            w.hide()               # gone now, not when the event loop gets round to it
            w.deleteLater()


def action_row(back: tuple[str, str], go: tuple[str, str]) -> tuple[QHBoxLayout, QPushButton, QPushButton]:
    """The bottom row of a screen: a secondary action and a wider main one (text, name)."""
    row = QHBoxLayout()
    secondary = button(back[0], back[1], primary=False)
    main = button(go[0], go[1])
    row.addWidget(secondary)
    row.addWidget(main, 2)
    return row, secondary, main


def scrolling_list() -> tuple[QScrollArea, QVBoxLayout]:
    """A top-aligned column that scrolls when it outgrows the screen (choices, tiles)."""
    host = QWidget()
    column = QVBoxLayout(host)
    column.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(host)
    return scroll, column
