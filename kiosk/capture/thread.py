from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.capture.base import Frame, FrameSource, SourceError
from kiosk.capture.slot import LatestSlot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureStats:
    state: str  # starting | live | lost | stopped
    fps: float
    frames: int
    dropped: int
    last_error: str | None
    heartbeat_age_s: float


class RateMeter:
    """Events per second over a sliding window."""

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()

    def tick(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._times.append(now)
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


class CaptureThread(threading.Thread):
    """Reads a source as fast as it delivers into a latest-frame-wins slot.

    When the source fails (camera unplugged) it reports ``lost`` and keeps trying to
    reopen it every ``reconnect_s`` until stopped: the app never needs a restart.
    """

    def __init__(self, source: FrameSource, slot: LatestSlot[Frame], reconnect_s: float = 1.0,
                 on_state: Callable[[str, str | None], None] | None = None) -> None:
        super().__init__(name="capture", daemon=True)
        self.source = source
        self.slot = slot
        self.reconnect_s = reconnect_s
        self.on_state = on_state
        self._stop_event = threading.Event()
        self._state = "starting"
        self._error: str | None = None
        self._frames = 0
        self._meter = RateMeter()
        self._heartbeat = time.monotonic()

    def stop(self) -> None:
        self._stop_event.set()

    def _set_state(self, state: str, error: str | None = None) -> None:
        if state != self._state or error != self._error:
            self._state, self._error = state, error
            if state == "lost":
                log.warning("%s lost: %s; reconnecting every %.1f s", self.source.name, error,
                            self.reconnect_s)
            else:
                log.info("%s %s", self.source.name, state)
            if self.on_state:
                self.on_state(state, error)

    def stats(self) -> CaptureStats:
        return CaptureStats(self._state, self._meter.rate(), self._frames, self.slot.dropped,
                            self._error, time.monotonic() - self._heartbeat)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._heartbeat = time.monotonic()
            try:
                self.source.open()
            except SourceError as e:
                self._set_state("lost", str(e))
                self._stop_event.wait(self.reconnect_s)
                continue
            except Exception as e:  # a driver bug must not kill the thread
                log.exception("opening %s failed", self.source.name)
                self._set_state("lost", f"unexpected error: {e}")
                self._stop_event.wait(self.reconnect_s)
                continue
            self._set_state("live")
            try:
                while not self._stop_event.is_set():
                    img = self.source.read()
                    now = time.monotonic()
                    self._heartbeat = now
                    self._meter.tick(now)
                    self.slot.put(Frame(img, self._frames, now))
                    self._frames += 1
            except SourceError as e:
                self._set_state("lost", str(e))
            except Exception as e:
                log.exception("reading %s failed", self.source.name)
                self._set_state("lost", f"unexpected error: {e}")
            finally:
                self.source.close()
            self._stop_event.wait(self.reconnect_s)
        self._set_state("stopped")
