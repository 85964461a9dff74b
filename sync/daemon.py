"""`kiosk sync run|once|status`: the process that drains the outbox to the cloud.

Wake-up: the app and the daemon share only the database. The daemon's main loop polls
``PRAGMA data_version`` every 200 ms (it changes when another connection commits), so an
event recorded by the app is on its way within a fraction of a second with no extra IPC.
APScheduler runs the drain job (``max_instances=1``, ``coalesce``) on a fixed interval and
whenever the main loop kicks it. Deadlines are kept on the monotonic clock, so a wall-clock
jump cannot put the daemon to sleep.
"""

from __future__ import annotations

import logging
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import KioskConfig
from kiosk.ops import health, sdnotify
from kiosk.store import EventStore, StoreError, housekeeping, privacy
from kiosk.store.db import ChangeWatcher
from sync.drain import Syncer, Totals
from sync.lock import AlreadyRunning, DaemonLock
from sync.monitor import MonitorServer
from sync.senders import Clients, make_syncer

log = logging.getLogger(__name__)
# APScheduler logs every run at INFO: hundreds of lines an hour of nothing.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

POLL_S = 0.2
STALL_S = 45.0
ONCE_PASSES = 6          # `once` retries failing rows this many times at most
ONCE_WAIT_S = 5.0        # ... waiting at most this long between passes
CATALOG_RETRY_S = 60.0   # a catalogue import that could not reach the commerce API
HOUSEKEEPING_CHECK_S = 600.0   # how often the disk is looked at (a full sweep at most hourly)
HOUSEKEEPING_FULL_S = 3600.0
STORAGE_WAIT_MAX_S = 15.0   # while the disk refuses writes: probe again at most this far apart


class Daemon:
    def __init__(self, cfg: KioskConfig, store: EventStore, syncer: Syncer):
        self.cfg = cfg
        self.store = store
        self.syncer = syncer
        self.stop = threading.Event()
        self._dirty = threading.Event()
        self._running = threading.Event()
        self._wake_at = 0.0                 # monotonic
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.drains = 0
        self.heartbeat = health.Heartbeat(cfg.store.data_dir, "sync")
        self.low_disk = False
        self.last_sweep = -HOUSEKEEPING_FULL_S      # monotonic
        self.last_sweep_summary = ""
        self.storage_wait = 0.0     # > 0 while the data disk refuses writes (s until the next probe)
        self.stop_signal = 0

    def _drain_job(self) -> None:
        self._running.set()
        try:
            while not self.stop.is_set():
                self._dirty.clear()
                if self.storage_wait:
                    # Nothing is sent while its outcome could not be recorded: it would only
                    # be sent again and again.
                    try:
                        self.store.probe_write()
                    except StoreError as e:
                        self._storage_failed(str(e))
                        break
                    log.info("the data disk takes writes again: sending resumes")
                    self.storage_wait = 0.0
                totals = self.syncer.drain(self.stop)
                self.drains += 1
                if totals.delivered or totals.dead or totals.retried:
                    log.info("drained: %d delivered, %d retrying, %d dead-lettered",
                             totals.delivered, totals.retried, totals.dead)
                if totals.storage_error:
                    self._storage_failed(totals.storage_error)
                    break
                if not self._dirty.is_set():
                    break
        finally:
            self._wake_at = time.monotonic() + self._next_wake_s()
            self._running.clear()

    def _storage_failed(self, error: str) -> None:
        first = not self.storage_wait
        self.storage_wait = min(STORAGE_WAIT_MAX_S, max(1.0, self.storage_wait * 2))
        if first:
            log.error("cannot record sync results in the local database (%s): sending paused, "
                      "trying again every few seconds; nothing recorded is lost", error)

    def _retention_job(self) -> None:
        try:
            privacy.expire(self.store)
        except StoreError as e:
            log.error("retention job: %s", e)

    def _housekeeping_job(self) -> None:
        """Every few minutes: is the disk low? A full sweep hourly, or at once when it is."""
        try:
            low = health.low_disk(self.cfg)
        except OSError as e:
            log.error("housekeeping: cannot read free space: %s", e.strerror)
            return
        if low != self.low_disk:
            (log.warning if low else log.info)(
                "data disk %s: %s", "LOW" if low else "back above the threshold",
                f"under {self.cfg.store.min_free_mb} MB free; only undelivered data is kept"
                if low else "normal")
            self.low_disk = low
        if not low and time.monotonic() - self.last_sweep < HOUSEKEEPING_FULL_S:
            return
        self.last_sweep = time.monotonic()
        try:
            swept = housekeeping.sweep(self.store, keep_images_days=self.cfg.store.keep_images_days,
                                       keep_delivered_days=self.cfg.store.keep_delivered_days, low_disk=low)
        except StoreError as e:
            log.error("housekeeping: %s", e)
            return
        self.last_sweep_summary = swept.summary()
        log.info("housekeeping: %s", self.last_sweep_summary)
        for note in swept.notes[:5]:
            log.warning("housekeeping: %s", note)

    def _beat(self) -> None:
        self.heartbeat.beat(drains=self.drains, low_disk=self.low_disk, housekeeping=self.last_sweep_summary)

    def _catalog_job(self) -> None:
        """Scheduled catalogue import (seed 002). A run that could not reach a vendor is tried
        again after CATALOG_RETRY_S, not an interval later: a kiosk often boots before its
        network (or the demo's devcloud) is up."""
        from sync import catalog_import

        try:
            report = catalog_import.run_configured(self.cfg, self.store.db)
            failed = bool(report.errors)
        except StoreError as e:
            log.error("catalogue import: %s", e)
            failed, report = True, catalog_import.Report()
        for line in report.lines():
            (log.warning if line.startswith(("error", "skipped")) else log.info)("catalogue: %s", line)
        if failed and self.scheduler.get_job("catalog") is not None:
            soon = datetime.now(UTC) + timedelta(seconds=CATALOG_RETRY_S)
            self.scheduler.modify_job("catalog", next_run_time=soon)

    def schedule_catalog(self) -> None:
        c = self.cfg.catalog
        if c.commerce_url is not None and (c.vendor_ids or c.include_drafts):
            self.scheduler.add_job(self._catalog_job, "interval", minutes=c.interval_min, id="catalog",
                                   max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))

    def _next_wake_s(self) -> float:
        if self.storage_wait:
            return self.storage_wait
        wait = self.cfg.sync.interval_s
        try:
            due = self.store.next_due_in()
        except StoreError:
            return wait
        if due is not None:
            wait = min(wait, max(due, self.syncer.paused("events"), 0.05))
        return wait

    def _start_monitor(self) -> MonitorServer | None:
        if not self.cfg.health.port:
            return None
        try:
            monitor = MonitorServer(self.cfg)
        except OSError as e:
            log.warning("monitoring endpoint: cannot listen on 127.0.0.1:%d (%s); `kiosk status` still works",
                        self.cfg.health.port, e.strerror)
            return None
        monitor.start()
        log.info("monitoring endpoint on http://127.0.0.1:%d/status", monitor.port)
        return monitor

    def kick(self) -> None:
        if self._running.is_set():
            self._dirty.set()       # the running drain goes round once more
        else:
            self.scheduler.modify_job("drain", next_run_time=datetime.now(UTC))

    def serve(self) -> None:
        self.scheduler.add_job(self._drain_job, "interval", seconds=self.cfg.sync.interval_s,
                               id="drain", max_instances=1, coalesce=True, misfire_grace_time=None,
                               next_run_time=datetime.now(UTC))
        # Face data past its retention is deleted even when nobody touches the kiosk.
        self.scheduler.add_job(self._retention_job, "interval", hours=1, id="retention", max_instances=1,
                               coalesce=True, next_run_time=datetime.now(UTC))
        self.scheduler.add_job(self._housekeeping_job, "interval", seconds=HOUSEKEEPING_CHECK_S,
                               id="housekeeping", max_instances=1, coalesce=True,
                               next_run_time=datetime.now(UTC) + timedelta(seconds=30))
        self.schedule_catalog()
        self.scheduler.start()
        monitor = self._start_monitor()
        watcher = ChangeWatcher(self.store.db.path)
        last_version: int | None = None
        watchdog = sdnotify.watchdog_interval_s()
        last_pet = last_beat = 0.0
        sdnotify.notify("READY=1\nSTATUS=draining the outbox")
        log.info("sync daemon running on %s", self.store.db.path)
        try:
            while not self.stop.wait(POLL_S):
                now = time.monotonic()
                try:
                    version: int | None = watcher.version()
                except StoreError as e:
                    log.warning("cannot watch the database: %s", e)
                    version = last_version
                woken = version != last_version and not self.storage_wait
                if woken or now >= self._wake_at:
                    last_version = version
                    self._wake_at = now + self.cfg.sync.interval_s
                    self.kick()
                stalled = self._running.is_set() and now - self.syncer.last_progress > STALL_S
                if watchdog and not stalled and now - last_pet >= watchdog:
                    sdnotify.notify("WATCHDOG=1")
                    last_pet = now
                if not stalled and now - last_beat >= self.cfg.health.heartbeat_s:
                    self._beat()
                    last_beat = now
        finally:
            if self.stop_signal:
                log.info("signal %d: stopped after the current request", self.stop_signal)
            sdnotify.notify("STOPPING=1")
            self.heartbeat.stopped()
            if monitor is not None:
                monitor.stop()
            watcher.close()
            self.scheduler.shutdown(wait=True)


@contextmanager
def _opened(cfg: KioskConfig) -> Iterator[tuple[EventStore, Clients, Syncer]]:
    """Lock, store, clients and syncer for one daemon process; released in reverse order."""
    lock = DaemonLock(cfg.store.data_dir)
    lock.acquire()
    try:
        store = EventStore(cfg.store.data_dir)
        try:
            clients = Clients(cfg)
            syncer = make_syncer(cfg, store, clients)
            try:
                yield store, clients, syncer
            finally:
                syncer.close()
                clients.close()
        finally:
            store.close()
    finally:
        lock.release()


def run(cfg: KioskConfig) -> int:
    try:
        with _opened(cfg) as (store, _clients, syncer):
            daemon = Daemon(cfg, store, syncer)

            def _stop(signum: int, _frame: object) -> None:
                # No logging here: a second signal during the handler's write to stderr
                # would raise "reentrant call" inside the logging module.
                daemon.stop_signal = signum
                daemon.stop.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            daemon.serve()
    except (AlreadyRunning, StoreError) as e:
        print(f"kiosk sync: {e}", file=sys.stderr)
        return 1
    return 0


class Progress:
    """A one-line bar on a terminal; nothing when output is a pipe or a log."""

    def __init__(self, total: int, stream: IO[str] = sys.stderr):
        self.total = max(total, 1)
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, t: Totals) -> None:
        if not self.enabled:
            return
        done = min(t.delivered + t.dead, self.total)
        width = max(10, min(40, shutil.get_terminal_size().columns - 50))
        fill = int(width * done / self.total)
        self.stream.write(f"\rsync: [{'#' * fill}{'.' * (width - fill)}] {done}/{self.total}"
                          f"  retrying {t.retried}  dead {t.dead} ")
        self.stream.flush()

    def end(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def drain_once(store: EventStore, syncer: Syncer,
               progress: Callable[[Totals], None] | None = None) -> Totals:
    """Send everything now, ignoring backoff; stop when empty or only failing rows remain.

    Up to ONCE_PASSES passes; each makes every pending row due and drains. A pass that
    delivers nothing means the remaining rows keep failing, so the run ends there, unless a
    service is paused (429, or blocked by a portal: it gets one probe per pass).
    """
    grand = Totals()
    for n in range(ONCE_PASSES):
        if n:
            time.sleep(min(max(syncer.longest_pause(), 0.25 * n), ONCE_WAIT_S))
        store.make_all_due()
        syncer.resume_blocked()
        report = None if progress is None else partial(_report, progress, grand)
        totals = syncer.drain(progress=report)
        grand = _plus(grand, totals)
        if totals.storage_error or store.count("pending") == 0:
            break
        if totals.delivered == 0 and not syncer.longest_pause():
            break
    return grand


def _report(progress: Callable[[Totals], None], before: Totals, now: Totals) -> None:
    progress(_plus(before, now))


def _plus(a: Totals, b: Totals) -> Totals:
    return Totals(delivered=a.delivered + b.delivered, retried=a.retried + b.retried,
                  dead=a.dead + b.dead, rounds=a.rounds + b.rounds,
                  storage_error=b.storage_error or a.storage_error,
                  errors=(a.errors + b.errors)[-5:])


def once(cfg: KioskConfig) -> int:
    """Exit 0 only when nothing is left pending and nothing this run tried was refused."""
    try:
        with _opened(cfg) as (store, _clients, syncer):
            bar = Progress(store.count("pending"))
            totals = drain_once(store, syncer, bar)
            bar.end()
            if totals.storage_error:
                store.note_error(totals.storage_error)
            pending = store.count("pending")
            blocked = store.status().blocked
    except (AlreadyRunning, StoreError) as e:
        print(f"kiosk sync: {e}", file=sys.stderr)
        return 1
    print(f"sync: {totals.delivered} delivered, {totals.dead} dead-lettered, {pending} still pending")
    for service, why in blocked.items():
        print(f"  {service}: {why}")
    for err in totals.errors[-3:]:
        print(f"  last error: {err}")
    if totals.dead:
        print("  dead letters: see `kiosk sync status`; after fixing the cause, "
              "`kiosk sync retry-dead` sends them again")
    if totals.storage_error:
        print(f"  storage: {totals.storage_error}")
    return 0 if pending == 0 and totals.dead == 0 else 1
