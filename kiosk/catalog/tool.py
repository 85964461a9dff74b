"""Staff asset tool: `kiosk assets add IMAGE ...` and `kiosk assets check`.

``add`` turns a product photo on a plain background into a wearable piece in the local
catalogue (kiosk/catalog/prepare.py does the cut-out and the hook guess), writes a preview of
it worn on the sample video's face, and prints where both are. A running app picks the piece up
within seconds (it watches the catalogue).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kiosk import paths
from kiosk.catalog import cache
from kiosk.catalog.pieces import CATEGORIES, AssetError, Catalog, piece_from_manifest
from kiosk.catalog.prepare import PrepareError, decode, prepare
from kiosk.store.db import Database, StoreError

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _fail(msg: str) -> int:
    print(f"kiosk assets: {msg}", file=sys.stderr)
    return EXIT_INPUT


def add(data_dir: Path, image: Path, *, jeweler: str, category: str, name: str, price: float | None,
        width_mm: float | None, coin_mm: float | None, anchor: tuple[int, int] | None,
        preview: Callable[[str], None] | None) -> int:
    if category not in CATEGORIES:
        return _fail(f"--category {category!r}: one of {', '.join(CATEGORIES)}")
    if image.suffix.lower() == ".glb":
        return _add_model(data_dir, image, jeweler=jeweler, category=category, name=name, price=price,
                          width_mm=width_mm, preview=preview)
    if width_mm is None and coin_mm is None:
        return _fail("give the piece's real width (--width-mm) or lay a coin by it and give --coin-mm")
    try:
        prep = prepare(decode(image.read_bytes()), category, coin_mm=coin_mm)
    except OSError as e:
        return _fail(f"cannot read {image}: {e.strerror}")
    except PrepareError as e:
        return _fail(f"{image}: {e}")
    if not prep.plain_background:
        print("kiosk assets: warning: the background is not plain; check the preview for leftovers",
              file=sys.stderr)
    piece_mm = width_mm if width_mm is not None else prep.width_mm
    assert piece_mm is not None
    h, w = prep.rgba.shape[:2]
    hook = anchor or prep.anchor
    if not (0 <= hook[0] <= w and 0 <= hook[1] <= h):
        return _fail(f"--anchor {hook[0]},{hook[1]} is outside the {w}x{h} cut-out")
    return _save(data_dir, jeweler, name, preview,
                 lambda pid: cache.new_piece(prep, pid=pid, jeweler_id=jeweler, name=name, category=category,
                                             price=price, piece_mm=piece_mm, anchor=hook),
                 f"{category}, {piece_mm:g} mm, hook at {hook[0]},{hook[1]}")


def _add_model(data_dir: Path, path: Path, *, jeweler: str, category: str, name: str,
               price: float | None, width_mm: float | None, preview: Callable[[str], None] | None) -> int:
    """A 3D piece: the .glb checked, its front sprite rendered, both kept (kiosk/catalog/model3d.py)."""
    from kiosk.catalog.model3d import prepare_model

    try:
        made = prepare_model(path, category, width_mm)
    except AssetError as e:
        return _fail(str(e))
    return _save(data_dir, jeweler, name, preview,
                 lambda pid: (cache.NewPiece(pid, jeweler, name, category, price, made.width_mm, made.anchor),
                              made.png),
                 f"{category}, 3D model {made.model_width_mm:.1f} mm wide", model=made.glb)


def _save(data_dir: Path, jeweler: str, name: str, preview: Callable[[str], None] | None,
          make: Callable[[str], tuple[cache.NewPiece, bytes]], what: str, model: bytes | None = None) -> int:
    """The piece under a new id (`make` builds it for that id), said, and previewed if asked."""
    try:
        db = Database(data_dir)
        try:
            new, png = make(cache.unique_id(db, cache.slug(f"{jeweler}_{name}")))
            piece = cache.save_piece(db, new, png, source="staff", now=time.time(), model=model)
        finally:
            db.close()
    except (StoreError, AssetError) as e:
        return _fail(str(e))
    print(f"added {piece.id}: {name} ({what}) in {piece.folder}")
    if preview is not None:
        preview(piece.id)           # the caller draws it worn (the catalogue does no try-on)
    return EXIT_OK


def check(data_dir: Path | None) -> int:
    """Every manifest, bundled and cached: fields, alpha, anchor inside, width range, size."""
    roots = [paths.ASSETS_DIR / "jewelry"]
    if data_dir is not None:
        roots.append(data_dir / cache.PIECES_DIR)
    problems = checked = 0
    for root in roots:
        for manifest in sorted(root.glob("*/manifest.json")):
            checked += 1
            try:
                piece = piece_from_manifest(manifest.parent, json.loads(manifest.read_text()))
                for side in piece.files:
                    h, w = piece.sprite(side).shape[:2]
                    if max(h, w) > 2048 or min(h, w) < 16:
                        raise AssetError(f"{manifest.parent}: the image is {w}x{h}; keep it 16-2048 px")
            except (OSError, ValueError, AssetError) as e:
                problems += 1
                print(f"PROBLEM {manifest.parent.name}: {e}")
                continue
            print(f"ok      {piece.id} ({piece.category})")
    if data_dir is not None:
        # A row whose files are gone is a piece the app silently leaves out: say so here.
        for pid, folder in sorted(cache.piece_folders(data_dir).items()):
            if not (folder / "manifest.json").is_file():
                problems += 1
                print(f"PROBLEM {pid}: in the catalogue database but {folder / 'manifest.json'} is missing")
    try:
        Catalog.load()
    except AssetError as e:
        problems += 1
        print(f"PROBLEM sets: {e}")
    print(f"{checked} manifests, {problems} with problems")
    return EXIT_OK if problems == 0 else EXIT_FAIL
