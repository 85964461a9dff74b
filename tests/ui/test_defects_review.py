"""Issue 21, photo review: the caption names every piece worn, and no timing reaches the
customer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.helpers.screens import LANDSCAPE, fully_visible, launch_at
from tests.helpers.ui import click

TIMING = re.compile(r"\d\s*(ms|s)\b|made in", re.IGNORECASE)


def test_the_caption_names_every_piece_and_shows_no_timing(qtbot: QtBot,
                                                           make_config: Callable[..., Path]) -> None:
    win = launch_at(qtbot, make_config(), LANDSCAPE)
    v = win.visit
    assert v is not None
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    cat = v.catalogue
    click(qtbot, cat.tiles["jhumka_gold"])
    click(qtbot, cat.findChild(type(cat.capture_button), "tab_necklace"))
    click(qtbot, cat.tiles["choker_gold"])
    click(qtbot, cat.attire_buttons["saree_blue_silk"])
    v.take_photo()
    assert v.state == "review"
    qtbot.wait(50)                                               # laid out
    caption = v.review.info.text()
    assert "Temple Gold Jhumka" in caption and "Kundan Gold Choker" in caption, caption
    assert not TIMING.search(caption), caption
    assert fully_visible(v.review.info)
    # A set is named as the set; nothing chosen says so.
    click(qtbot, v.review.keep_button)
    click(qtbot, cat.findChild(type(cat.capture_button), "tab_set"))
    click(qtbot, cat.tiles["ruby_set"])
    v.take_photo()
    assert "Ruby Set" in v.review.info.text() and not TIMING.search(v.review.info.text())
