"""The catalogue beside the live mirror: category tabs, piece tiles, outfits, capture, end."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.pieces import Catalog, Piece
from kiosk.tryon.attire import Attire
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import action_row, button, money, note
from kiosk.ui.screens.pager import TilePager
from kiosk.ui.theme import MIN_TOUCH_PX

CATEGORIES = [("earring", "Earrings"), ("necklace", "Necklaces"), ("nose_ring", "Nose rings"),
              ("maang_tikka", "Tikka"), ("ring", "Rings"), ("bangle", "Bangles"), ("set", "Sets")]
# A tab may list more than its own category: bracelets sit with the bangles on the wrist.
TAB_SHOWS = {"bangle": ("bangle", "bracelet")}
TAB_MIN_W = 88          # "Nose rings" at the tabs' 16 px; narrower panels take a second row
THUMB = 104
TILE_W, TILE_H, TILE_MAX_H = 134, 150, 210     # a tile's smallest and tallest size on a page
TEXT_H = 76                                    # the name (two lines), the price and the padding
# Below this height (a portrait panel under a large mirror) the outfit colours do not fit
# under the tiles: they become a view of their own, behind an "Outfit" button, in the tiles'
# place, so a row of whole tiles still fits.
COMPACT_H = 600


def _wrap(name: str, fits: Callable[[str], bool]) -> list[str]:
    """Tool buttons do not word-wrap: the name in at most two lines that fit, by words; a word
    too long for a line, or a third line, is elided by the caller."""
    lines, cur = [], ""
    for w in name.split():
        if cur and not fits(f"{cur} {w}"):
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return lines[:1] + [" ".join(lines[1:])] if len(lines) > 2 else lines


Card = npt.NDArray[np.float32]


def _paste(card: Card, spr: Card, x: int, y: int, w: int, h: int) -> None:
    """A premultiplied sprite, cut to what is drawn of it, scaled into the box (x, y, w, h) of
    the card, centred: a set's pieces share the card and each one's margins would waste it."""
    ys, xs = np.nonzero(spr[:, :, 3] > 0.02)
    if ys.size:
        spr = spr[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    sh, sw = spr.shape[:2]
    f = min(w / sw, h / sh)
    spr = np.asarray(cv2.resize(spr, (max(1, int(sw * f)), max(1, int(sh * f))),
                                interpolation=cv2.INTER_AREA), np.float32)
    y0, x0 = y + (h - spr.shape[0]) // 2, x + (w - spr.shape[1]) // 2
    roi = card[y0:y0 + spr.shape[0], x0:x0 + spr.shape[1]]
    roi[:] = spr[:, :, :3] + roi * (1 - spr[:, :, 3:4])


def thumbnail(piece: Piece, catalog: Catalog) -> QPixmap:
    """The piece on a soft dark card: its studio tile when it is a 3D piece, its photo
    otherwise. A set shows every piece of it, side by side (two) or one per quarter (up to
    four): its first piece alone read as a single earring at a set's price."""
    parts = [catalog.get(x) for x in piece.parts] if piece.category == "set" else [piece]
    card = np.full((THUMB, THUMB, 3), 0.16, np.float32)
    cols = 1 if len(parts) == 1 else 2
    rows = -(-len(parts) // cols)
    pad = 8 if len(parts) == 1 else 3
    cw, ch = THUMB // cols, THUMB // rows
    for i, part in enumerate(parts):
        r, c = divmod(i, cols)
        _paste(card, part.tile_image(), c * cw + pad, r * ch + pad, cw - 2 * pad, ch - 2 * pad)
    rgb = np.ascontiguousarray((card[:, :, ::-1] * 255).astype(np.uint8))
    img = QImage(rgb.data, THUMB, THUMB, 3 * THUMB, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(img)


class _Tile(QToolButton):
    """A piece's tile: its picture as large as the page's row leaves room for, its name
    wrapped to the tile's width (a tile's width changes with the screen's)."""

    def __init__(self, name: str, price: str) -> None:
        super().__init__()
        self.name, self.price = name, price
        self._label()

    def _label(self) -> None:
        fm = self.fontMetrics()
        room = max(40, self.width() - 16)
        lines = [fm.elidedText(x, Qt.TextElideMode.ElideRight, room)
                 for x in _wrap(self.name, lambda t: fm.horizontalAdvance(t) <= room)]
        self.setText("\n".join([*lines, self.price]))

    def resizeEvent(self, event: QResizeEvent) -> None:
        side = max(32, min(THUMB, self.height() - TEXT_H, self.width() - 16))
        self.setIconSize(QSize(side, side))
        self._label()
        super().resizeEvent(event)


class CatalogueScreen(QWidget):
    piece_tapped = Signal(str)
    attire_tapped = Signal(str)
    capture = Signal()
    end = Signal()
    flip = Signal()
    cloud_tapped = Signal()
    stats = Signal()

    def __init__(self, catalog: Catalog, attires: list[Attire], currency: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog, self.currency = catalog, currency
        self._thumbs: dict[str, QPixmap] = {}
        self.keep: Callable[[Piece], bool] = lambda p: True     # this visit's jeweler's pieces
        lay = QVBoxLayout(self)
        # One row for whose collection this is and the greeting: height is short in portrait.
        self.header = QHBoxLayout()
        self.logo = QLabel()
        self.jeweler_name = note("")
        self.badge = note("", name="badge")
        self.badge.hide()
        self.header.addWidget(self.logo)
        self.header.addWidget(self.jeweler_name, 0)
        self.header.addWidget(self.badge, 1)
        # The frame-rate figures, for a technician: here, not floating over the customer's face.
        self.stats_button = button("FPS", "stats", primary=False)
        self.stats_button.setMinimumHeight(MIN_TOUCH_PX)
        self.stats_button.setStyleSheet("min-width: 0; padding: 4px 10px; font-size: 15px;")
        self.stats_button.setToolTip("Show or hide frame rate and dropped frames")
        self.stats_button.clicked.connect(self.stats)
        self.header.addWidget(self.stats_button)
        lay.addLayout(self.header)
        tabs = QGridLayout()
        tabs.setSpacing(6)
        self.tabs = tabs
        self.tab_group = QButtonGroup(self)
        for key, label in CATEGORIES:
            b = button(label, f"tab_{key}", primary=False, checkable=True)
            b.setProperty("tab", True)
            self.tab_group.addButton(b)
            b.clicked.connect(lambda _=False, k=key: self.show_category(k))
        self.search_button = button("Search", "tab_search", primary=False, checkable=True)
        self.search_button.setProperty("tab", True)
        self.search_button.clicked.connect(self.toggle_search)
        self.tab_buttons = [*self.tab_group.buttons(), self.search_button]
        self._tab_cols = 0
        self._reflow_tabs(len(self.tab_buttons))
        lay.addLayout(tabs)
        self.keyboard = Keyboard()
        self.search = self.keyboard.field("Name or style, e.g. jhumka", "search")
        self.search.textChanged.connect(self._search)
        self.search.hide()
        self.keyboard.hide()
        lay.addWidget(self.search)
        self.nothing = note("")
        self.nothing.hide()
        lay.addWidget(self.nothing)
        self.pager = TilePager(TILE_W, TILE_H, TILE_MAX_H)
        self.pager.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pager.setMinimumHeight(TILE_H // 2)
        lay.addWidget(self.pager, 1)
        lay.addWidget(self.keyboard)
        self.attire_host = QWidget()
        attire_box = QVBoxLayout(self.attire_host)
        attire_box.setContentsMargins(0, 0, 0, 0)
        self.attire_head = QHBoxLayout()
        self.attire_label = note("Outfit colour")
        self.attire_head.addWidget(self.attire_label, 1)
        attire_box.addLayout(self.attire_head)
        strip = QHBoxLayout()
        self.attire_buttons: dict[str, QToolButton] = {}
        for a in attires:
            sw = QToolButton()
            sw.setObjectName(f"attire_{a.id}")
            sw.setText(a.label or a.name.split()[0])
            sw.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            sw.setCheckable(True)
            sw.setMinimumSize(60, 84)
            sw.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            sw.setIcon(QIcon(self._swatch(a)))
            sw.setIconSize(QSize(36, 36))
            sw.clicked.connect(lambda _=False, k=a.id: self.attire_tapped.emit(k))
            self.attire_buttons[a.id] = sw
            strip.addWidget(sw)
        self.attire_strip = strip
        self.cloud_button: QPushButton | None = None
        attire_box.addLayout(strip)
        lay.addWidget(self.attire_host)
        row, self.end_button, self.capture_button = action_row(("End visit", "end"),
                                                               ("Take photo", "capture"))
        # Four or five actions share a 410 px panel: the mirror switch is a symbol (its name is
        # the tooltip and the accessible name), the buttons pad less than the theme's.
        self.flip_button = button("⇆", "flip", primary=False)
        self.flip_button.setToolTip("Mirror or true view (what others see)")
        self.flip_button.setAccessibleName("Mirror or true view")
        self.flip_button.clicked.connect(self.flip)
        row.insertWidget(1, self.flip_button)
        self.outfit_button = button("Outfit", "outfit_view", primary=False, checkable=True)
        self.outfit_button.clicked.connect(self._sync_panels)
        self.outfit_button.hide()
        row.insertWidget(2, self.outfit_button)
        row.setSpacing(6)
        self.action_row = row
        lay.addLayout(row)
        self.end_button.clicked.connect(self.end)
        self.capture_button.clicked.connect(self.capture)
        self.tiles: dict[str, QToolButton] = {}
        self.selected: set[str] = set()
        self.compact = False
        self.show_category("earring")
        self.set_attire("original")

    def show_cloud_option(self) -> None:
        """A whole garment from the cloud service (seed 004), beside the colours' heading so the
        colour swatches keep their room."""
        b = button("☁ Cloud outfit", "attire_cloud", primary=False)
        b.setMinimumHeight(MIN_TOUCH_PX)
        b.setStyleSheet("padding: 4px 16px; font-size: 18px;")
        b.clicked.connect(self.cloud_tapped)
        self.cloud_button = b
        self.attire_head.addWidget(b)

    def _reflow_tabs(self, cols: int) -> None:
        """The tabs in as many columns as the panel's width fits, in rows of equal columns."""
        n = len(self.tab_buttons)
        cols = max(1, min(n, cols))
        rows = -(-n // cols)
        cols = -(-n // rows)             # balanced: 8 tabs in 2 rows of 4, not 7 + 1
        if cols == self._tab_cols:
            return
        self._tab_cols = cols
        for b in self.tab_buttons:
            self.tabs.removeWidget(b)
        for i, b in enumerate(self.tab_buttons):
            self.tabs.addWidget(b, i // cols, i % cols)

    def compact_actions(self) -> None:
        """The bottom row's buttons with less padding than the theme's, so they all fit."""
        for i in range(self.action_row.count()):
            item = self.action_row.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, QPushButton):
                w.setStyleSheet("min-width: 0; padding: 8px 8px; font-size: 17px;")

    def showEvent(self, event: QShowEvent) -> None:
        self.compact_actions()          # the clip's buttons join the row after this screen is made
        super().showEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._reflow_tabs(max(1, (self.width() - 20) // TAB_MIN_W))
        compact = self.height() < COMPACT_H
        if compact != self.compact:
            self.compact = compact
            self._sync_panels()
        super().resizeEvent(event)

    def _sync_panels(self) -> None:
        """Which of tiles, search and outfit colours show: the search has the keyboard under
        the results; a short panel shows the colours instead of the tiles while "Outfit" is on."""
        searching = self.search_button.isChecked()
        outfit_view = self.compact and self.outfit_button.isChecked() and not searching
        self.outfit_button.setVisible(self.compact)
        self.pager.setVisible(not outfit_view)
        self.attire_host.setVisible(not searching and (outfit_view or not self.compact))

    @staticmethod
    def _swatch(a: Attire) -> QPixmap:
        pm = QPixmap(40, 40)
        if a.bgr is not None:
            pm.fill(QColor(a.bgr[2], a.bgr[1], a.bgr[0]))
        elif a.pattern is not None:
            img = cv2.imread(str(a.pattern))
            if img is not None:
                rgb = np.ascontiguousarray(cv2.resize(img, (40, 40))[:, :, ::-1])
                pm = QPixmap.fromImage(QImage(rgb.data, 40, 40, 120, QImage.Format.Format_RGB888).copy())
        else:
            pm.fill(QColor("#555"))
        return pm

    def set_jeweler(self, name: str, logo: QPixmap | None, currency: str,
                    keep: Callable[[Piece], bool]) -> None:
        """The visit's jeweler: their name and logo on top, only their pieces, their currency."""
        self.keep, self.currency = keep, currency
        self.jeweler_name.setText(name)
        self.logo.setPixmap(logo if logo is not None else QPixmap())
        self.logo.setVisible(logo is not None)
        self.show_category("earring")

    def listed(self) -> list[Piece]:
        return [p for p in self.catalog.listed() if self.keep(p)]

    def reload(self, catalog: Catalog) -> None:
        """The catalogue changed on disk (import, staff tool): show it without a restart."""
        self.catalog = catalog
        if self.search_button.isChecked():
            self._search(self.search.text())
        else:
            self.show_category(self.category)

    def toggle_search(self) -> None:
        on = self.search_button.isChecked()
        for w in (self.search, self.keyboard):
            w.setVisible(on)
        self._sync_panels()                       # room for the results above the keyboard
        if on:
            self.tab_group.setExclusive(False)    # an exclusive group keeps one tab checked
            for b in self.tab_group.buttons():
                b.setChecked(False)
            self.tab_group.setExclusive(True)
            self.search.setFocus()
            self._search(self.search.text())
        else:
            self.search.clear()
            self.nothing.hide()
            self.show_category(self.category)

    def _search(self, text: str) -> None:
        if not self.search_button.isChecked():
            return
        terms = text.lower().split()
        found = [p for p in self.listed()
                 if all(t in f"{p.name} {p.style} {p.category}".lower().replace("_", " ") for t in terms)]
        self._fill(found)
        self.nothing.setText(f"No piece matches “{text.strip()}”." if terms and not found else "")
        self.nothing.setVisible(bool(terms) and not found)

    def show_category(self, category: str) -> None:
        self.category = category
        if self.search_button.isChecked():
            self.search_button.setChecked(False)
            self.search.clear()
            for w in (self.search, self.keyboard, self.nothing):
                w.hide()
        self.outfit_button.setChecked(False)     # a tab is a choice of pieces: show them
        self._sync_panels()
        for b in self.tab_group.buttons():
            b.setChecked(b.objectName() == f"tab_{category}")
        shows = TAB_SHOWS.get(category, (category,))
        self._fill([p for p in self.listed() if p.category in shows])

    def _fill(self, pieces: list[Piece]) -> None:
        self.tiles = {}
        for p in sorted(pieces, key=lambda p: (p.price or 0, p.name)):
            t = _Tile(p.name, money(p.price, self.currency))
            t.setObjectName(f"piece_{p.id}")
            key = f"{p.id}:{','.join(p.files.values())}"      # file names change with the image
            if key not in self._thumbs:         # drawn once, not on every tab switch
                self._thumbs[key] = thumbnail(p, self.catalog)
            t.setIcon(QIcon(self._thumbs[key]))
            t.setIconSize(QSize(THUMB, THUMB))
            t.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            t.setCheckable(True)
            t.setChecked(p.id in self.selected)
            t.clicked.connect(lambda _=False, k=p.id: self.piece_tapped.emit(k))
            self.tiles[p.id] = t
        # The page with the piece being worn: the seller comes back to a tab and sees it.
        worn = [t for pid, t in self.tiles.items() if pid in self.selected]
        self.pager.set_tiles(list(self.tiles.values()), show=worn[-1] if worn else None)

    def set_selected(self, ids: set[str]) -> None:
        self.selected = set(ids)
        for pid, t in self.tiles.items():
            t.setChecked(pid in ids)
        worn = [t for pid, t in self.tiles.items() if pid in ids]
        self.pager.pin(worn[-1] if worn else None)

    def set_attire(self, attire_id: str) -> None:
        for k, b in self.attire_buttons.items():
            b.setChecked(k == attire_id)
        # With the colours out of sight (short panel), the button says which one is worn.
        worn = self.attire_buttons.get(attire_id)
        plain = worn is None or attire_id == "original"
        self.outfit_button.setText("Outfit" if plain or worn is None else f"Outfit: {worn.text()}")

    def show_badge(self, text: str | None) -> None:
        self.badge.setText(text or "")
        self.badge.setVisible(bool(text))
