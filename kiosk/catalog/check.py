"""The configured pieces against the catalogue: `[tryon] pieces` names ids the app will draw, and
a misspelt one passed the config's own check and then broke the mirror. Here, beside the
catalogue, not in the config (which reads only its own file and environment)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from kiosk.config import KioskConfig, Problem


def check_pieces(cfg: KioskConfig) -> list[Problem]:
    """`[tryon] pieces` against the catalogue the app will load (bundled pieces and those
    imported into the data dir): a misspelt id passed the check and then broke the mirror.
    Not part of `load`: the catalogue is read from disk, and only the app draws pieces."""
    if not cfg.tryon.pieces:
        return []
    # Heavy (OpenCV), and only needed when there are pieces to check.
    from kiosk.catalog import cache
    from kiosk.catalog.pieces import AssetError

    try:
        known = cache.load(Path(cfg.store.data_dir)).pieces
    except (AssetError, OSError) as e:
        return [Problem("tryon.pieces", f"the catalogue cannot be read to check them: {e}")]
    return [Problem("tryon.pieces", unknown_piece(pid, known))
            for pid in cfg.tryon.pieces if pid not in known]


def unknown_piece(pid: str, known: Iterable[str]) -> str:
    """What to tell of a piece id the catalogue does not have, with the nearest known id."""
    near = difflib.get_close_matches(pid, list(known), n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown piece id {pid!r}{hint}: not in the catalogue; `kiosk assets check` lists every id"
