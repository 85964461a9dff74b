"""The mirror first: how much of the window it gets, and the buttons over it while the
customer tries pieces on (a close-up of the piece, a comparison with the last photo)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.framing import REGIONS
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.live_view import Comparison, LiveView
from kiosk.ui.states import State
from kiosk.ui.theme import MIN_TOUCH_PX

MIRROR_SHARE = 0.6      # of the window's width (landscape, panel at the side) or height (portrait)
KEYS_MAX_SHARE = 0.8    # the most a screen with keys may take; the mirror stays in view
SELLER_FORM_MAX_SHARE = 0.72   # the end and forget forms: more than this, the whole window
SELLER_FORM_W = 600     # landscape: the width the seller's own forms were laid out for
FACE_OF_WINDOW = 0.36   # the framed face's height over the window's (>= 30% with the dead zone)
FACE_OF_VIEW_MAX = 0.6  # beyond it no neck is left for a necklace
# A letters keyboard at full size (10 keys of MIN_TOUCH_PX, 4 px apart) and the screen's margins:
# its style lets keys shrink below a finger's width, so its minimum size does not say this.
KEYBOARD_W = 10 * MIN_TOUCH_PX + 9 * 4 + 2 * 12
WHOLE_WINDOW = (State.REVIEW, State.SHARE, State.TECHNICIAN)
TRYING_ON = (State.ATTRACT, State.CATALOGUE, State.CLOUD)
SELLER_ONLY = (State.END, State.FORGET)     # the customer is leaving or asking to be forgotten


def page_needs(page: QWidget) -> tuple[int, int]:
    """The least a screen of the panel needs to stay usable: its minimum size, and the width
    of full-size keys when it shows an on-screen keyboard."""
    hint = page.minimumSizeHint()
    keys = any(not k.isHidden() for k in page.findChildren(Keyboard))
    # With keys, the height the form asks for: at its bare minimum the last row of keys was cut.
    height = max(hint.height(), page.sizeHint().height()) if keys else hint.height()
    return max(hint.width(), KEYBOARD_W if keys else 0), height


def panel_size(state: str, width: int, height: int, page_min: tuple[int, int]) -> tuple[int, int] | None:
    """The control panel's size for a screen (None: it takes the whole window, no mirror).

    While trying on, the mirror keeps MIRROR_SHARE whatever the panel holds. The screens that
    keep the customer waiting (seller sign-in and PIN, jeweler, start form) get what their keys
    need to stay full-size, up to KEYS_MAX_SHARE, with the mirror still beside or above. The
    seller's own forms at the end get their old width, or the whole window when they need more
    height than a portrait screen can give beside the mirror."""
    if state in WHOLE_WINDOW:
        return None
    portrait = height > width
    main = height if portrait else width
    size = round(main * (1 - MIRROR_SHARE))
    cap = round(main * (SELLER_FORM_MAX_SHARE if state in SELLER_ONLY else KEYS_MAX_SHARE))
    if state not in TRYING_ON:
        need = page_min[1] if portrait else page_min[0]
        if state in SELLER_ONLY:
            if need > cap:
                return None
            need = max(need, 0 if portrait else SELLER_FORM_W)
        size = min(max(size, need), cap)
    return (width, size) if portrait else (size, height)


def arrange(box: QBoxLayout, panel: QStackedWidget, view: LiveView, state: str, w: int, h: int,
            alone: bool) -> None:
    """The mirror first, beside (landscape) or above (portrait) the panel; the photo review,
    the share and technician screens take the whole window. `alone`: no panel (attract)."""
    portrait = h > w
    d = QBoxLayout.Direction
    box.setDirection(d.TopToBottom if portrait else d.LeftToRight)
    page = panel.currentWidget()
    size = panel_size(state, w, h, page_needs(page) if page is not None else (0, 0))
    # Fixed even while hidden: a stack otherwise asks for its tallest page's height and grows
    # the window past the screen.
    panel.setFixedSize(*(size or (w, h)))
    view.setVisible(size is not None)
    view_h = h - size[1] if size is not None and portrait and not alone else h
    view.framer.face_share = face_share(h, view_h)


def gear_button(view: LiveView) -> QPushButton:
    """The technician's way in, small in the mirror's corner."""
    b = QPushButton("⚙", view)
    b.setObjectName("technician")
    b.setToolTip("Technician")
    b.setStyleSheet("min-width: 56px; padding: 4px; background: rgba(40,40,40,160); color: #ddd;"
                    "font-size: 24px;")
    b.setGeometry(16, 16, 64, 52)
    return b


def face_share(window_h: int, view_h: int) -> float:
    """The face's share of the mirror's height that makes it FACE_OF_WINDOW of the window's."""
    return min(FACE_OF_VIEW_MAX, FACE_OF_WINDOW * window_h / max(1, view_h))

_STYLE = ("QPushButton { min-width: 0; padding: 6px 10px; font-size: 17px; border-radius: 10px;"
          " background: rgba(28,27,24,200); color: #f4f1ea; border: 2px solid #6f6a60; }"
          " QPushButton:checked { background: rgba(184,134,11,230); color: #141414;"
          " border-color: #f4d58d; }"
          " QPushButton:disabled { background: rgba(28,27,24,120); color: #8a857b;"
          " border-color: #3a3631; }")


class MirrorTools(QWidget):
    closeup_toggled = Signal(bool)
    compare_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mirror_tools")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setStyleSheet(_STYLE)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(10)
        self.closeup = self._button("Close-up", "closeup", "Zoom the mirror on the piece")
        self.compare = self._button("Compare", "compare", "The last photo beside the mirror")
        lay.addWidget(self.closeup)
        lay.addWidget(self.compare)
        self.closeup.toggled.connect(self.closeup_toggled)
        self.compare.toggled.connect(self.compare_toggled)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setCheckable(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setMinimumSize(MIN_TOUCH_PX * 3, MIN_TOUCH_PX + 8)
        return b

    def set_available(self, closeup: bool, compare: bool) -> None:
        """Without a piece on there is nothing to zoom on; without a photo nothing to compare."""
        for b, ok in ((self.closeup, closeup), (self.compare, compare)):
            if not ok and b.isChecked():
                b.setChecked(False)
            b.setEnabled(ok)

    def off(self) -> None:
        for b in (self.closeup, self.compare):
            b.setChecked(False)


class MirrorAssist:
    """Close-up and compare for the visit: what the buttons can do follows the pieces worn and
    the photos taken; the mirror's framing and split follow the buttons."""

    def __init__(self, view: LiveView) -> None:
        self.view = view
        self.tools = MirrorTools()
        view.set_tools(self.tools)
        self.region: str | None = None
        self.photo: Comparison | None = None
        self.tools.closeup_toggled.connect(self._closeup)
        self.tools.compare_toggled.connect(self._compare)
        self.reset()

    def reset(self) -> None:
        """A new customer: nothing worn, no photo."""
        self.photo = None
        self.wearing([])

    def wearing(self, categories: list[str]) -> None:
        """The categories on the customer, newest last: the close-up shows the newest piece."""
        self.region = next((REGIONS[c] for c in reversed(categories) if c in REGIONS), None)
        self.tools.set_available(self.region is not None, self.photo is not None)
        if self.tools.closeup.isChecked():
            self.view.framer.closeup = self.region

    def photo_taken(self, jpeg: bytes, label: str) -> None:
        """The photo and the face in it, to frame it like the mirror (it is a camera frame)."""
        img = QImage.fromData(jpeg)
        if img.isNull():
            return
        face = self.view.face_source() if self.view.face_source is not None else None
        self.photo = Comparison(img, face, label)
        self.tools.set_available(self.region is not None, True)

    def show(self, visible: bool) -> None:
        """Only over the catalogue; leaving it puts the mirror back to normal."""
        if not visible:
            self.tools.off()
        self.view.show_tools(visible)

    def _closeup(self, on: bool) -> None:
        self.view.framer.closeup = self.region if on else None

    def _compare(self, on: bool) -> None:
        self.view.set_comparison(self.photo if on else None)
