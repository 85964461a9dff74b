"""Issue 21, start screen: filled fields keep a visible label, the face-consent switch says
whether it is on or off, and the title keeps clear of the top edge. At the sizes a store uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.ui.app import MainWindow
from tests.helpers.screens import LANDSCAPE, PORTRAIT, fully_visible, launch_at, on_screen, styled_app
from tests.helpers.ui import click


@pytest.fixture(autouse=True)
def _styled(qapp: QApplication) -> Iterator[None]:
    yield from styled_app(qapp)


def start_screen(qtbot: QtBot, config: Path, size: tuple[int, int]) -> MainWindow:
    win = launch_at(qtbot, config, size)
    assert win.visit is not None
    click(qtbot, win.live_view)                                     # "Tap to start"
    assert win.visit.state == "start"
    qtbot.wait(200)            # the panel takes the form's size on the next turn of the event loop
    return win


def label_of(field: QLineEdit) -> QLabel:
    found = [lb for lb in field.window().findChildren(QLabel) if lb.buddy() is field and lb.isVisible()]
    assert len(found) == 1, f"{field.objectName()}: no visible label"
    return found[0]


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_filled_fields_keep_their_labels(qtbot: QtBot, make_config: Callable[..., Path],
                                         size: tuple[int, int]) -> None:
    win = start_screen(qtbot, make_config(), size)
    assert win.visit is not None
    s = win.visit.start_screen
    words = {s.name: "Name", s.phone: "Phone", s.email: "Email"}
    for field, value in ((s.name, "Priya Sharma"), (s.phone, "98123 45678"), (s.email, "priya@example.com")):
        field.setText(value)
    qtbot.wait(50)
    for field, word in words.items():
        label = label_of(field)
        assert word in label.text()
        assert fully_visible(label) and fully_visible(field)
        lr, fr = on_screen(label), on_screen(field)
        assert lr.bottom() <= fr.top() + 2 and lr.left() < fr.right() and fr.left() < lr.right()   # above it
    # The form still fits with full-size keys and the start button on screen.
    assert fully_visible(s.start) and fully_visible(s.consent)
    keys = [s.keyboard.findChild(type(s.start), f"key_{k}") for k in ("1", "q", "a", "z", "space")]
    assert all(k is not None and fully_visible(k) and k.height() >= 44 for k in keys)
    rows = [on_screen(k) for k in keys if k is not None] + [on_screen(s.start)]
    assert all(a.bottom() < b.top() for a, b in zip(rows, rows[1:], strict=False))    # none overlaps


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_the_face_consent_switch_says_on_or_off(qtbot: QtBot, make_config: Callable[..., Path],
                                                size: tuple[int, int]) -> None:
    win = start_screen(qtbot, make_config(), size)
    assert win.visit is not None
    s = win.visit.start_screen
    shown = lambda: s.consent.accessibleName()          # noqa: E731  what a reader / the eye gets
    assert not s.consent.isChecked()
    assert shown().endswith("Off") and "Remember my face" in shown()
    off = s.consent.grab().toImage()
    click(qtbot, s.consent)
    assert s.consent.isChecked() and shown().endswith("On")
    assert s.consent.grab().toImage() != off                     # drawn differently, too
    click(qtbot, s.consent)
    assert not s.consent.isChecked() and shown().endswith("Off")
    click(qtbot, s.consent)
    click(qtbot, s.start)
    assert win.visit.service.visit is not None and win.visit.service.visit.consent is not None


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_the_title_keeps_clear_of_the_top_edge(qtbot: QtBot, make_config: Callable[..., Path],
                                               size: tuple[int, int]) -> None:
    win = start_screen(qtbot, make_config(), size)
    assert win.visit is not None
    heading = win.visit.start_screen.heading
    assert fully_visible(heading) and on_screen(heading).top() >= 12


