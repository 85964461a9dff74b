from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.capture import CaptureThread, Frame, LatestSlot
from tests.fakes.sources import ScriptedSource


def wait_for(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def test_slow_consumer_drops_are_counted_and_newest_wins() -> None:
    src = ScriptedSource(fps=200)
    slot: LatestSlot[Frame] = LatestSlot()
    cap = CaptureThread(src, slot)
    cap.start()
    try:
        time.sleep(0.3)  # nobody takes: all but the newest are dropped
        frame = slot.take(1)
        assert frame is not None
        stats = cap.stats()
        assert stats.frames >= 10
        assert stats.dropped == slot.dropped >= stats.frames - 2
        assert frame.index >= stats.frames - 2  # the newest, not the oldest
    finally:
        cap.stop()
        cap.join(2)
    assert not cap.is_alive()


def test_unplugged_camera_reports_lost_and_reconnects_without_restart() -> None:
    src = ScriptedSource(fps=100)
    slot: LatestSlot[Frame] = LatestSlot()
    states: list[str] = []
    cap = CaptureThread(src, slot, reconnect_s=0.05, on_state=lambda s, e: states.append(s))
    cap.start()
    try:
        assert wait_for(lambda: cap.stats().frames > 3)
        src.plugged.clear()
        assert wait_for(lambda: cap.stats().state == "lost")
        assert "not present" in (cap.stats().last_error or "") or "stopped" in (cap.stats().last_error or "")
        time.sleep(0.2)  # several failed reopen attempts
        before = cap.stats().frames
        src.plugged.set()
        assert wait_for(lambda: cap.stats().state == "live")
        assert wait_for(lambda: cap.stats().frames > before + 3)
        assert src.opens >= 2
        assert cap.stats().heartbeat_age_s < 1
    finally:
        cap.stop()
        cap.join(2)
    transitions = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
    assert transitions[:3] == ["live", "lost", "live"]
    assert states[-1] == "stopped"
