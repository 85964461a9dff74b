"""`kiosk tryon PHOTO --jewelry ID[,ID] --out OUT.jpg [--json]`: composite one still photo.

The pieces are the app's: the bundled ones plus the local catalogue of the config's data dir
(imported from the commerce API, added by staff), hidden ones included (still wearable).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.capture.base import SourceError
from kiosk.capture.sources import load_photo
from kiosk.catalog import cache
from kiosk.tryon.assets import AssetError, Catalog
from kiosk.tryon.attire import AttireError, load_attire
from kiosk.tryon.engine import HINT_NO_FACE, Frame, TryOn, encode_jpeg
from kiosk.tryon.hands3d import HAND_CATEGORIES

EXIT_OK, EXIT_INPUT = 0, 2


def _fail(msg: str) -> int:
    print(f"kiosk tryon: {msg}", file=sys.stderr)
    return EXIT_INPUT


def main(photo: Path, jewelry: str, out: Path, as_json: bool, attire_id: str | None = None,
         data_dir: Path | None = None) -> int:
    try:
        frame: Frame = load_photo(photo)
    except SourceError as e:
        return _fail(str(e))
    ids = [x.strip() for x in jewelry.split(",") if x.strip()]
    if not ids:
        return _fail("--jewelry needs at least one id")
    try:
        catalog = cache.load(data_dir) if data_dir is not None else Catalog.load()
        catalog.expand(ids)
        attire = None
        if attire_id:
            choices = load_attire()
            if attire_id not in choices:
                return _fail(f"unknown attire id {attire_id!r}; known: {', '.join(sorted(choices))}")
            attire = choices[attire_id]
    except (AssetError, AttireError) as e:
        return _fail(str(e))
    from kiosk.track.mediapipe_tracker import MediaPipeTracker

    tracker = MediaPipeTracker(static=True)
    t0 = time.perf_counter()
    engine = TryOn(catalog, tracker, ids, attire, still=True)
    try:
        result = engine.process(frame, t=None)
        hands_only = all(p.category in HAND_CATEGORIES for p in engine.pieces)
        if hands_only and not result.hands:
            return _fail(f"{photo}: no hand found for {', '.join(ids)}; use a photo with the hand in view")
        if result.faces == 0 and not hands_only:
            return _fail(f"{photo}: no face found ({HINT_NO_FACE.split(':')[0].lower()}); "
                         "use a photo with the customer's face visible")
        jpeg = encode_jpeg(frame)
        ms = (time.perf_counter() - t0) * 1000
    finally:
        tracker.close()
        engine.scene.close()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(jpeg)
    except OSError as e:
        return _fail(f"cannot write {out}: {e.strerror}")
    report = {"photo": str(photo), "out": str(out), "faces": result.faces,
              "scale_px_per_mm": round(result.px_per_mm or 0.0, 3), "scale_source": result.scale_source,
              "attire": attire.id if attire else None,
              "pieces": [pl.as_json() for pl in result.placements] + [hp.as_json() for hp in result.hands],
              "hints": result.hints,
              "light": {k: round(v, 4) for k, v in result.light.items()},
              "head": result.head, "drawn": [d.as_json() for d in result.drawn],
              "renderer": "3d" if engine.scene.ready else f"sprites ({engine.scene.unavailable})",
              "generation_time_ms": round(ms, 1)}
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for pl in result.placements:
            state = "hidden: " + pl.reason if pl.hidden else f"at ({pl.anchor[0]:.0f}, {pl.anchor[1]:.0f})"
            print(f"{pl.piece_id:18} {pl.category:11} {pl.side:12} {state}, "
                  f"{pl.width_px:.0f} px = {pl.width_px / pl.px_per_mm:.1f} mm")
        for hp in result.hands:
            print(f"{hp.piece.id:18} {hp.piece.category:11} {hp.side:12} at ({hp.anchor_px[0]:.0f}, "
                  f"{hp.anchor_px[1]:.0f}), {hp.size.text()} (scale from the {hp.fit.scale.source})")
        for h in result.hints:
            print(f"hint: {h}")
        print(f"wrote {out} ({ms:.0f} ms)")
    return EXIT_OK
