"""Issue 21, catalogue: whole tiles in pages a finger swipes (no thin scroll arrows), the
selected piece kept in view, the FPS button off the mirror, and set tiles that show the set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton, QScrollBar, QToolButton
from pytestqt.qtbot import QtBot

from kiosk.catalog import cache
from kiosk.catalog.pieces import Catalog
from kiosk.store.db import Database
from kiosk.tryon.attire import load_attire
from kiosk.ui.app import MainWindow
from kiosk.ui.screens.catalogue import CatalogueScreen
from tests.helpers.screens import LANDSCAPE, PORTRAIT, fully_visible, launch_at, on_screen, styled_app
from tests.helpers.ui import click

SIZES = [LANDSCAPE, PORTRAIT]


@pytest.fixture(autouse=True)
def _styled(qapp: QApplication) -> Iterator[None]:
    yield from styled_app(qapp)


def catalogue(qtbot: QtBot, config: Path, size: tuple[int, int]) -> tuple[MainWindow, CatalogueScreen]:
    win = launch_at(qtbot, config, size)
    v = win.visit
    assert v is not None
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    assert v.state == "catalogue"
    qtbot.wait(50)
    return win, v.catalogue


def shown(cat: CatalogueScreen) -> list[str]:
    return [pid for pid, t in cat.tiles.items() if t.isVisible()]


def swipe(qtbot: QtBot, tile: QToolButton, dx: int) -> None:
    """A finger drag across a tile: press, move, lift somewhere else."""
    start = tile.rect().center()
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton, pos=start)      # type: ignore[no-untyped-call]
    for step in (0.25, 0.5, 0.75, 1.0):
        qtbot.mouseMove(tile, QPoint(start.x() + int(dx * step), start.y()))   # type: ignore[no-untyped-call]
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton,                 # type: ignore[no-untyped-call]
                       pos=QPoint(start.x() + dx, start.y()))


@pytest.mark.parametrize("size", SIZES)
def test_every_tile_shown_is_whole(qtbot: QtBot, make_config: Callable[..., Path],
                                   size: tuple[int, int]) -> None:
    win, cat = catalogue(qtbot, make_config(), size)
    for tab in ("earring", "necklace", "set"):
        click(qtbot, cat.findChild(QPushButton, f"tab_{tab}"))
        qtbot.wait(20)
        visible = shown(cat)
        assert visible, tab
        cut = [pid for pid in visible if not fully_visible(cat.tiles[pid])]
        assert not cut, f"{tab}: tiles cut off at {size}: {cut}"
        assert min(cat.tiles[p].height() for p in visible) >= 120          # still a finger's target


def more_earrings(data_dir: Path, n: int = 6) -> None:
    """The jeweler's own imported earrings, as a catalogue import leaves them: more than a page."""
    db = Database(data_dir)
    try:
        png = (cache.BUNDLED / "jhumka_gold" / "piece.png").read_bytes()
        for i in range(n):
            piece = cache.NewPiece(f"imp-{i}", "abharana", f"Imported Jhumka {i}", "earring",
                                   50000.0 + i, 40.0, (100, 10))
            cache.save_piece(db, piece, png, source="commerce", now=0.0)
    finally:
        db.close()


@pytest.mark.parametrize("size", SIZES)
def test_tiles_page_with_a_swipe_and_big_controls(qtbot: QtBot, make_config: Callable[..., Path],
                                                  tmp_path: Path, size: tuple[int, int]) -> None:
    more_earrings(tmp_path / "data")
    win, cat = catalogue(qtbot, make_config(), size)
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))
    bars = [b for b in cat.findChildren(QScrollBar) if b.isVisible()]
    assert not bars, f"thin scroll bars: {[(b.width(), b.height()) for b in bars]}"
    first = shown(cat)
    everything = set(cat.tiles)
    assert len(first) < len(everything), "the earrings should need more than one page here"
    nxt = cat.findChild(QPushButton, "page_next")
    prev = cat.findChild(QPushButton, "page_prev")
    assert nxt is not None and prev is not None
    for b in (nxt, prev):
        assert fully_visible(b) and b.width() >= 48 and b.height() >= 48
    dots = cat.pager.dots
    assert fully_visible(dots) and dots.text().count("●") == 1
    pages = dots.text().count("●") + dots.text().count("○")
    assert pages >= 2
    seen = set(first)
    before = set(win.visit.selected) if win.visit else set()
    swipe(qtbot, cat.tiles[first[0]], -220)                            # finger right to left: next page
    second = shown(cat)
    assert second and not set(second) & set(first)
    assert win.visit is not None and set(win.visit.selected) == before   # a swipe is not a tap
    assert not any(cat.tiles[p].isChecked() for p in first if p not in before)
    swipe(qtbot, cat.tiles[second[0]], 220)                            # and back
    assert shown(cat) == first
    for _ in range(pages - 1):
        click(qtbot, nxt)
        seen |= set(shown(cat))
        assert all(fully_visible(cat.tiles[p]) for p in shown(cat))
    assert seen == everything                                          # every piece can be reached
    click(qtbot, cat.tiles[shown(cat)[0]])                             # a tap still chooses
    assert shown(cat)[0] in win.visit.selected


@pytest.mark.parametrize("size", SIZES)
def test_the_selected_piece_stays_in_view(qtbot: QtBot, make_config: Callable[..., Path],
                                          size: tuple[int, int]) -> None:
    win, cat = catalogue(qtbot, make_config(), size)
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))
    last = list(cat.tiles)[-1]                                         # the dearest earring: last page
    cat.tiles[last].click()
    assert win.visit is not None and last in win.visit.selected
    click(qtbot, cat.findChild(QPushButton, "tab_necklace"))
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))
    qtbot.wait(20)
    assert fully_visible(cat.tiles[last]), "the piece being worn is out of view"
    # Turning the screen keeps it in view too.
    win.resize(size[1], size[0])
    qtbot.wait(100)
    assert fully_visible(cat.tiles[last])


@pytest.mark.parametrize("size", SIZES)
def test_the_fps_button_is_off_the_mirror(qtbot: QtBot, make_config: Callable[..., Path],
                                          size: tuple[int, int]) -> None:
    win, cat = catalogue(qtbot, make_config(), size)
    mirror = on_screen(win.live_view)
    # The mirror's own tools (close-up, compare) belong there; a technician's FPS does not.
    tools = set(win.visit.assist.tools.findChildren(QPushButton)) if win.visit is not None else set()
    over = [b.text() for b in win.live_view.findChildren(QPushButton)
            if b.isVisible() and b not in tools and on_screen(b).intersects(mirror)]
    assert not over, f"buttons over the mirror: {over}"
    toggle = cat.findChild(QPushButton, "stats")                        # it lives in the panel now
    assert toggle is not None and fully_visible(toggle) and toggle.height() >= 40
    assert not on_screen(toggle).intersects(mirror)
    was = win.live_view.show_stats
    click(qtbot, toggle)
    assert win.live_view.show_stats is not was


def foreground(tile: QToolButton) -> npt.NDArray[np.bool_]:
    img = tile.icon().pixmap(tile.iconSize()).toImage().convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * img.height())
    rows = arr.reshape(img.height(), img.bytesPerLine())[:, :img.width() * 3]
    rgb = rows.reshape(img.height(), img.width(), 3)
    card = rgb[2, 2].astype(int)                                         # the card's corner
    return np.asarray(np.abs(rgb.astype(int) - card).sum(axis=2) > 60)


def runs(occupied: npt.NDArray[np.bool_], gap: int = 3) -> int:
    """How many separate things along one axis (runs of occupied columns, gaps of `gap`+)."""
    n, empty = 0, gap
    for on in occupied:
        if on and empty >= gap:
            n += 1
        empty = 0 if on else empty + 1
    return n


def test_set_tiles_show_every_piece_of_the_set(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win, cat = catalogue(qtbot, make_config(), LANDSCAPE)
    click(qtbot, cat.findChild(QPushButton, "tab_set"))
    sets = {pid: foreground(cat.tiles[pid]) for pid in ("ruby_set", "bridal_set_gold")}
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))
    stud = foreground(cat.tiles["stud_gold_ruby"])
    ruby = sets["ruby_set"]                                              # studs + a pendant: side by side
    assert not np.array_equal(ruby, stud)
    assert runs(ruby.any(axis=0)) >= 2 or runs(ruby.any(axis=1)) >= 2
    bridal = sets["bridal_set_gold"]                                    # four pieces: one per quarter
    h, w = bridal.shape
    quarters = [bridal[:h // 2, :w // 2], bridal[:h // 2, w // 2:],
                bridal[h // 2:, :w // 2], bridal[h // 2:, w // 2:]]
    assert all(q.mean() > 0.03 for q in quarters), [round(float(q.mean()), 3) for q in quarters]


@pytest.mark.parametrize("height", [410, 480, 563])
def test_a_short_portrait_panel_still_shows_whole_tiles(qtbot: QtBot, height: int) -> None:
    """Under a large mirror the portrait panel is short (about 40% of 1024 px): a row of whole
    tiles and every button still fit, the colours are one tap away, the worn piece in view."""
    cat = CatalogueScreen(Catalog.load(), list(load_attire().values()), "INR")
    qtbot.addWidget(cat)
    cat.show_cloud_option()
    cat.setFixedSize(768, height)                     # what a panel under the mirror gets
    cat.show()
    qtbot.waitExposed(cat)
    cat.show_badge("Welcome, Priya!")
    last = list(cat.tiles)[-1]
    cat.set_selected({last})
    click(qtbot, cat.findChild(QPushButton, "tab_necklace"))
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))
    qtbot.wait(20)
    visible = shown(cat)
    assert visible and all(fully_visible(cat.tiles[p]) and cat.tiles[p].height() >= 120 for p in visible)
    assert fully_visible(cat.tiles[last])
    for w in (cat.end_button, cat.flip_button, cat.capture_button, cat.stats_button, cat.outfit_button):
        assert fully_visible(w) and w.height() >= 44, w.objectName()
    with qtbot.waitSignal(cat.attire_tapped) as chosen:
        click(qtbot, cat.outfit_button)                              # the colours, in the tiles' place
        assert not shown(cat) and cat.cloud_button is not None
        for w in [*cat.attire_buttons.values(), cat.cloud_button]:
            assert fully_visible(w) and w.height() >= 44, w.objectName()
        click(qtbot, cat.attire_buttons["saree_red_silk"])
    assert chosen.args == ["saree_red_silk"]
    click(qtbot, cat.findChild(QPushButton, "tab_earring"))          # a tab shows pieces again
    assert fully_visible(cat.tiles[last]) and not cat.attire_buttons["original"].isVisible()


def test_a_tall_panel_shows_tiles_and_colours_together(qtbot: QtBot) -> None:
    cat = CatalogueScreen(Catalog.load(), list(load_attire().values()), "INR")
    qtbot.addWidget(cat)
    cat.setFixedSize(600, 768)
    cat.show()
    qtbot.waitExposed(cat)
    assert shown(cat) and fully_visible(cat.attire_buttons["original"]) and not cat.outfit_button.isVisible()
