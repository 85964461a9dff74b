"""The live tracker's pose and segmentation thread yields the CPU to the face and the renderer."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import numpy as np
import pytest

from kiosk.track import mediapipe_tracker as mt
from kiosk.track.base import Needs
from kiosk.track.worker import SIDE_NICE


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


class _Recorder:
    """Stands in for the tracker: records the nice value its aux() runs at, and of a thread it
    starts there (MediaPipe's graph threads are started by the first aux() call)."""

    def __init__(self) -> None:
        self.nice: list[int] = []
        self.done = threading.Event()

    def aux(self, frame: Any, needs: Needs, t: float) -> tuple[None, None]:
        self.nice.append(_nice())
        child: list[int] = []
        th = threading.Thread(target=lambda: child.append(_nice()))
        th.start()
        th.join()
        self.nice.extend(child)
        self.done.set()
        return None, None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads have their own nice value on Linux")
def test_the_aux_thread_and_what_it_starts_run_at_low_priority() -> None:
    rec = _Recorder()
    before = _nice()
    worker = mt._AuxWorker(rec)  # type: ignore[arg-type]
    try:
        worker.submit(np.zeros((4, 4, 3), np.uint8), Needs(pose=True))
        assert rec.done.wait(5)
    finally:
        worker.close()
    assert rec.nice and all(n >= SIDE_NICE for n in rec.nice), rec.nice
    assert _nice() == before                       # the caller's own thread keeps its priority
