from __future__ import annotations

import threading
import time

from kiosk.capture import LatestSlot


def test_newest_wins_and_drops_are_counted() -> None:
    slot: LatestSlot[int] = LatestSlot()
    for i in range(5):
        slot.put(i)
    assert slot.take(0) == 4
    assert slot.dropped == 4 and slot.put_count == 5
    assert slot.take_nowait() is None


def test_no_drop_when_consumer_keeps_up() -> None:
    slot: LatestSlot[int] = LatestSlot()
    for i in range(10):
        slot.put(i)
        assert slot.take(0) == i
    assert slot.dropped == 0


def test_take_waits_for_a_producer() -> None:
    slot: LatestSlot[str] = LatestSlot()
    threading.Timer(0.05, lambda: slot.put("x")).start()
    assert slot.take(timeout=2) == "x"


def test_take_times_out_and_close_releases() -> None:
    slot: LatestSlot[int] = LatestSlot()
    t0 = time.monotonic()
    assert slot.take(timeout=0.05) is None
    assert time.monotonic() - t0 >= 0.04
    threading.Timer(0.05, slot.close).start()
    assert slot.take(timeout=5) is None
