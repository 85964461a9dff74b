"""The cloud outfit flow beside the visit: availability probe, garment choice, countdown, the job
on its worker thread, its result handed back to the visit as a photo. All network work is off the
UI thread; the mirror keeps running while the cloud works."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.catalog.pieces import Catalog
from kiosk.config import KioskConfig
from kiosk.outfit.client import TryOnError, WidgetClient
from kiosk.outfit.job import CloudJob, OutfitOutcome
from kiosk.outfit.service import CloudOutfits
from kiosk.session.visit import VisitService
from kiosk.tryon.attire import Attire
from kiosk.tryon.engine import encode_jpeg
from kiosk.ui.screens.cloud import CloudScreen

PROBE_MS = 60_000


class VisitHooks(Protocol):
    """What the flow needs from the visit screen."""

    catalog: Catalog
    selected: list[str]
    service: VisitService

    def start_countdown(self, then: Callable[[], None] | None = None) -> None: ...

    def raw_frame(self) -> object: ...

    def cloud_photo(self, outcome: OutfitOutcome, garment_id: str, garment_name: str) -> None: ...


class _Bridge(QObject):
    progress = Signal(object)
    done = Signal(object, object)          # job, OutfitOutcome
    failed = Signal(object, str, str)      # job, error code, message
    available = Signal(bool, str)


class CloudFlow:
    def __init__(self, cfg: KioskConfig, hooks: VisitHooks, currency: str) -> None:
        c = cfg.cloud_tryon
        assert c.url is not None
        self.hooks = hooks
        self.client = WidgetClient(str(c.url), cfg.merchant_key() or "", c.origin)
        self.outfits = CloudOutfits(self.client, c.garments, c.wait_s)
        self.names = {g.id: g.name for g in c.garments}
        self.screen = CloudScreen(c.garments, currency)
        self.job: CloudJob | None = None
        self._waiting: str | None = None          # garment whose countdown runs
        self.bridge = _Bridge()
        self.bridge.progress.connect(self.screen.progress)
        self.bridge.done.connect(self._done)
        self.bridge.failed.connect(self._failed)
        self.bridge.available.connect(self.screen.set_available)
        self.screen.chosen.connect(self.choose)
        self.screen.cancel.connect(self.cancel)
        self._probing = threading.Lock()
        self.timer = QTimer()
        self.timer.timeout.connect(self.probe)
        self.timer.start(PROBE_MS)
        self.probe()

    def probe(self) -> None:
        """Is the service there and does it take our key? Asked off the UI thread."""
        if not self._probing.acquire(blocking=False):
            return

        def ask() -> None:
            try:
                self.client.probe()
                self.bridge.available.emit(True, "")
            except TryOnError as e:
                self.bridge.available.emit(False, str(e))
            finally:
                self._probing.release()

        threading.Thread(target=ask, name="cloud-probe", daemon=True).start()

    def open(self) -> None:
        self.screen.open({g: self.outfits.tries_left(g) for g in self.names})
        if not self.screen.available:
            self.probe()                     # it may be back: the answer updates the screen

    def choose(self, garment_id: str) -> None:
        if self.job is not None or self._waiting is not None:
            return
        self._waiting = garment_id
        service = self.hooks.service
        if service.visit is not None:
            service.change_attire(f"cloud_{garment_id}", f"{self.names[garment_id]} (cloud)")
        self.screen.working("Look at the camera…")
        self.hooks.start_countdown(lambda: self._shoot(garment_id))

    def _shoot(self, garment_id: str) -> None:
        if self._waiting != garment_id:
            return                                  # cancelled during the countdown
        self._waiting = None
        raw = self.hooks.raw_frame()
        if raw is None:
            self.screen.failed("No picture yet: the camera is not ready.")
            return
        photo = encode_jpeg(raw)  # type: ignore[arg-type]
        b = self.bridge
        job = CloudJob(self.outfits, self.hooks.catalog, garment_id, photo, self.hooks.selected,
                       b.progress.emit, lambda out: b.done.emit(job, out),
                       lambda code, msg: b.failed.emit(job, code, msg))
        self.job = job
        job.start()

    def _done(self, job: object, outcome: object) -> None:
        if job is not self.job or not isinstance(outcome, OutfitOutcome) or not isinstance(job, CloudJob):
            return                                    # cancelled or from a previous customer
        self.job = None
        self.screen.finished()
        self.hooks.cloud_photo(outcome, job.garment_id, self.names[job.garment_id])

    def _failed(self, job: object, code: str, message: str) -> None:
        if job is not self.job:
            return
        self.job = None
        self.open()
        self.screen.failed(message)
        if code == "UNREACHABLE":
            self.screen.set_available(False, message)

    def cancel(self) -> None:
        self._waiting = None
        if self.job is not None:
            self.job.stop()
            self.job = None
        self.screen.finished()
        self.screen.status.setText("Cancelled.")

    def back_to_live(self, attire: Attire | None) -> None:
        """Back to the mirror after a cloud outfit: the live outfit is the one on screen again."""
        visit = self.hooks.service.visit
        if visit is not None and visit.attire.startswith("cloud_") and attire is not None:
            self.hooks.service.change_attire(attire.id, attire.name)

    def new_customer(self) -> None:
        self.cancel()
        self.outfits.new_customer()

    def shutdown(self) -> None:
        self.timer.stop()
        if self.job is not None:
            self.job.stop()
            self.job.thread.join(3)
        self.client.close()
