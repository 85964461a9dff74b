"""`kiosk app`: the main window. A bad config shows the technician screen, never a traceback."""

from __future__ import annotations

import logging
import signal
import sqlite3
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk import config as config_mod
from kiosk.catalog import cache as catalog_cache
from kiosk.catalog.check import unknown_piece
from kiosk.catalog.pieces import AssetError, Catalog
from kiosk.ops import health, sdnotify
from kiosk.session.visit import VisitService
from kiosk.share.lan import LanShareServer, lan_address
from kiosk.share.page import store_details
from kiosk.store import DeviceIds, EventStore, StoreError, shares
from kiosk.tryon.attire import AttireError, load_attire
from kiosk.tryon.stage import TryOnStage
from kiosk.ui import tech_report
from kiosk.ui.camera_control import LiveCamera, SourceOverride
from kiosk.ui.framing import FaceBox, face_box, with_hands
from kiosk.ui.live import LivePipeline
from kiosk.ui.live_view import LiveView
from kiosk.ui.screens.needs_technician import ConfigProblemScreen, SafeModeScreen
from kiosk.ui.storage import StorageWatch, route_store_errors
from kiosk.ui.theme import STYLESHEET
from kiosk.ui.visit_screen import VisitScreen
from kiosk.ui.wiring import Wiring

log = logging.getLogger(__name__)
CATALOG_POLL_MS = 5000
STORAGE_CHECK_MS = 5000        # a disk that breaks or is fixed shows within seconds


class MainWindow(QMainWindow):
    def __init__(self, config_path: Path | None, demo: bool,
                 override: SourceOverride | None = None, wiring: Wiring | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Try-on kiosk")
        self.config_path = config_path
        self.demo = demo
        self.override = override
        self.wiring = wiring or Wiring()
        self.cfg: config_mod.KioskConfig | None = None
        self.camera: LiveCamera | None = None       # built with the try-on (load_and_start)
        self.tryon: TryOnStage | None = None
        self.catalog: Catalog | None = None
        self.store: EventStore | None = None
        self.lan: LanShareServer | None = None
        self.visit: VisitScreen | None = None
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.problems = ConfigProblemScreen(self.load_and_start)
        self.safe = SafeModeScreen(self.start_normally)
        self.live_view = LiveView()
        self.stack.addWidget(self.problems)
        self.stack.addWidget(self.safe)
        self.stack.addWidget(self.live_view)
        self.started_at = time.time()
        self.heartbeat: health.Heartbeat | None = None
        self.restarts: health.RestartHistory | None = None
        self.storage: StorageWatch | None = None
        self._catalog_failed = False
        self._shut_down = False
        self._health_timer = QTimer(self)
        self._health_timer.timeout.connect(self._beat)
        self._storage_timer = QTimer(self)
        self._storage_timer.timeout.connect(self._check_storage)
        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(lambda: tech_report.refresh_stats(self.camera, self.live_view))
        self._stats_timer.start(500)
        self._watchdog = QTimer(self)
        interval = sdnotify.watchdog_interval_s()
        if interval:
            self._watchdog.timeout.connect(self._pet_watchdog)
            self._watchdog.start(int(interval * 1000))
        self._catalog_timer = QTimer(self)
        self._catalog_timer.timeout.connect(self._reload_catalog)
        self._catalog_version: tuple[object, ...] = ()
        self.resize(1280, 800)

    def _reload_catalog(self) -> None:
        """Pieces imported or added by staff while the app runs appear within seconds."""
        if self.catalog is None or self.cfg is None or self.visit is None:
            return
        data_dir = Path(self.cfg.store.data_dir)
        try:
            now = catalog_cache.version(data_dir)
            if now == self._catalog_version:
                return
            fresh = catalog_cache.load(data_dir)
        except sqlite3.Error as e:          # the storage banner says why; one line, not one per poll
            if not self._catalog_failed:
                log.error("the imported catalogue cannot be read: %s", e)
            self._catalog_failed = True
            return
        self._catalog_failed = False
        self._catalog_version = now
        self.catalog.pieces = fresh.pieces      # shared with the try-on stage; one reference swap
        self.visit.catalog_changed(self.catalog)
        log.info("catalogue reloaded: %d pieces", len(fresh.listed()))

    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def load_and_start(self) -> None:
        try:
            cfg = config_mod.load(self.config_path, demo=self.demo)
        except config_mod.ConfigError as e:
            for p in e.problems:
                log.error("config problem: %s", p)
            self.problems.show_problems(e.path, e.problems)
            self.stack.setCurrentWidget(self.problems)
            return
        self.cfg = cfg
        if self.restarts is None:       # once per process, however often "Check again" is tapped
            self.restarts = health.RestartHistory(cfg.store.data_dir, cfg.health.restart_window_min * 60,
                                                  cfg.health.restart_limit)
            self.heartbeat = health.Heartbeat(cfg.store.data_dir, "app", self.started_at)
            self._health_timer.start(int(cfg.health.heartbeat_s * 1000))
            starts = self.restarts.record_start(self.started_at)
            if self.restarts.looping(starts):
                log.error("restart loop: %d starts in %.0f min; safe technician screen, camera off",
                          len(starts), cfg.health.restart_window_min)
                self.safe.show_loop(starts, cfg.health.restart_window_min,
                                    self.report() + tech_report.status_rows(cfg))
                self.stack.setCurrentWidget(self.safe)
                self._beat()
                return
        self._start_normally(cfg)

    def start_normally(self) -> None:
        """The safe screen's button: forget the restarts and run the try-on again."""
        if self.restarts is not None:
            self.restarts.reset()
        if self.cfg is not None and self.visit is None:
            self._start_normally(self.cfg)

    def _start_normally(self, cfg: config_mod.KioskConfig) -> None:
        self.live_view.mirror = cfg.camera.mirror
        self.live_view.show_stats = cfg.ui.show_fps
        self.stack.setCurrentWidget(self.live_view)
        self.live_view.setFocus()
        self.storage = StorageWatch(Path(cfg.store.data_dir), cfg.store.min_free_mb)
        # The store first: a damaged file is set aside before the catalogue reads it.
        self.store = self.storage.open_store()
        self.tryon = self._tryon_stage(cfg)
        self.camera = LiveCamera(cfg, self.live_view, self.tryon, self.override, self.wiring.wrap_source)
        self.live_view.face_source = self._face
        self._start_visits(cfg)
        self.camera.start()
        self._check_storage()
        self._storage_timer.start(STORAGE_CHECK_MS)
        self._beat()

    def _face(self) -> FaceBox | None:
        """The face the try-on tracked last, for the mirror's auto-framing."""
        face = self.tryon.last_face if self.tryon is not None else None
        box = face_box(face) if face is not None else None
        hands = self.tryon.hand_boxes if self.tryon is not None else None
        # A ring or bangle widens the view to the hands (issue 22): they are what is tried on.
        return box if hands is None else with_hands(box, hands)

    def _start_visits(self, cfg: config_mod.KioskConfig) -> None:
        self.visit = self._visit_screen(cfg)
        if self.visit is not None:
            self.stack.addWidget(self.visit)
            self.stack.setCurrentWidget(self.visit)
            self.visit.service.low_disk = self.storage is not None and self.storage.low_disk
            self._catalog_timer.start(CATALOG_POLL_MS)

    @property
    def live(self) -> LivePipeline | None:
        return self.camera.live if self.camera is not None else None

    @property
    def mode(self) -> str:
        if self.cfg is None:
            return health.MODE_CONFIG
        return health.MODE_SAFE if self.stack.currentWidget() is self.safe else health.MODE_NORMAL

    def _beat(self) -> None:
        if self.heartbeat is None:
            return
        figures: dict[str, object] = {"mode": self.mode, "low_disk": self.low_disk}
        if self.storage is not None and self.storage.store_error:
            figures["store_error"] = self.storage.store_error
        if self.live is not None:
            st = self.live.stats()
            figures.update(camera=st.source, camera_state=st.state, camera_fps=round(st.capture_fps, 1),
                           display_fps=round(st.display_fps, 1),
                           last_frame_age_s=None if st.frame_age_s is None else round(st.frame_age_s, 2))
        self.heartbeat.beat(**figures)

    @property
    def low_disk(self) -> bool:
        return self.storage is not None and self.storage.low_disk

    def _check_storage(self) -> None:
        """Low disk (no new face records; the sync daemon's housekeeping frees what was
        delivered), a data dir that takes no writes, a damaged database: each on the banner.
        A store that did not open is opened again once that can work: visits come back."""
        if self.cfg is None or self.storage is None:
            return
        banners = self.storage.poll()
        if self.store is None and self.storage.retry_due():
            self.store = self.storage.open_store()
            if self.store is not None:
                self._start_visits(self.cfg)
                self._reload_catalog()
                banners = self.storage.poll()
        for key, text in banners.items():
            self.live_view.set_banner(text, key)
        if self.visit is not None:
            self.visit.service.low_disk = self.storage.low_disk

    def recording_failed(self, e: StoreError) -> None:
        """A visit's write failed (disk full, read-only...): one log line and the banner, never a
        traceback; what it would have recorded is not kept, and the banner says so."""
        if self.storage is not None:
            self.storage.recording_failed(str(e))
            self._check_storage()

    def _tryon_stage(self, cfg: config_mod.KioskConfig) -> TryOnStage | None:
        try:
            try:
                self._catalog_version = catalog_cache.version(Path(cfg.store.data_dir))
                self.catalog = catalog_cache.load(Path(cfg.store.data_dir))
            except sqlite3.Error as e:      # unreadable database: the bundled pieces still work
                log.error("the imported catalogue cannot be read (%s): bundled pieces only", e)
                self.catalog = Catalog.load()
            # A misspelt default piece (`kiosk config check` names it) costs that piece, not the
            # whole try-on: the banner says which, in a sentence.
            pieces = [p for p in cfg.tryon.pieces if p in self.catalog.pieces]
            for pid in cfg.tryon.pieces:
                if pid not in self.catalog.pieces:
                    log.error("[tryon] pieces: %s", unknown_piece(pid, self.catalog.pieces))
                    self.live_view.set_banner(f"The piece {pid!r} of [tryon] pieces is not in the catalogue: "
                                              "the mirror runs without it (kiosk config check).", "pieces")
            self.catalog.expand(pieces)
        except AssetError as e:
            log.error("jewelry assets: %s", e)
            self.live_view.set_banner(f"Jewelry assets problem: {e}", "assets")
            self.catalog = None
            return None
        return TryOnStage(self.catalog, self.wiring.tracker, selected=pieces, hfov_deg=cfg.camera.hfov_deg)

    def _visit_screen(self, cfg: config_mod.KioskConfig) -> VisitScreen | None:
        """The seller's screens; without the catalogue or the database the mirror runs alone."""
        if self.catalog is None or self.tryon is None or self.store is None:
            return None
        try:
            attires = load_attire()
        except AttireError as e:
            log.error("cannot start customer visits: %s", e)
            self.live_view.set_banner(f"Customer visits unavailable: {e}", "visits")
            return None
        ids = DeviceIds(cfg.device.store_id, cfg.device.seller_id, cfg.device.device_id)
        service = VisitService(self.store, ids, (cfg.jeweler.id, cfg.jeweler.name), cfg.privacy)
        try:
            abandoned = service.recover_abandoned()
        except StoreError as e:             # they are closed at the next start instead
            log.error("visits left open by the last run stay open: %s", e)
            abandoned = 0
        if abandoned:
            log.info("closed %d visit(s) left open by the last run", abandoned)
        screen = VisitScreen(cfg, service, self.catalog, attires, self.live_view, self.tryon, self.report,
                             camera=self.camera, face_models=self.wiring.face_models)
        self.lan = self._start_lan(cfg, self.store)
        if self.lan is not None:
            base = str(cfg.share.lan_url or f"http://{lan_address()}:{self.lan.port}").rstrip("/")
            screen.share_screen.lan_url = lambda token: f"{base}/s/{token}"
        return screen

    def _start_lan(self, cfg: config_mod.KioskConfig, store: EventStore) -> LanShareServer | None:
        """The store-Wi-Fi download server; without it an offline QR code cannot work, but
        everything else does."""
        sh = cfg.share
        if not sh.lan_enabled:
            return None
        try:
            lan = LanShareServer(lambda token: shares.open_share(store, token), cfg.jeweler.name,
                                 cfg.store.currency, sh.lan_bind, sh.lan_port, details=store_details(cfg))
        except OSError as e:
            log.warning("the store Wi-Fi share server cannot listen on %s:%d (%s): offline QR codes"
                        " will not work", sh.lan_bind, sh.lan_port, e.strerror)
            return None
        lan.start()
        log.info("store Wi-Fi share server on %s:%d", sh.lan_bind, lan.port)
        return lan

    def report(self) -> list[tuple[str, str]]:
        """What the technician screen shows."""
        return tech_report.report(self)

    def _pet_watchdog(self) -> None:
        # The technician screen is a healthy state too: restarting would not fix the file.
        if self.live is None or self.live.healthy():
            sdnotify.notify("WATCHDOG=1")
        else:
            log.warning("frames are stale; not petting the watchdog")

    def shutdown(self) -> None:
        # Called from closeEvent and again after app.exec() (SIGTERM quits without closing the
        # window): the screens' own shutdowns must run once.
        if self._shut_down:
            return
        self._shut_down = True
        # Every timer of the window and its screens (share poll, idle, health, disk) reads or
        # writes the store: none may fire once it is closed.
        for timer in self.findChildren(QTimer):
            timer.stop()
        if self.lan is not None:
            self.lan.stop()
            self.lan = None
        if self.camera is not None:
            self.camera.stop()
        if self.visit is not None:
            self.visit.shutdown()
        if self.tryon is not None:
            self.tryon.close()
            self.tryon = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def clean_exit(self) -> None:
        """An orderly stop (SIGTERM from systemd, the window closed) is not a crash."""
        if self.restarts is not None:
            self.restarts.clean_exit(self.started_at)
        if self.heartbeat is not None:
            self.heartbeat.stopped()

    def closeEvent(self, event):  # type: ignore[no-untyped-def]
        self.shutdown()
        super().closeEvent(event)


def create_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("kiosk")
    app.setStyleSheet(STYLESHEET)
    return app


def _save_snapshot(win: QWidget, path: Path) -> None:
    # Write next to the target and rename, so a viewer never reads half a PNG.
    tmp = path.with_name(path.name + ".tmp.png")
    if win.grab().save(str(tmp), "PNG"):
        tmp.replace(path)


def run(config_path: Path | None, demo: bool, override: SourceOverride | None,
        fullscreen: bool, snapshot: Path | None = None, wiring: Wiring | None = None) -> int:
    app = create_app()
    win = MainWindow(config_path, demo, override, wiring)
    win.load_and_start()
    snap_timer = QTimer()
    if snapshot is not None:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snap_timer.timeout.connect(lambda: _save_snapshot(win, snapshot))
        snap_timer.start(3000)
    if fullscreen or (win.cfg is not None and win.cfg.ui.fullscreen):
        win.showFullScreen()
    else:
        win.show()
    sdnotify.notify("READY=1")
    if win.wiring.on_started is not None:
        win.wiring.on_started(win)
    route_store_errors(win.recording_failed)
    # Ctrl-C and systemd's SIGTERM close the window cleanly (threads joined).
    signal.signal(signal.SIGINT, lambda *_: win.close())
    signal.signal(signal.SIGTERM, lambda *_: win.close())
    tick = QTimer()
    tick.timeout.connect(lambda: None)  # lets Python run signal handlers inside Qt's loop
    tick.start(250)
    rc = app.exec()
    win.shutdown()
    win.clean_exit()
    return rc
