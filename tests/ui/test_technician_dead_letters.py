"""The technician screen names each dead letter, so a customer who could not be blanked on the
person API is never a silent count."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.store.kinds import Kind
from kiosk.store.outbox import Result
from kiosk.store.outcomes import Rejected
from tests.helpers.ui import TECH_PIN, launch, open_technician

pytestmark = pytest.mark.slow     # the whole app window with real MediaPipe

WHY = ("a forgotten customer could not be blanked on the person API: HTTP 400: "
       "phone_number: Enter a valid phone number.")


def test_a_dead_erase_is_spelled_out_on_the_technician_screen(
        qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    path = make_config()
    path.write_text(path.read_text() + f'\n[ui]\ntechnician_pin_sha256 = "{TECH_PIN}"\n')
    win = launch(qtbot, path, frames=3)
    store = win.store
    assert store is not None
    with store.db.write() as conn:
        store.queue_erase(conn, "local-1", "cloud-7")
    [job] = [j for j in store.due_heads(10, 3600) if j.kind == Kind.PERSON_ERASE]
    store.complete([Result(job, Rejected(WHY))])             # as the daemon's erase sender reports it
    tech = open_technician(qtbot, win)
    text = tech.body.text()
    assert "dead letters     1" in text
    assert f"dead: {Kind.PERSON_ERASE}" in text and WHY in text
