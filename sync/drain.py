"""The drain: take the due head row of each stream, send them in parallel, record outcomes.

Retry delays double from ``retry_base_s`` up to ``retry_max_s`` with jitter (so a fleet of
kiosks coming back online does not hit the cloud in lockstep); a server's Retry-After wins.
A 429 pauses the whole service until its Retry-After, measured on the monotonic clock so a
wall-clock jump cannot stretch it.

A blocked service (a captive portal, a proxy page, a moved URL: ``Retry.blocked``) is paused
too, for a delay that doubles while it stays blocked, and then probed with one row at a time
until the cloud itself answers again: a portal gets one request per pause, not a batch.
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
from kiosk.store.kinds import Kind, service_of
from kiosk.store.outbox import EventStore, Result
from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry

log = logging.getLogger(__name__)

Sender = Callable[[Job], Outcome]


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
        self._blocked_streak: dict[str, int] = {}     # consecutive blocked answers per service
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

    def _pause(self, service: str, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + seconds
            self._paused_until[service] = max(self._paused_until.get(service, 0.0), until)

    def resume_blocked(self) -> None:
        """`sync once` asked for everything now: blocked services get their probe at once."""
        with self._lock:
            for svc in self._blocked_streak:
                self._paused_until.pop(svc, None)

    def longest_pause(self) -> float:
        with self._lock:
            until = max(self._paused_until.values(), default=0.0)
        return max(0.0, until - time.monotonic())

    def blocked(self, service: str) -> bool:
        with self._lock:
            return self._blocked_streak.get(service, 0) > 0

    def _send(self, job: Job) -> Result:
        if job.kind == Kind.PERSON_CREATE:
            try:
                self.store.mark_in_flight(job)
            except StoreError as e:
                # Its outcome could not be recorded either: not sent now.
                return Result(job, Retry(f"not sent: {e}"), self.retry_base_s)
        try:
            out = self._dispatch(job)
        except Exception as e:  # a bug in one sender must not stop the daemon
            log.exception("sending %s %s failed unexpectedly", job.kind, job.id)
            out = Retry(f"internal error: {type(e).__name__}: {e}")
        svc = service_of(job.kind)
        if isinstance(out, Retry) and out.blocked:
            with self._lock:
                streak = self._blocked_streak.get(svc, 0) + 1
                self._blocked_streak[svc] = streak
            step = min(self.retry_max_s, self.retry_base_s * float(2 ** min(streak, 30)))
            delay = out.after_s if out.after_s is not None else step * self.rng.uniform(0.75, 1.0)
            self._pause(svc, delay)
            (log.warning if streak == 1 else log.debug)("%s: %s; paused %.0f s, then one probe",
                                                        svc, out.blocked, delay)
            return Result(job, out, delay)
        with self._lock:
            was_blocked = self._blocked_streak.pop(svc, 0) > 0
        if was_blocked:
            log.info("%s: the cloud answers again", svc)
        if isinstance(out, Retry):
            delay = self.delay_for(job, out)
            if out.throttled:
                self._pause(svc, out.after_s if out.after_s is not None else delay)
            log.info("%s %s: will retry in %.1fs: %s", job.kind, job.id, delay, out.error)
            return Result(job, out, delay)
        if isinstance(out, Rejected):
            log.warning("%s %s dead-lettered: %s", job.kind, job.id, out.error)
        return Result(job, out)

    def _dispatch(self, job: Job) -> Outcome:
        if job.kind == Kind.PERSON_UPDATE and not job.person_cloud_id:
            return Rejected("the person was never created in the cloud (its create was refused), "
                            "so it cannot be updated")
        if job.kind == Kind.SHARE_SEND and not job.share_page_url:
            return Rejected("the photo could not be uploaded, so there is no link to send")
        if job.kind == Kind.PERSON_CREATE and (job.vector is None or job.blob is None):
            return Rejected("the person's vector or photo is missing from the local store")
        sender = self.senders.get(job.kind)
        if sender is None:
            return Retry(f"no client configured for {job.kind}")
        return sender(job)

    def round(self) -> list[Result] | None:
        """One round; None when nothing was due. Raises StoreError if results can't be saved."""
        heads = self.store.due_heads(self.batch, self.horizon_s())
        heads = [j for j in heads if self.paused(service_of(j.kind)) == 0.0]
        probed: set[str] = set()
        kept = []
        for j in heads:
            svc = service_of(j.kind)
            if self.blocked(svc):
                if svc in probed:
                    continue                # one probe per blocked service per round
                probed.add(svc)
            kept.append(j)
        heads = kept
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
