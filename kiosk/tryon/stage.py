"""The try-on as a pipeline stage: copies the camera frame, composites the selected pieces."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

from kiosk.capture import Frame
from kiosk.capture.base import Image
from kiosk.catalog.pieces import Catalog
from kiosk.track.base import FaceTrack, Tracker
from kiosk.tryon.attire import Attire
from kiosk.tryon.engine import TryOn, TryOnResult, capture, encode_jpeg
from kiosk.tryon.hands3d import HAND_CATEGORIES

STILL_WAIT_S = 2.0      # a photo waits this long for the worker's still render, then takes the live one


class _StillRequest:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: tuple[bytes, float] | None = None


def live_tracker() -> Tracker:
    """The live mirror's tracker (MediaPipe, smoothed across frames)."""
    from kiosk.track.mediapipe_tracker import MediaPipeTracker

    return MediaPipeTracker(static=False)


def size_lines(result: TryOnResult) -> tuple[str, ...]:
    """One line per hand piece worn: what size the customer's finger or hand suggests."""
    out = []
    for hp in result.hands:
        where = f"{hp.fit.track.side} hand" + (f", {hp.finger} finger" if hp.finger else "")
        line = f"{hp.piece.name} ({where}): {hp.size.text()}, measured by the {hp.fit.scale.name}"
        if line not in out:
            out.append(line)
    return tuple(out)


SIZE_CARD_TIP = "For a closer size, hold the size card beside the hand"


def size_tip(result: TryOnResult) -> str:
    """Sizes from the hand's own proportions are good to about +-5 ring sizes; the printed
    card beside the hand brings that to about +-1 (README: Rings, bangles and bracelets)."""
    return SIZE_CARD_TIP if any(hp.fit.scale.source == "hand" for hp in result.hands) else ""


class TryOnStage:
    """Callable stage for PipelineWorker; ``hints`` and ``last`` are read by the UI thread."""

    def __init__(self, catalog: Catalog, make_tracker: Callable[[], Tracker] = live_tracker,
                 selected: list[str] | None = None, hfov_deg: float = 60.0):
        self._catalog = catalog
        self._hfov_deg = hfov_deg
        self._make_tracker = make_tracker
        self._tracker: Tracker | None = None
        self._selected = list(selected or [])
        self._attire: Attire | None = None
        self._engine: TryOn | None = None
        self._lock = threading.Lock()
        self.last: TryOnResult | None = None
        self.hints: tuple[str, ...] = ()
        self.sizes: tuple[str, ...] = ()          # ring / bangle size estimates, for the seller
        self.size_tip = ""                        # how to get a closer one, when there is a way
        self.hand_boxes: tuple[tuple[float, float, float, float], ...] | None = None   # None: no hand piece
        self.last_raw: Image | None = None        # the camera frame as it came (face worker)
        self.last_face: FaceTrack | None = None   # the tracked face of that frame (auto-framing)
        self._last_out: Image | None = None       # the composite shown (capture)
        self._last_ms = 0.0
        self._still: _StillRequest | None = None  # a photo asked for by the UI thread

    def select(self, ids: list[str]) -> None:
        self._catalog.expand(ids)          # unknown ids fail here, on the caller's thread
        with self._lock:
            self._selected = list(ids)
            if self._engine is not None:
                self._engine.select(ids)

    def set_attire(self, attire: Attire | None) -> None:
        with self._lock:
            self._attire = attire
            if self._engine is not None:
                self._engine.attire = attire

    def _ensure(self) -> TryOn:
        # Created on the worker thread, which runs its graphs (or its one tracking thread does,
        # kiosk/tryon/ahead.py): a MediaPipe graph must never run in two threads at once.
        if self._engine is None:
            if self._tracker is None:
                self._tracker = self._make_tracker()
            self._engine = TryOn(self._catalog, self._tracker, self._selected, self._attire,
                                 hfov_deg=self._hfov_deg)
        return self._engine

    def __call__(self, frame: Frame) -> Frame:
        t0 = time.perf_counter()
        with self._lock:
            engine = self._ensure()
            image = frame.image.copy()    # sources may hand out the same buffer again
            result = engine.process(image, time.monotonic())
            request, self._still = self._still, None
            if request is not None:
                # On this thread: the renderer's context is the worker's.
                try:
                    jpeg, ms = capture(frame.image, engine, result.placements, engine.last_face)
                    request.result = jpeg, ms + (time.perf_counter() - t0) * 1000
                finally:
                    request.done.set()
        self.last, self.last_face = result, engine.last_face
        self.hints = tuple(result.hints)
        self.sizes = size_lines(result)
        self.size_tip = size_tip(result)
        wants = any(p.category in HAND_CATEGORIES for p in engine.pieces)
        self.hand_boxes = tuple(hp.fit.track.box for hp in result.hands) if wants else None
        self.last_raw, self._last_out = frame.image, image
        self._last_ms = (time.perf_counter() - t0) * 1000
        return dataclasses.replace(frame, image=image)

    def capture(self, wait_s: float = STILL_WAIT_S) -> tuple[bytes, float] | None:
        """The photo at camera resolution, as JPEG, and its generation time in ms (tracking +
        outfit + jewelry for that frame, plus the encoding). With 3D pieces on, the worker
        renders the next frame's pieces again at still quality (supersampled); should it not
        get to it in time, the newest live composite is the photo."""
        engine = self._engine
        if engine is not None and engine.has_3d and self._last_out is not None:
            request = _StillRequest()
            self._still = request
            if request.done.wait(wait_s) and request.result is not None:
                return request.result
            self._still = None
        out, ms = self._last_out, self._last_ms
        if out is None:
            return None
        t0 = time.perf_counter()
        jpeg = encode_jpeg(out)
        return jpeg, ms + (time.perf_counter() - t0) * 1000

    def render_status(self) -> str:
        """For the technician: how the 3D pieces are drawn (what the worker found)."""
        engine = self._engine
        if engine is None or not engine.scene.started:
            return "not started yet (no 3D piece worn since the start)"
        if engine.scene.unavailable is not None:
            return f"pre-rendered sprites: no OpenGL context ({engine.scene.unavailable})"
        return "rendered live in 3D (OpenGL over EGL)"

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        if self._tracker is not None:
            self._tracker.close()
