"""Cloud outfits for one customer at a time: one widget session per garment per visit (so the
service's 3 tries are the customer's 3 tries of that garment), the photo up, the result back.

Runs on a worker thread; `progress` is called from it and `cancel` is checked between steps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.config import Garment
from kiosk.outfit.client import OutfitProgress, TryOnError, WidgetClient, WidgetSession, decode_data_url

POLL_MIN_S = 2.0


def product(g: Garment) -> dict[str, Any]:
    p: dict[str, Any] = {"id": g.id, "name": g.name, "image": str(g.image), "category": g.category}
    if g.price is not None:
        p["price"] = g.price
    if g.currency:
        p["currency"] = g.currency
    return p


class CloudOutfits:
    def __init__(self, client: WidgetClient, garments: list[Garment], wait_s: float = 120.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.wait_s, self.clock = client, wait_s, clock
        self.garments = {g.id: g for g in garments}
        self._sessions: dict[str, WidgetSession] = {}
        self._lock = threading.Lock()

    def new_customer(self) -> None:
        with self._lock:
            self._sessions.clear()

    def tries_left(self, garment_id: str) -> int:
        with self._lock:
            s = self._sessions.get(garment_id)
        if s is None or s.expired(self.clock()):
            return 3 if s is None else s.max_tries
        return max(0, s.max_tries - s.tries)

    def _session(self, g: Garment, fresh: bool = False) -> WidgetSession:
        with self._lock:
            s = self._sessions.get(g.id)
        if fresh or s is None or s.expired(self.clock()):
            s = self.client.create_session(product(g))
            with self._lock:
                self._sessions[g.id] = s
        return s

    def generate(self, garment_id: str, photo_jpeg: bytes, progress: Callable[[OutfitProgress], None],
                 cancel: threading.Event) -> bytes:
        """The result image (JPEG/PNG bytes) of `garment_id` worn by the person in the photo."""
        g = self.garments[garment_id]
        progress(OutfitProgress("starting", None))
        s = self._session(g)
        progress(OutfitProgress("uploading", None))
        try:
            self.client.submit(s, photo_jpeg)
        except TryOnError as e:
            if e.code not in ("SESSION_EXPIRED", "SESSION_NOT_FOUND"):
                raise
            s = self._session(g, fresh=True)           # expired between our check and theirs
            self.client.submit(s, photo_jpeg)
        if cancel.is_set():
            raise TryOnError("CANCELLED")
        progress(OutfitProgress("processing", 0))
        done = self._wait(s.id, progress, cancel)
        progress(OutfitProgress("downloading", 100))
        if isinstance(done.get("resultImageBase64"), str):
            return decode_data_url(done["resultImageBase64"])
        if isinstance(done.get("resultImage"), str):
            return self.client.download(done["resultImage"])
        raise TryOnError("BAD_ANSWER", "a completed result without an image")

    def _wait(self, sid: str, progress: Callable[[OutfitProgress], None],
              cancel: threading.Event) -> dict[str, Any]:
        deadline = time.monotonic() + self.wait_s
        try:
            for event, data in self.client.stream(sid, cancel):
                if event == "completed" or data.get("status") == "completed":
                    has_image = isinstance(data.get("resultImageBase64") or data.get("resultImage"), str)
                    return data if has_image else self.client.result(sid)
                if event == "error" or data.get("status") in ("failed", "expired"):
                    raise TryOnError(str(data.get("error") or "PROCESSING_FAILED"))
                if event == "status":
                    p = data.get("progress")
                    progress(OutfitProgress("processing", int(p) if isinstance(p, (int, float)) else None))
                if time.monotonic() > deadline:
                    raise TryOnError("TIMEOUT")
        except TryOnError as e:
            if e.code != "SSE_UNAVAILABLE":
                raise
        return self._poll(sid, progress, cancel, deadline)

    def _poll(self, sid: str, progress: Callable[[OutfitProgress], None], cancel: threading.Event,
              deadline: float) -> dict[str, Any]:
        """GET …/result until done, paced so the per-minute allowance is not used up."""
        while True:
            d = self.client.result(sid)
            status = d.get("status")
            if status == "completed":
                return d
            if status in ("failed", "expired"):
                raise TryOnError(str(d.get("error") or ("SESSION_EXPIRED" if status == "expired"
                                                          else "PROCESSING_FAILED")))
            progress(OutfitProgress("processing", None))
            pause = POLL_MIN_S
            remaining, reset = self.client.limit_remaining, self.client.limit_reset
            if remaining is not None and reset is not None and remaining > 0:
                pause = max(pause, (reset - self.clock()) / remaining)
            if time.monotonic() + pause > deadline:
                raise TryOnError("TIMEOUT")
            if cancel.wait(pause):
                raise TryOnError("CANCELLED")
