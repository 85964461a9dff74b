"""Issue 21, end of visit: the amount has a label and the jeweler's currency, written the way
the rest of the kiosk writes money."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.catalog.money import money
from tests.helpers.screens import LANDSCAPE, PORTRAIT, fully_visible, launch_at, on_screen, styled_app
from tests.helpers.ui import click


@pytest.fixture(autouse=True)
def _styled(qapp: QApplication) -> Iterator[None]:
    yield from styled_app(qapp)


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
@pytest.mark.slow
def test_the_amount_is_labelled_with_the_jewelers_currency(qtbot: QtBot, make_config: Callable[..., Path],
                                                         size: tuple[int, int]) -> None:
    win = launch_at(qtbot, make_config({"[store]\n": '[store]\ncurrency = "AED"\n'}), size)
    v = win.visit
    assert v is not None
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    click(qtbot, v.catalogue.end_button)
    e = v.end_screen
    click(qtbot, e.sale)
    click(qtbot, e.item_buttons["jhumka_gold"])
    assert e.amount.text() == "38900"
    labels = [lb for lb in e.findChildren(QLabel) if lb.buddy() is e.amount and lb.isVisible()]
    assert len(labels) == 1, "the amount field has no visible label"
    label = labels[0]
    # The panel takes the form's size on the next turn of the event loop (in portrait the end
    # form needs the whole window).
    qtbot.waitUntil(lambda: fully_visible(label) and fully_visible(e.amount), timeout=2000)
    assert on_screen(label).bottom() <= on_screen(e.amount).top() + 2
    assert "Amount" in label.text() and money(38900, "AED") in label.text()
    e.amount.setText("41250")                                     # the seller types the real total
    assert money(41250, "AED") in label.text()
    e.amount.setText("")
    assert "Amount" in label.text() and "AED" in label.text()

