"""Wires a frame source to the live view: capture thread → pipeline worker → Qt signal → paint."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kiosk.capture import CaptureThread, Frame, FrameSource, LatestSlot
from kiosk.capture.pipeline import PipelineWorker, Processed, Stage
from kiosk.ui.live_view import LiveView

log = logging.getLogger(__name__)


class _Bridge(QObject):
    # Emitted from worker threads; Qt queues them to the UI thread.
    frame_ready = Signal()
    source_state = Signal(str, str)


@dataclass(frozen=True)
class LiveStats:
    source: str
    state: str
    capture_fps: float
    display_fps: float
    processed: int
    displayed: int
    dropped_capture: int
    dropped_display: int
    frame_age_s: float | None
    capture_heartbeat_s: float

    def overlay(self) -> str:
        return (f"display {self.display_fps:4.1f} fps · capture {self.capture_fps:4.1f} fps · "
                f"dropped {self.dropped_capture + self.dropped_display}")


class LivePipeline:
    """Owns the capture and pipeline threads for one source and feeds a LiveView."""

    def __init__(self, source: FrameSource, view: LiveView,
                 stages: list[tuple[str, Stage]] | None = None) -> None:
        self.source = source
        self.view = view
        self.frames: LatestSlot[Frame] = LatestSlot()
        self.results: LatestSlot[Processed] = LatestSlot()
        self._bridge = _Bridge()
        self._pending = threading.Event()  # one queued signal at a time, however fast frames come
        self._bridge.frame_ready.connect(self._on_frame_ready)
        self._bridge.source_state.connect(self._on_source_state)
        self.capture = CaptureThread(source, self.frames, on_state=self._emit_state)
        self.worker = PipelineWorker(self.frames, self.results, self._notify, stages)
        self.last_frame_at: float | None = None

    def _notify(self) -> None:
        if not self._pending.is_set():
            self._pending.set()
            self._bridge.frame_ready.emit()

    def _emit_state(self, state: str, error: str | None) -> None:
        self._bridge.source_state.emit(state, error or "")

    def _on_frame_ready(self) -> None:
        self._pending.clear()
        processed = self.results.take_nowait()
        if processed is not None:
            self.last_frame_at = time.monotonic()
            self.view.show_processed(processed)

    def _on_source_state(self, state: str, error: str) -> None:
        if state == "lost":
            self.view.set_banner(f"Camera disconnected — reconnecting… ({error})")
        elif state == "live":
            self.view.set_banner(None)

    def start(self) -> None:
        self.capture.start()
        self.worker.start()

    def stop(self) -> None:
        self.capture.stop()
        self.worker.stop()
        self.capture.join(timeout=3)
        self.worker.join(timeout=3)

    def stats(self) -> LiveStats:
        cs = self.capture.stats()
        age = None if self.last_frame_at is None else time.monotonic() - self.last_frame_at
        return LiveStats(self.source.name, cs.state, cs.fps, self.view.paint_meter.rate(),
                         self.worker.processed, self.view.painted, self.frames.dropped,
                         self.results.dropped, age, cs.heartbeat_age_s)

    def healthy(self, max_age_s: float = 5.0) -> bool:
        """For the systemd watchdog: frames are fresh, or capture is alive and reconnecting."""
        st = self.stats()
        if st.state == "lost":
            return st.capture_heartbeat_s < max_age_s + self.capture.reconnect_s
        return st.frame_age_s is not None and st.frame_age_s < max_age_s
