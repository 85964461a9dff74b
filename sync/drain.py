"""The drain: take the due head row of each stream, send them in parallel, record outcomes.

Retry delays double from ``retry_base_s`` up to ``retry_max_s`` with jitter (so a fleet of
kiosks coming back online does not hit the cloud in lockstep); a server's Retry-After wins.
A 429 pauses the whole service until its Retry-After, measured on the monotonic clock so a
wall-clock jump cannot stretch it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from kiosk.store import Job, StoreError
from kiosk.store.outbox import KIND_EVENT, KIND_IMAGE_UPLOAD, KIND_SHARE_SEND, EventStore, Result
from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry

log = logging.getLogger(__name__)

Sender = Callable[[Job], Outcome]


def service_of(kind: str) -> str:
    """Which cloud service a row goes to (a 429 pauses that service only)."""
    if kind == KIND_EVENT:
        return "events"
    if kind == KIND_IMAGE_UPLOAD:
        return "images"
    if kind == KIND_SHARE_SEND:
        return "messaging"
    return "persons"


@dataclass
class Totals:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    rounds: int = 0
    storage_error: str | None = None
    errors: list[str] = field(default_factory=list)

    def add(self, results: list[Result]) -> None:
        self.rounds += 1
        for r in results:
            if isinstance(r.outcome, Delivered):
                self.delivered += 1
            elif isinstance(r.outcome, Retry):
                self.retried += 1
                self.errors.append(r.outcome.error)
            else:
                self.dead += 1
                self.errors.append(r.outcome.error)
        del self.errors[:-5]


class Syncer:
    def __init__(self, store: EventStore, senders: dict[str, Sender], *, workers: int = 8,
                 batch: int = 64, retry_base_s: float = 1.0, retry_max_s: float = 300.0,
                 rng: random.Random | None = None):
        self.store = store
        self.senders = senders
        self.batch = batch
        self.retry_base_s = retry_base_s
        self.retry_max_s = retry_max_s
        self.rng = rng or random.Random()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-send")
        self._paused_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self.last_progress = time.monotonic()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def horizon_s(self) -> float:
        # No honest backoff is scheduled further ahead than this.
        return self.retry_max_s * 1.5 + 60.0

    def delay_for(self, job: Job, out: Retry) -> float:
        if out.after_s is not None:
            return min(max(out.after_s, 0.0), self.retry_max_s)
        step = self.retry_base_s * float(2 ** min(job.attempts, 30))
        return min(self.retry_max_s, step) * self.rng.uniform(0.5, 1.0)

    def paused(self, service: str) -> float:
        """Seconds this service is still paused by a 429 (0 when it is not)."""
        with self._lock:
            return max(0.0, self._paused_until.get(service, 0.0) - time.monotonic())

    def _send(self, job: Job) -> Result:
        try:
            out = self._dispatch(job)
        except Exception as e:  # a bug in one sender must not stop the daemon
            log.exception("sending %s %s failed unexpectedly", job.kind, job.id)
            out = Retry(f"internal error: {type(e).__name__}: {e}")
        if isinstance(out, Retry):
            delay = self.delay_for(job, out)
            if out.throttled:
                with self._lock:
                    until = time.monotonic() + (out.after_s if out.after_s is not None else delay)
                    svc = service_of(job.kind)
                    self._paused_until[svc] = max(self._paused_until.get(svc, 0.0), until)
            log.info("%s %s: will retry in %.1fs: %s", job.kind, job.id, delay, out.error)
            return Result(job, out, delay)
        if isinstance(out, Rejected):
            log.warning("%s %s dead-lettered: %s", job.kind, job.id, out.error)
        return Result(job, out)

    def _dispatch(self, job: Job) -> Outcome:
        if job.kind == "person.update" and not job.person_cloud_id:
            return Rejected("the person was never created in the cloud (its create was refused), "
                            "so it cannot be updated")
        if job.kind == KIND_SHARE_SEND and not job.share_page_url:
            return Rejected("the photo could not be uploaded, so there is no link to send")
        if job.kind == "person.create" and (job.vector is None or job.blob is None):
            return Rejected("the person's vector or photo is missing from the local store")
        sender = self.senders.get(job.kind)
        if sender is None:
            return Retry(f"no client configured for {job.kind}")
        return sender(job)

    def round(self) -> list[Result] | None:
        """One round; None when nothing was due. Raises StoreError if results can't be saved."""
        heads = self.store.due_heads(self.batch, self.horizon_s())
        heads = [j for j in heads if self.paused(service_of(j.kind)) == 0.0]
        if not heads:
            return None
        results = list(self.pool.map(self._send, heads))
        self.store.complete(results)
        self.last_progress = time.monotonic()
        return results

    def drain(self, stop: threading.Event | None = None,
              progress: Callable[[Totals], None] | None = None) -> Totals:
        """Rounds until nothing is due (or stop is set). Storage errors end the drain."""
        totals = Totals()
        while stop is None or not stop.is_set():
            try:
                results = self.round()
            except StoreError as e:
                log.error("sync cannot update the local database: %s", e)
                totals.storage_error = str(e)
                break
            if results is None:
                break
            totals.add(results)
            if progress is not None:
                progress(totals)
        return totals
