"""One cloud outfit, start to finish, on a worker thread: the photo up, the garment back, the
customer's jewelry composited onto it with the still-photo path of the try-on engine.

The UI hears through callbacks (the screen turns them into Qt signals); a cancel flag is
checked between steps and inside every wait, so a cancelled job ends within a second or so.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.catalog.pieces import Catalog
from kiosk.outfit.client import OutfitProgress, TryOnError
from kiosk.outfit.service import CloudOutfits
from kiosk.tryon.engine import encode_jpeg
from kiosk.tryon.still import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutfitOutcome:
    jpeg: bytes
    total_ms: float          # upload + cloud + download + jewelry
    note: str                # said under the photo (e.g. no face for the jewelry)


def composite(image_bytes: bytes, catalog: Catalog, pieces: list[str]) -> tuple[bytes, str]:
    """The jewelry on the cloud's picture, as on a still photo."""
    decoded = cv2.imdecode(np.frombuffer(image_bytes, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise TryOnError("BAD_ANSWER", "the result is not an image")
    frame = np.ascontiguousarray(decoded, dtype=np.uint8)
    if not pieces:
        return encode_jpeg(frame), ""
    worn = render(frame, catalog, pieces)         # on this thread: its tracker's graphs are this thread's
    note = "" if worn.result.faces else "no face in the cloud's picture, so no jewelry on it"
    return worn.jpeg(), note


class CloudJob:
    def __init__(self, outfits: CloudOutfits, catalog: Catalog, garment_id: str, photo_jpeg: bytes,
                 pieces: list[str], on_progress: Callable[[OutfitProgress], None],
                 on_done: Callable[[OutfitOutcome], None], on_failed: Callable[[str, str], None]) -> None:
        self.outfits, self.catalog, self.garment_id = outfits, catalog, garment_id
        self.photo, self.pieces = photo_jpeg, list(pieces)
        self.on_progress, self.on_done, self.on_failed = on_progress, on_done, on_failed
        self.cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, name="cloud-outfit", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.cancel.set()

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            got = self.outfits.generate(self.garment_id, self.photo, self.on_progress, self.cancel)
            if self.cancel.is_set():
                return
            self.on_progress(OutfitProgress("jewelry", 100))
            jpeg, note = composite(got, self.catalog, self.pieces)
        except TryOnError as e:
            if e.code != "CANCELLED" and not self.cancel.is_set():
                log.warning("cloud outfit %s: %s (%s)", self.garment_id, e.code, e.detail)
                self.on_failed(e.code, str(e))
            return
        except Exception as e:          # never a traceback in front of the seller
            log.exception("cloud outfit %s failed", self.garment_id)
            self.on_failed("INTERNAL", f"The cloud outfit could not be made ({type(e).__name__}).")
            return
        if not self.cancel.is_set():
            self.on_done(OutfitOutcome(jpeg, (time.perf_counter() - t0) * 1000, note))
