"""Tiles in pages a finger turns: as many whole tiles as the area holds, a swipe or the big
‹ › buttons for the next page, and dots that say which page this is.

A scroll area cut the second row in half and offered 12 px arrows to a finger; a page shows
only whole tiles, and the page with the piece being worn is the one shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.ui.screens.common import button
from kiosk.ui.theme import MIN_TOUCH_PX

SWIPE_PX = 60          # a drag shorter than this is a tap (fingers wobble)
GAP = 8
NAV_W = MIN_TOUCH_PX        # the ‹ › buttons, as tall as the row(s) of tiles
DOTS_H = 26


class TilePager(QWidget):
    page_changed = Signal(int)

    def __init__(self, tile_w: int, tile_h: int, max_h: int, parent: QWidget | None = None) -> None:
        """tile_w, tile_h: the smallest a tile may be; max_h: the tallest (rows do not stretch
        into giant buttons on a tall screen)."""
        super().__init__(parent)
        self.tile_w, self.tile_h, self.max_h = tile_w, tile_h, max_h
        self.tiles: list[QWidget] = []
        self.page = 0
        self._last_len = 1
        self.pinned: QWidget | None = None     # the tile to keep in view (the piece worn)
        self._press: QPoint | None = None
        self.prev = button("‹", "page_prev", primary=False)
        self.next = button("›", "page_next", primary=False)
        for b in (self.prev, self.next):
            b.setParent(self)
            b.setStyleSheet("min-width: 0; padding: 0; font-size: 34px;")
        self.prev.clicked.connect(lambda: self.turn(-1))
        self.next.clicked.connect(lambda: self.turn(1))
        self.dots = QLabel(self)
        self.dots.setObjectName("page_dots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setStyleSheet("font-size: 18px; letter-spacing: 6px; color: #c9c3b6;")
        self.installEventFilter(self)

    # ---- contents -----------------------------------------------------------------------------

    def set_tiles(self, tiles: list[QWidget], show: QWidget | None = None) -> None:
        """The tiles to page through (they become this pager's); the page holding `show`."""
        for t in self.tiles:
            if t not in tiles:
                t.hide()
                t.deleteLater()
        self.tiles = list(tiles)
        for t in self.tiles:
            t.setParent(self)
            t.installEventFilter(self)
        self.page = 0
        self.pinned = show
        self._place()
        if show is not None:
            self.reveal(show)

    def pin(self, tile: QWidget | None) -> None:
        """Keep this tile in view when the page changes size (the screen turns)."""
        self.pinned = tile if tile in self.tiles else None

    def _grid(self) -> tuple[bool, int, int, QRect]:
        """(page buttons shown, columns, rows, the tiles' area). The buttons sit at the sides
        and the dots under the tiles only when one page cannot hold every tile: height is what
        a portrait panel lacks, width it has."""
        whole = self._fit(QRect(0, 0, self.width(), self.height()))
        if len(self.tiles) <= whole[0] * whole[1]:
            return (False, *whole)
        side = NAV_W + GAP
        return (True, *self._fit(QRect(side, 0, self.width() - 2 * side, self.height() - DOTS_H)))

    def _fit(self, area: QRect) -> tuple[int, int, QRect]:
        area = QRect(area.x(), area.y(), max(1, area.width()), max(1, area.height()))
        cols = max(1, (area.width() + GAP) // (self.tile_w + GAP))
        rows = max(1, (area.height() + GAP) // (self.tile_h + GAP))
        return cols, rows, area

    def per_page(self) -> tuple[int, int]:
        """(columns, rows) of whole tiles a page holds; at least one of each."""
        _, cols, rows, _ = self._grid()
        return cols, rows

    def _page_len(self) -> int:
        cols, rows = self.per_page()
        return cols * rows

    def pages(self) -> int:
        return max(1, -(-len(self.tiles) // self._page_len()))

    def page_of(self, tile: QWidget) -> int:
        return self.tiles.index(tile) // self._page_len() if tile in self.tiles else self.page

    def reveal(self, tile: QWidget) -> None:
        self.go(self.page_of(tile))

    def turn(self, step: int) -> None:
        self.go(self.page + step)

    def go(self, page: int) -> None:
        page = max(0, min(self.pages() - 1, page))
        changed = page != self.page
        self.page = page
        self._place()
        if changed:
            self.page_changed.emit(page)

    # ---- geometry -----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A page that holds more or fewer tiles (the screen turned) goes on showing the piece
        # worn if it was on screen, else the tile that was first on the page.
        first = self.page * self._last_len
        on_page = self.tiles[first:first + self._last_len]
        anchor = (self.pinned if self.pinned in on_page
                  else self.tiles[first] if 0 <= first < len(self.tiles) else None)
        super().resizeEvent(event)
        self._place()
        if anchor is not None:
            self.reveal(anchor)

    def _place(self) -> None:
        nav, cols, rows, area = self._grid()
        n = cols * rows
        self._last_len = n
        self.page = max(0, min(self.page, self.pages() - 1))
        tw = (area.width() - GAP * (cols - 1)) // cols
        th = min(self.max_h, (area.height() - GAP * (rows - 1)) // rows)
        first = self.page * n
        for i, t in enumerate(self.tiles):
            j = i - first
            if 0 <= j < n:
                r, c = divmod(j, cols)
                t.setGeometry(QRect(area.x() + c * (tw + GAP), r * (th + GAP), tw, th))
                t.show()
            else:
                t.hide()
        used_h = rows * th + GAP * (rows - 1)
        for b, x in ((self.prev, 0), (self.next, self.width() - NAV_W)):
            b.setGeometry(x, 0, NAV_W, max(MIN_TOUCH_PX, used_h))
            b.setVisible(nav)
        self.dots.setGeometry(0, used_h, self.width(), DOTS_H)
        self.dots.setVisible(nav)
        total = self.pages()
        self.dots.setText("".join("●" if p == self.page else "○" for p in range(total)))
        self.prev.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < total - 1)

    # ---- swipes -------------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """A horizontal drag over the tiles turns the page; it is not a tap on the tile under
        the finger (the release is kept from the tile, whose press is undone)."""
        kind = event.type()
        if isinstance(event, QMouseEvent) and event.button() == Qt.MouseButton.LeftButton:
            if kind == QEvent.Type.MouseButtonPress:
                self._press = event.globalPosition().toPoint()
            elif kind == QEvent.Type.MouseButtonRelease and self._press is not None:
                dx = event.globalPosition().toPoint().x() - self._press.x()
                self._press = None
                if abs(dx) >= SWIPE_PX:
                    if isinstance(obj, QAbstractButton):
                        obj.setDown(False)
                    self.turn(-1 if dx > 0 else 1)
                    return True
        return False
