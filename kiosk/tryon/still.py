"""One still photo with the pieces on it, and `kiosk tryon PHOTO --jewelry ID[,ID] --out OUT.jpg [--json]`.

`render` is the one still-photo path: the CLI below, the staff asset tool's preview (the CLI and
the touchscreen), the cloud outfit's jewelry, and the devcloud's stand-in outfit all use it.
The CLI's pieces are the app's: the bundled ones plus the local catalogue of the config's data
dir (imported from the commerce API, added by staff), hidden ones included (still wearable).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths
from kiosk.capture.base import Image, SourceError
from kiosk.capture.sources import first_frame, load_photo
from kiosk.catalog import cache
from kiosk.catalog.pieces import AssetError, Catalog, Piece
from kiosk.track.base import Tracker
from kiosk.tryon.attire import Attire, AttireError, load_attire
from kiosk.tryon.engine import HINT_NO_FACE, TryOn, TryOnResult, encode_jpeg
from kiosk.tryon.hands3d import HAND_CATEGORIES
from kiosk.tryon.scene3d import Scene3D

EXIT_OK, EXIT_INPUT = 0, 2
COIN_MM = (10.0, 50.0)        # what a coin's (or a round size card's disc) diameter can be


@dataclass(frozen=True)
class StillResult:
    image: Image              # the photo itself, drawn on in place
    result: TryOnResult
    pieces: list[Piece]       # the ids expanded (a set is its pieces)
    renderer: str | None      # "3d" or "sprites (why)" if a 3D piece started it, else None
    ms: float                 # the try-on's own time, the tracker's set-up left out

    @property
    def hands_only(self) -> bool:
        return all(p.category in HAND_CATEGORIES for p in self.pieces)

    def jpeg(self) -> bytes:
        return encode_jpeg(self.image)


def render(photo: Image, catalog: Catalog, pieces: list[str], attire: Attire | None = None,
           tracker: Tracker | None = None, coin_mm: float | None = None) -> StillResult:
    """The pieces (and the attire) drawn on `photo` in place. Without a tracker it makes a static
    MediaPipe one and closes it; a caller that renders often passes its own (and closes it).
    A MediaPipe graph must never run in two threads at once: a caller sharing a tracker calls
    from one thread."""
    own = tracker is None
    if tracker is None:
        from kiosk.track.mediapipe_tracker import MediaPipeTracker

        tracker = MediaPipeTracker(static=True)
    engine: TryOn | None = None
    try:
        t0 = time.perf_counter()
        engine = TryOn(catalog, tracker, pieces, attire, still=True)
        engine.coin_mm = coin_mm
        result = engine.process(photo, t=None)
        ms = (time.perf_counter() - t0) * 1000
        # Asked only when a piece started the renderer: `ready` on a fresh scene makes a context.
        renderer = _renderer(engine.scene) if engine.scene.started else None
        return StillResult(photo, result, list(engine.pieces), renderer, ms)
    finally:
        if engine is not None:
            engine.scene.close()
        if own:
            tracker.close()


def _renderer(scene: Scene3D) -> str:
    return "3d" if scene.ready else f"sprites ({scene.unavailable})"


def _probe_renderer() -> str:
    """What a 3D piece would be drawn with, for a report on a photo with none."""
    scene = Scene3D()
    try:
        return _renderer(scene)
    finally:
        scene.close()


def _fail(msg: str) -> int:
    print(f"kiosk tryon: {msg}", file=sys.stderr)
    return EXIT_INPUT


def main(photo: Path, jewelry: str, out: Path, as_json: bool, attire_id: str | None = None,
         data_dir: Path | None = None, coin_mm: float | None = None) -> int:
    if coin_mm is not None and not COIN_MM[0] <= coin_mm <= COIN_MM[1]:
        return _fail(f"--coin-mm is a coin's diameter in millimetres ({COIN_MM[0]:g} to {COIN_MM[1]:g}), "
                     f"not {coin_mm:g}")
    try:
        frame: Image = load_photo(photo)
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
    still = render(frame, catalog, ids, attire, coin_mm=coin_mm)
    result = still.result
    if still.hands_only and not result.hands:
        return _fail(f"{photo}: no hand found for {', '.join(ids)}; use a photo with the hand in view")
    if result.faces == 0 and not still.hands_only:
        return _fail(f"{photo}: no face found ({HINT_NO_FACE.split(':')[0].lower()}); "
                     "use a photo with the customer's face visible")
    coins = [hp.fit.coin for hp in result.hands if hp.fit.coin is not None]
    coin_report: dict[str, object] | None = None
    if coin_mm is not None and coins:
        coin_report = coins[0].as_json(coin_mm) | {"found": True}
    elif coin_mm is not None:
        coin_report = {"coin_mm": coin_mm, "found": False}
    if coin_mm is not None and result.hands and not coins:
        print(f"kiosk tryon: no {coin_mm:g} mm coin found beside the hand (hold it flat to the camera, "
              "beside the finger, its rim in view); the sizes come from the hand's proportions",
              file=sys.stderr)
    card = result.card
    beside = any(hp.fit.card is not None for hp in result.hands)
    if card is not None and result.hands and not beside:
        print("kiosk tryon: the size card is in the photo but not beside the hand (hold it next to the "
              "finger, at the same distance from the camera); the sizes come from "
              f"the {result.hands[0].fit.scale.name}", file=sys.stderr)
    t0 = time.perf_counter()
    jpeg = still.jpeg()
    ms = still.ms + (time.perf_counter() - t0) * 1000
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
              "renderer": still.renderer or _probe_renderer(),
              "coin": coin_report,
              "card": card.as_json() | {"beside_hand": beside} if card is not None else None,
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


def preview_on_sample(data_dir: Path, pid: str, out: Path) -> None:
    """The new piece worn on the sample video's face, so staff can judge size and hook."""
    jpeg = render(first_frame(paths.SAMPLE_VIDEO), cache.load(data_dir), [pid]).jpeg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(jpeg)
    print(f"preview: {out}")
