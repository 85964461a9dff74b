"""Adding a piece on the touchscreen: pick a photo, drag the hook, see it worn, save."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.catalog import cache
from kiosk.ui.app import MainWindow
from tests.helpers.photos import product_photo
from tests.helpers.ui import click, open_technician

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe


def test_staff_add_a_piece_with_a_dragged_hook_and_a_face_preview(qtbot: QtBot, staffed: MainWindow,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    assert staffed.cfg is not None
    data = Path(staffed.cfg.store.data_dir)
    (data / "incoming").mkdir(parents=True)
    shutil.copy(product_photo(tmp_path), data / "incoming" / "kemp_jhumka.jpg")
    v = staffed.visit
    tech = open_technician(qtbot, staffed)
    assert v is not None and tech.assets is not None
    click(qtbot, tech.add_piece)
    a = tech.assets
    assert a.isVisible() and "Tap a product photo" in a.photo_hint.text()
    click(qtbot, a.findChild(QPushButton, "asset_photo_0"))
    qtbot.waitUntil(lambda: a.canvas.rgba is not None, timeout=15_000)
    guessed = a.canvas.anchor
    h, w = a.canvas.rgba.shape[:2]
    assert guessed[1] < h * 0.1 and abs(guessed[0] - w / 2) < w * 0.15       # top centre
    a.name.setText("Kemp Jhumka")
    a.price.setText("42500")
    a.width_mm.setText("21.6")
    # Drag the hook 10 % of the cut-out down from where it was guessed.
    s, ox, oy = a.canvas._scale()
    start = QPoint(int(ox + guessed[0] * s), int(oy + guessed[1] * s))
    end = QPoint(start.x(), int(oy + (guessed[1] + h * 0.1) * s))
    qtbot.mousePress(a.canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(a.canvas, end)
    qtbot.mouseRelease(a.canvas, Qt.MouseButton.LeftButton, pos=end)
    moved = a.canvas.anchor
    assert abs(moved[1] - (guessed[1] + h * 0.1)) <= 3
    qtbot.waitUntil(lambda: not a.preview.pixmap().isNull(), timeout=30_000)       # worn on the face
    staffed.grab().save(str(tmp_path / "asset_screen.png"))
    click(qtbot, a.save)
    assert "Saved" in a.message.text(), a.message.text()
    piece = cache.load(data).get("abharana_kemp_jhumka")
    assert piece.price == 42500.0 and piece.anchor == (float(moved[0]), float(moved[1]))
    assert json.loads((piece.folder / "manifest.json").read_text())["source"] == "staff"
    click(qtbot, a.back)
    assert tech.pages.currentIndex() == 1


def test_no_photos_says_where_to_put_them(qtbot: QtBot, staffed: MainWindow) -> None:  # noqa: F811
    tech = open_technician(qtbot, staffed)
    assert tech.assets is not None
    click(qtbot, tech.add_piece)
    assert "No photos yet" in tech.assets.photo_hint.text()
    click(qtbot, tech.assets.save)
    assert "Pick a photo first" in tech.assets.message.text()


def test_staff_add_a_3d_piece_from_a_glb(qtbot: QtBot, staffed: MainWindow) -> None:  # noqa: F811
    from kiosk import paths

    assert staffed.cfg is not None
    data = Path(staffed.cfg.store.data_dir)
    (data / "incoming").mkdir(parents=True)
    model = paths.ASSETS_DIR / "jewelry" / "hoop_rose_gold" / "model.glb"
    shutil.copy(model, data / "incoming" / "bali_hoop.glb")
    tech = open_technician(qtbot, staffed)
    assert tech.assets is not None
    click(qtbot, tech.add_piece)
    a = tech.assets
    click(qtbot, a.findChild(QPushButton, "asset_photo_0"))
    qtbot.waitUntil(lambda: a.canvas.rgba is not None, timeout=30_000)
    assert abs(float(a.width_mm.text()) - 20.1) < 0.2          # the model's own width
    a.name.setText("Bali Hoop")
    qtbot.waitUntil(lambda: not a.preview.pixmap().isNull(), timeout=30_000)
    click(qtbot, a.save)
    assert "Saved" in a.message.text(), a.message.text()
    piece = cache.load(data).get("abharana_bali_hoop")
    assert piece.model is not None and piece.model.read_bytes() == model.read_bytes()
