"""Issue 21: an unknown piece id in `[tryon] pieces` fails `kiosk config check`, naming it;
pieces imported into the local catalogue are known; the app names the id in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import cli
from kiosk.catalog import cache
from kiosk.store.db import Database
from tests.helpers.screens import PORTRAIT, fully_visible, launch_at


def with_pieces(make_config: Callable[..., Path], pieces: str) -> Path:
    path = make_config()
    path.write_text(path.read_text() + f"\n[tryon]\npieces = [{pieces}]\n")
    return path


def test_config_check_fails_naming_an_unknown_piece(make_config: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = with_pieces(make_config, '"earring_gold", "earring_golld"')
    assert cli.main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    blamed = [line for line in err.splitlines() if "unknown piece id" in line]
    assert len(blamed) == 1 and "tryon.pieces" in blamed[0] and "'earring_golld'" in blamed[0]
    assert "did you mean 'earring_gold'" in blamed[0]


def test_bundled_and_imported_pieces_pass(make_config: Callable[..., Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(tmp_path / "data")                      # an import left a piece in the data dir
    try:
        src = cache.BUNDLED / "jhumka_gold"
        piece = cache.NewPiece("v9-jhumka", "vendor-9", "Kemp Jhumka", "earring", 42500.0, 40.0, (100, 10))
        cache.save_piece(db, piece, (src / "piece.png").read_bytes(), source="commerce", now=0.0)
    finally:
        db.close()
    path = with_pieces(make_config, '"earring_gold", "ruby_set", "v9-jhumka"')
    assert cli.main(["config", "check", str(path)]) == 0, capsys.readouterr().err
    assert "OK" in capsys.readouterr().out


@pytest.mark.slow
def test_the_app_names_the_unknown_piece_and_runs_without_it(qtbot: QtBot,
                                                             make_config: Callable[..., Path]) -> None:
    win = launch_at(qtbot, with_pieces(make_config, '"earring_golld"'), PORTRAIT)
    b = win.live_view.banner
    qtbot.waitUntil(b.isVisible, timeout=5000)
    assert "earring_golld" in b.text() and "config check" in b.text()
    assert "known:" not in b.text()                       # not a raw list of every id in the catalogue
    assert fully_visible(b) and b.height() >= b.heightForWidth(b.width())
    assert win.visit is not None                          # the visits still work, without that piece
