"""A store that serves several jewelers: the seller picks whose collection a visit is for; the
visit's events, pieces, prices and colours follow that jeweler. One jeweler: no question."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.catalog import cache
from kiosk.catalog.brands import Brand, Brands
from kiosk.config import JewelerConfig
from kiosk.harness.tour import GUEST, GUEST_PIECES, _guest_jeweler
from kiosk.ui.screens.jeweler import logo_pixmap
from kiosk.ui.theme import STYLESHEET, accent_rules
from tests.helpers.ui import click, events, launch


def _centre_colour(widget: object) -> QColor:
    """The button's own colour: the commonest along its middle row (its text is thinner than
    its face, wherever the label starts on a narrow button)."""
    img = widget.grab().toImage()  # type: ignore[attr-defined]
    row = [img.pixelColor(x, img.height() // 2).rgb() for x in range(img.width())]
    return QColor.fromRgb(max(set(row), key=row.count))


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    """The app's own style sheet, as `kiosk app` sets it (the other tests run without)."""
    qapp.setStyleSheet(STYLESHEET)
    yield
    qapp.setStyleSheet("")


@pytest.mark.slow
def test_the_seller_picks_a_jeweler_and_the_visit_is_theirs(qtbot: QtBot, make_config: Callable[..., Path],
                                                            tmp_path: Path, styled: None) -> None:
    _guest_jeweler(tmp_path / "data")
    win = launch(qtbot, make_config())
    v = win.visit
    assert v is not None
    click(qtbot, win.live_view)
    assert v.state == "jeweler"
    assert list(v.jeweler_screen.tiles) == ["abharana", GUEST.id]
    click(qtbot, v.jeweler_screen.tiles[GUEST.id])
    assert v.state == "start" and "Meenakshi Gold House" in v.start_screen.heading.text()
    click(qtbot, v.start_screen.start)
    # only the chosen jeweler's pieces, with their prices
    assert v.catalogue.tiles and all(pid.startswith("v9-") for pid in v.catalogue.tiles)
    assert v.catalogue.tiles["v9-jhumka_gold"].text().endswith("INR 42,500")
    assert v.catalogue.jeweler_name.text() == "Meenakshi Gold House"
    click(qtbot, v.catalogue.tiles["v9-jhumka_gold"])
    # the brand colour is on the buttons (a dark red, so light text)
    c = _centre_colour(v.catalogue.capture_button)
    assert (c.red(), c.green(), c.blue()) == (0x8e, 0x2a, 0x2a)
    started = [e for e in events(win) if e["event_type"] == "session.started"][-1]
    assert (started["payload"]["jeweler_id"], started["payload"]["jeweler_name"]) == (GUEST.id, GUEST.name)
    selected = [e for e in events(win) if e["event_type"] == "jewelry.selected"][-1]
    assert selected["payload"]["jewelry_id"] == "v9-jhumka_gold" and selected["payload"]["price"] == 42500

    # the next customer starts from the picker again, in neutral colours
    v.finish(False, 0.0, [], "")
    assert v.state == "attract" and v.brand is None and v.styleSheet() == ""
    click(qtbot, win.live_view)
    click(qtbot, v.jeweler_screen.tiles["abharana"])
    click(qtbot, v.start_screen.start)
    assert "jhumka_gold" in v.catalogue.tiles and not any(p.startswith("v9-") for p in v.catalogue.tiles)


@pytest.mark.slow
def test_one_jeweler_means_no_question(qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    win = launch(qtbot, make_config())
    v = win.visit
    assert v is not None and not v.brands.several
    click(qtbot, win.live_view)
    assert v.state == "start" and v.start_screen.heading.text() == "New customer"
    assert not v.start_screen.jeweler.isVisible()


def test_the_stores_own_vendor_is_not_a_second_jeweler(tmp_path: Path) -> None:
    """Products the store sells on the commerce platform are its own collection."""
    data = tmp_path / "data"
    _guest_jeweler(data)
    catalog = cache.load(data)
    house = JewelerConfig(id="abharana", name="Abharana", vendor_id=9)
    brands = Brands.load(house, data, catalog)
    assert [b.id for b in brands.all] == ["abharana"]
    assert brands.owner(catalog.get("v9-jhumka_gold")).id == "abharana"
    # without the link it is a jeweler of its own; a piece of an unknown jeweler is the store's
    brands = Brands.load(JewelerConfig(id="abharana", name="Abharana"), data, catalog)
    assert [b.id for b in brands.all] == ["abharana", GUEST.id]
    assert brands.owner(catalog.get("jhumka_gold")).id == "abharana"


def test_a_jeweler_with_nothing_listed_is_not_offered(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _guest_jeweler(data)
    from kiosk.store.db import Database
    db = Database(data)
    with db.write() as conn:
        conn.execute("UPDATE catalog_pieces SET hidden = 1")
    db.close()
    brands = Brands.load(JewelerConfig(id="abharana", name="Abharana"), data, cache.load(data))
    assert [b.id for b in brands.all] == ["abharana"]


def test_a_missing_or_broken_logo_becomes_a_monogram(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not a png")
    for logo in (None, bad, tmp_path / "gone.png"):
        pm = logo_pixmap(Brand("x", "Meenakshi Gold", "#8e2a2a", logo, None), 64)
        assert pm.height() == 64 and not pm.isNull()
        c = pm.toImage().pixelColor(32, 12)       # the coloured disc, above the initials
        assert (c.red(), c.green(), c.blue()) == (0x8e, 0x2a, 0x2a)


@pytest.mark.parametrize(("accent", "text"), [("#8e2a2a", "#fff8e6"), ("#f4d58d", "#141414")])
def test_text_on_the_brand_colour_stays_readable(accent: str, text: str) -> None:
    first = accent_rules(accent).strip().splitlines()[0]
    assert f"background: {accent}; color: {text};" in first


def test_guest_fixture_matches_its_pieces(tmp_path: Path) -> None:
    _guest_jeweler(tmp_path)
    rows = cache.load(tmp_path)
    for src in GUEST_PIECES:
        m = json.loads((cache.BUNDLED / src / "manifest.json").read_text())
        assert rows.get(f"v9-{src}").category == m["category"]
