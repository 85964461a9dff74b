"""Face recognition beside the visit: the face worker samples the live stage on its own thread
(only while a consented visit has not been decided), each sample is offered to the VisitService
on the UI thread, and a returning customer gets the catalogue's badge. Built like cloud_flow and
share_flow: the visit screen holds it and says when a visit starts, pauses and ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from kiosk.face.worker import FaceModels, FaceWorker, load_models
from kiosk.session.visit import FaceSample, Recognition, VisitService
from kiosk.tryon.stage import TryOnStage
from kiosk.ui.screens.forget import forgotten_text


class _Bridge(QObject):
    sample = Signal(object)


class FaceFlow:
    def __init__(self, service: VisitService, stage: TryOnStage | None, enabled: bool,
                 badge: Callable[[str | None], None], models: Callable[[], FaceModels] = load_models) -> None:
        self.service, self.badge = service, badge
        self._bridge = _Bridge()
        self._bridge.sample.connect(self._on_face)
        self.worker: FaceWorker | None = None
        if enabled and stage is not None:
            self.worker = FaceWorker(lambda: stage.last_raw, self._bridge.sample.emit, models)
            self.worker.start()

    def listen(self) -> None:
        if self.worker is not None:
            self.worker.active.set()

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.active.clear()

    def forget(self) -> str:
        """The current customer's face record deleted (raises StoreError); what to tell them."""
        out = self.service.forget_current()
        self.pause()
        self.badge(None)
        return forgotten_text(out, "this customer")

    def _on_face(self, sample: object) -> None:
        if not isinstance(sample, FaceSample) or self.service.visit is None:
            return
        rec = self.service.offer_face(sample)
        if rec is not None and self.worker is not None:
            self.pause()                    # decided: no more samples this visit
            if rec.returning:
                self.badge(returning_text(rec))

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker.join(5)


def returning_text(rec: Recognition) -> str:
    h = rec.history
    parts = ["Returning customer"]
    if h is not None:
        who = " · ".join(x for x in (h.full_name, h.phone) if x)
        if who:
            parts.append(who)
        if h.last_visit:
            days = int((time.time() - h.last_visit) // 86400)
            when = datetime.fromtimestamp(h.last_visit).strftime("%d %b %Y")
            parts.append(f"last visit {when}" + (f" ({days} days ago)" if days > 0 else " (today)"))
        if h.tried:
            parts.append("tried: " + ", ".join(h.tried[:4]))
    return " — ".join(parts)
