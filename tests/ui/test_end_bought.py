"""End of visit: a piece bought without being tried is added from the jeweler's pieces with
the in-app keyboard, and session.ended lists everything bought."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.helpers.ui import click, events, launch

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def test_a_piece_bought_without_trying_it_is_added_from_the_catalogue(
        qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    window = launch(qtbot, make_config())
    v = window.visit
    assert v is not None
    click(qtbot, window.live_view)                                  # "Tap to start"
    click(qtbot, v.start_screen.start)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    click(qtbot, v.catalogue.end_button)
    e = v.end_screen
    assert not e.another.isEnabled()                                # nothing to add before "Sale made"
    click(qtbot, e.sale)
    click(qtbot, e.item_buttons["jhumka_gold"])
    click(qtbot, e.another)
    picker = e.picker
    assert e.pages.currentWidget() is picker
    assert "jhumka_gold" not in picker.results                      # already on the list
    assert {"haar_long", "choker_gold", "bridal_set_gold"} <= set(picker.results)
    for key in "rani":
        click(qtbot, picker.keyboard.findChild(QPushButton, f"key_{key}"))
    assert picker.search.text() == "rani" and list(picker.results) == ["haar_long"]
    for _ in range(4):
        click(qtbot, picker.keyboard.findChild(QPushButton, "key_⌫"))
    for key in "tiara":
        click(qtbot, picker.keyboard.findChild(QPushButton, f"key_{key}"))
    assert picker.results == {} and "No piece matches" in picker.info.text()
    click(qtbot, picker.cancel)                                     # changed their mind: nothing added
    assert e.pages.currentIndex() == 0 and set(e.item_buttons) == {"jhumka_gold"}

    click(qtbot, e.another)
    assert picker.search.text() == ""                               # a fresh search each time
    for key in "haar":
        click(qtbot, picker.keyboard.findChild(QPushButton, f"key_{key}"))
    click(qtbot, picker.results["haar_long"])
    assert e.pages.currentIndex() == 0
    added = e.item_buttons["haar_long"]
    assert added.isChecked() and added.isVisible() and "Rani Haar" in added.text()
    assert e.amount.text() == f"{38900 + 265000}"                    # both prices counted
    click(qtbot, e.another)
    assert "haar_long" not in picker.results and "jhumka_gold" not in picker.results
    click(qtbot, picker.cancel)
    click(qtbot, e.finish)
    assert v.state == "attract"
    end = [x for x in events(window) if x["event_type"] == "session.ended"][-1]["payload"]
    assert end["purchased_items"] == ["jhumka_gold", "haar_long"]  # type: ignore[index]
    assert end["items_tried"] == 1 and end["sale_amount"] == 303900.0  # type: ignore[index]
