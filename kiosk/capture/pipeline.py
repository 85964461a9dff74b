"""The pipeline worker: newest camera frame in, processed frame out, UI told by a callback.

Stages (tracking, compositing) run here, never on the UI thread. The result slot is a
latest-wins queue too, so a slow display drops frames instead of building a backlog.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.capture import Frame, LatestSlot

log = logging.getLogger(__name__)

Stage = Callable[[Frame], Frame]


@dataclass(frozen=True, slots=True)
class Processed:
    frame: Frame
    done_at: float
    stage_ms: dict[str, float] = field(default_factory=dict)
    hints: tuple[str, ...] = ()     # what the seller should fix (no face, too dark, ...)


class PipelineWorker(threading.Thread):
    def __init__(self, frames: LatestSlot[Frame], results: LatestSlot[Processed],
                 notify: Callable[[], None], stages: list[tuple[str, Stage]] | None = None) -> None:
        super().__init__(name="pipeline", daemon=True)
        self.frames, self.results, self.notify = frames, results, notify
        self.stages: list[tuple[str, Stage]] = list(stages or [])
        self._stop_event = threading.Event()
        self.processed = 0
        self.errors = 0

    def stop(self) -> None:
        self._stop_event.set()
        self.frames.close()

    def run(self) -> None:
        while not self._stop_event.is_set():
            frame = self.frames.take(timeout=0.5)
            if frame is None:
                continue
            timings: dict[str, float] = {}
            try:
                for name, stage in self.stages:
                    t0 = time.perf_counter()
                    frame = stage(frame)
                    timings[name] = (time.perf_counter() - t0) * 1000
            except Exception:
                # One bad frame must not freeze the mirror: show it unprocessed.
                self.errors += 1
                if self.errors <= 5 or self.errors % 100 == 0:
                    log.exception("pipeline stage failed (%d so far)", self.errors)
            # Stages that have advice for the seller expose it as a `hints` attribute.
            hints = tuple(h for _, st in self.stages for h in getattr(st, "hints", ()))
            self.results.put(Processed(frame, time.monotonic(), timings, hints))
            self.processed += 1
            self.notify()
