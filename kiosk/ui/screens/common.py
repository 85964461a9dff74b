"""Small widgets the screens share."""

from __future__ import annotations

from PySide6.QtCore import Property, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.money import money as money  # screens format prices like the share pages
from kiosk.ui.theme import ACCENT, MIN_TOUCH_PX


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


class Message(QLabel):
    """A line that takes room only while it says something (an error under a form): an empty
    one cost the keyboard its last row on a 1024x768 screen."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def message(name: str = "error") -> Message:
    label = Message()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.hide()
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


def labelled(text: str | QLabel, field: QWidget, parent: QWidget | None = None) -> QWidget:
    """A field with its name above it (a text, or a label the screen keeps to change it): a
    placeholder alone vanishes once the field is filled, and a seller checking the form no
    longer sees which line is the phone."""
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    label = text if isinstance(text, QLabel) else QLabel(text)
    label.setObjectName("fieldLabel")
    label.setBuddy(field)
    lay.addWidget(label)
    lay.addWidget(field)
    return box


class Switch(QAbstractButton):
    """An on/off choice drawn as a switch that says "On" or "Off" in words: a highlighted
    button alone does not tell which colour means yes."""

    TRACK_W, TRACK_H = 104, 40

    def __init__(self, text: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accent = QColor(ACCENT)
        self.setObjectName(name)
        self.setText(text)
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(MIN_TOUCH_PX + 8)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggled.connect(self._say)
        self._say(False)

    def state_text(self) -> str:
        return "On" if self.isChecked() else "Off"

    def _say(self, _checked: bool) -> None:
        self.setAccessibleName(f"{self.text()}: {self.state_text()}")
        self.update()

    def _get_accent(self) -> QColor:
        return self._accent

    def _set_accent(self, colour: QColor) -> None:
        self._accent = QColor(colour)
        self.update()

    # The jeweler's colour comes from the style sheet (theme.accent_rules: qproperty-accent).
    accent = Property(QColor, _get_accent, _set_accent)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text()) + self.TRACK_W + 48, MIN_TOUCH_PX + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.TRACK_W + 120, MIN_TOUCH_PX + 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        on = self.isChecked()
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QColor("#4a453d"))
        p.setBrush(QColor("#2c2a26"))
        p.drawRoundedRect(r, 10, 10)
        track = QRectF(r.right() - self.TRACK_W - 12, r.center().y() - self.TRACK_H / 2,
                       self.TRACK_W, self.TRACK_H)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._accent if on else QColor("#55504a"))
        p.drawRoundedRect(track, self.TRACK_H / 2, self.TRACK_H / 2)
        knob_d = self.TRACK_H - 8
        knob_x = track.right() - knob_d - 4 if on else track.left() + 4
        p.setBrush(QColor("#fff8e6"))
        p.drawEllipse(QRectF(knob_x, track.top() + 4, knob_d, knob_d))
        font = p.font()
        font.setBold(True)
        p.setFont(font)
        word = QRectF(track.left() + 10, track.top(), track.width() - knob_d - 18, track.height())
        if not on:
            word.moveLeft(track.left() + knob_d + 8)
        lum = 0.2126 * self._accent.red() + 0.7152 * self._accent.green() + 0.0722 * self._accent.blue()
        p.setPen(QColor("#141414") if on and lum > 115 else QColor("#fff8e6"))
        p.drawText(word, Qt.AlignmentFlag.AlignCenter, self.state_text().upper())
        p.setPen(QColor("#f4f1ea"))
        text = QRectF(r.left() + 16, r.top(), track.left() - r.left() - 28, r.height())
        p.drawText(text, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
                             | Qt.TextFlag.TextWordWrap), self.text())
        p.end()


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
