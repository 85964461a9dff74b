"""A side thread for the tracker's slow models: it runs a job on the newest input it was given,
at most once per period, at a low CPU priority, and the caller reads its latest answer.

Live, the face and the renderer must keep their 2 cores: the shoulders' pose, the clothes'
segmentation and the search for a second hand run here, in the time the frames leave idle.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

# The side thread's nice value. The ~25 ms pose runs used to land inside a third of the frames
# and slow the face and the renderer there (llvmpipe's threads and MediaPipe's share 2 cores);
# at nice 19 they run in the time those leave idle. Threads inherit it: MediaPipe's executor
# and XNNPACK threads are started by a graph's first run, on this thread.
SIDE_NICE = 19

T = TypeVar("T")


def lower_priority(nice: int) -> None:
    """This thread (and the threads it starts) yields the CPU to the face and the renderer.
    Linux schedules threads by their own nice value; elsewhere, or if refused, it stays."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), nice))
    except (AttributeError, OSError) as e:
        log.debug("side thread priority unchanged: %s", e)


class LatestWorker(Generic[T]):
    """`job(item)` on its own thread for the newest `submit`ted item (older ones are dropped,
    never queued), at most once every `period_s`. The job keeps its own results."""

    def __init__(self, name: str, job: Callable[[T], None], period_s: float, nice: int = SIDE_NICE):
        self._job = job
        self._period_s = period_s
        self._nice = nice
        self._item: T | None = None
        self._cv = threading.Condition()
        self._stop = False
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: T) -> None:
        with self._cv:
            self._item = item
            self._cv.notify()

    def _run(self) -> None:
        lower_priority(self._nice)
        next_at = 0.0
        while True:
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_at = time.monotonic() + self._period_s
            with self._cv:
                while self._item is None and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                item, self._item = self._item, None
            assert item is not None
            try:
                self._job(item)
            except Exception:       # a model failing on one frame must not end the thread
                self.failures += 1
                if self.failures == 1:          # once: at 10 Hz it would flood the journal
                    log.exception("%s: the side job failed (later failures only counted)",
                                  self._thread.name)

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(5)
