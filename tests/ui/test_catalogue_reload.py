"""A piece added by staff (or imported) while the app runs shows up on the seller's screen and
can be worn; one hidden upstream leaves the list."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import cli
from kiosk.catalog import cache
from kiosk.store.db import Database
from tests.helpers.photos import product_photo
from tests.helpers.ui import click, launch

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def test_new_piece_appears_without_a_restart_and_is_worn(qtbot: QtBot, make_config: Callable[..., Path],
                                                          tmp_path: Path) -> None:
    cfg = make_config()
    win = launch(qtbot, cfg)
    v = win.visit
    assert v is not None and win._catalog_timer.isActive()
    click(qtbot, win.live_view)
    click(qtbot, v.start_screen.start)
    assert v.state == "catalogue" and "abharana_new_jhumka" not in v.catalogue.tiles
    assert cli.main(["--config", str(cfg), "assets", "add", str(product_photo(tmp_path)), "--category",
                     "earring", "--name", "New Jhumka", "--price", "9900", "--width-mm", "22"]) == 0
    qtbot.waitUntil(lambda: "abharana_new_jhumka" in v.catalogue.tiles, timeout=15_000)   # the 5 s poll
    click(qtbot, v.catalogue.tiles["abharana_new_jhumka"])
    assert "abharana_new_jhumka" in v.selected
    assert win.tryon is not None
    qtbot.waitUntil(lambda: any(pl.piece_id == "abharana_new_jhumka"
                                for pl in (win.tryon.last.placements if win.tryon.last else [])),
                    timeout=10_000)

    db = Database(tmp_path / "data")
    with db.write() as conn:
        conn.execute("UPDATE catalog_pieces SET hidden = 1, updated_at = ? WHERE id = 'abharana_new_jhumka'",
                     (time.time(),))
    db.close()
    win._reload_catalog()
    assert "abharana_new_jhumka" not in v.catalogue.tiles
    assert win.catalog is not None and win.catalog.get("abharana_new_jhumka").hidden
    assert cache.version(tmp_path / "data")[2] == 1
