"""Search on the catalogue screen: typed on the in-app keyboard, across categories."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from tests.helpers.ui import click

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def test_search_finds_pieces_across_categories_and_closing_goes_back(
        qtbot: QtBot, window: MainWindow) -> None:  # noqa: F811
    v = window.visit
    assert v is not None
    click(qtbot, window.live_view)
    click(qtbot, v.start_screen.start)
    cat = v.catalogue
    assert not cat.keyboard.isVisible()
    click(qtbot, cat.search_button)
    assert cat.search.isVisible() and cat.keyboard.isVisible() and not cat.attire_host.isVisible()
    assert not any(b.isChecked() for b in cat.tab_group.buttons())      # results are not one tab
    for key in "gold":
        click(qtbot, cat.keyboard.findChild(QPushButton, f"key_{key}"))
    assert cat.search.text() == "gold"
    found = set(cat.tiles)
    categories = {cat.catalog.get(pid).category for pid in found}
    assert {"jhumka_gold", "choker_gold", "nath_gold", "maang_tikka_gold"} <= found
    assert len(categories) >= 3 and "drop_pearl" not in found
    click(qtbot, cat.tiles["choker_gold"])
    assert "choker_gold" in v.selected
    cat.search.setText("sapphire")
    assert not cat.tiles and "No piece matches “sapphire”" in cat.nothing.text()
    click(qtbot, cat.search_button)                       # closed: back to the earrings tab
    assert not cat.keyboard.isVisible() and not cat.nothing.isVisible() and cat.attire_host.isVisible()
    assert "jhumka_gold" in cat.tiles and "choker_gold" not in cat.tiles
