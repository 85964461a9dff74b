"""The customer visit on screen: the live mirror beside a panel that follows the visit.

attract ("Tap to start") → start form → catalogue + outfits → photo review → end of visit →
attract. The mirror comes first (kiosk.ui.mirror): landscape puts the panel on the right,
portrait below, and the panel never shrinks the mirror below its share while trying on.
Every step goes through the VisitService (events, person records); no business logic lives
here. Slow work (saving a photo, face embeddings) runs off the UI thread. Beside it, each with
its own module: the cloud outfits (cloud_flow), the photos kept and shared (share_flow), face
recognition (face_flow), the jeweler whose collection it is (jeweler_flow); the pages of the panel
are the `State`s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QStackedWidget, QWidget

from kiosk.catalog.brands import Brand, Brands
from kiosk.catalog.pieces import Catalog
from kiosk.config import KioskConfig
from kiosk.face.worker import FaceModels, load_models
from kiosk.outfit.job import OutfitOutcome
from kiosk.session.visit import PieceRef, VisitService
from kiosk.store import DeviceIds, StoreError
from kiosk.store.shares import Share
from kiosk.tryon.attire import Attire
from kiosk.tryon.stage import TryOnStage
from kiosk.ui.cloud_flow import CloudFlow
from kiosk.ui.countdown import Countdown
from kiosk.ui.face_flow import FaceFlow
from kiosk.ui.jeweler_flow import JewelerFlow
from kiosk.ui.live_view import LiveView
from kiosk.ui.mirror import MirrorAssist, arrange, gear_button
from kiosk.ui.screens.assets import AssetScreen
from kiosk.ui.screens.camera import CameraControl
from kiosk.ui.screens.catalogue import CatalogueScreen
from kiosk.ui.screens.clip import ClipControl
from kiosk.ui.screens.end import EndScreen
from kiosk.ui.screens.forget import ForgetScreen
from kiosk.ui.screens.review import ReviewScreen
from kiosk.ui.screens.seller import SellerScreen
from kiosk.ui.screens.sizes import SizeLine
from kiosk.ui.screens.start import StartScreen
from kiosk.ui.screens.technician import TechnicianScreen
from kiosk.ui.share_flow import ShareFlow
from kiosk.ui.states import State

log = logging.getLogger(__name__)
ATTRACT_PIECES = ["earring_gold"]
COUNTDOWN_S = 3


class VisitScreen(QWidget):
    def __init__(self, cfg: KioskConfig, service: VisitService, catalog: Catalog, attires: dict[str, Attire],
                 live_view: LiveView, stage: TryOnStage | None,
                 report: Callable[[], list[tuple[str, str]]] | None = None,
                 camera: CameraControl | None = None, parent: QWidget | None = None,
                 face_models: Callable[[], FaceModels] = load_models) -> None:
        super().__init__(parent)
        self.cfg, self.service, self.catalog, self.attires = cfg, service, catalog, attires
        self.live_view, self.stage = live_view, stage
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(0)
        self.box.addWidget(live_view, 1)
        live_view.show()               # it was a hidden page of the window's stack until now
        self.panel = QStackedWidget()
        self.box.addWidget(self.panel, 0)
        cur = cfg.store.currency
        self.start_screen = StartScreen(cfg.privacy.consent_text, cfg.store.country_code,
                                        cfg.privacy.face_enabled)
        self.catalogue = CatalogueScreen(catalog, list(attires.values()), cur)
        self.review = ReviewScreen()
        self.end_screen = EndScreen(cur, offered=self.catalogue.listed)    # its jeweler's pieces
        self.seller_screen = SellerScreen(cfg.sellers)
        # Whose collection this visit is for.
        self.jewelers = JewelerFlow(self, catalog, lambda: self._show(State.JEWELER), self.to_start,
                                    self.to_attract)
        self.jeweler_screen = self.jewelers.screen
        self.forget_screen = ForgetScreen(cfg.store.country_code, service.forget_phone)
        self.sharing = ShareFlow(cfg, self)
        self.share_screen = self.sharing.screen
        self.seller: tuple[str, str] | None = None
        self.technician = (TechnicianScreen(cfg.ui.technician_pin_sha256, report or (lambda: []),
                                            Path(cfg.store.data_dir),
                                            AssetScreen(service.store.db, cfg.jeweler.id), camera)
                           if cfg.ui.technician_pin_sha256 else None)
        self.cloud = CloudFlow(cfg, self, cur) if cfg.cloud_tryon_ready else None
        pages = {State.START: self.start_screen, State.CATALOGUE: self.catalogue, State.REVIEW: self.review,
                 State.END: self.end_screen, State.SELLER: self.seller_screen,
                 State.JEWELER: self.jeweler_screen, State.FORGET: self.forget_screen,
                 State.SHARE: self.share_screen, State.TECHNICIAN: self.technician,
                 State.CLOUD: self.cloud.screen if self.cloud else None}
        self.pages: dict[State, QWidget] = {k: w for k, w in pages.items() if w is not None}
        for w in self.pages.values():
            self.panel.addWidget(w)
        if self.cloud is not None:
            self.catalogue.show_cloud_option()
            self.catalogue.cloud_tapped.connect(self.to_cloud)
            self.cloud.screen.back.connect(self.leave_cloud)
        self.tech_button = gear_button(live_view)
        self.tech_button.setVisible(self.technician is not None)
        self.tech_button.clicked.connect(self.to_technician)
        self.assist = MirrorAssist(live_view)
        self.selected: list[str] = []
        self.attire_id = "original"
        self.state = State.ATTRACT
        self.countdown = Countdown(live_view, COUNTDOWN_S, self)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(cfg.ui.idle_timeout_s * 1000))
        self.idle.timeout.connect(self.on_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.faces = FaceFlow(service, stage, cfg.privacy.face_enabled, self.catalogue.show_badge,
                              face_models)
        live_view.tapped.connect(self._on_tap)
        live_view.banners_changed.connect(self._offer_visit)
        self.start_screen.started.connect(self.begin)
        self.start_screen.cancelled.connect(self.to_attract)
        self.start_screen.switch_seller.connect(lambda: self._show(State.SELLER))
        self.start_screen.forget_data.connect(self.to_forget)
        self.forget_screen.closed.connect(self.to_start)
        self.seller_screen.signed_in.connect(self.sign_in)
        self.seller_screen.cancelled.connect(self.to_attract)
        self.start_screen.switch_jeweler.connect(self.jewelers.to_choice)
        if self.technician is not None:
            self.technician.closed.connect(self.to_attract)
        self.catalogue.piece_tapped.connect(self.toggle_piece)
        self.catalogue.attire_tapped.connect(self.choose_attire)
        self.catalogue.capture.connect(lambda: self.start_countdown())
        self.catalogue.end.connect(self.to_end)
        self.catalogue.flip.connect(self.flip)
        # The catalogue's panel has the FPS toggle: on the mirror it covered the customer.
        self.catalogue.stats.connect(live_view.toggle_stats)
        live_view.stats_button.hide()
        self.review.retake.connect(self.retake)
        self.review.keep.connect(lambda: self._show(State.CATALOGUE))
        self.review.share.connect(self.to_share)
        self.share_screen.done.connect(self.close_share)
        self.end_screen.finished.connect(self.finish)
        self.end_screen.back.connect(lambda: self._show(State.CATALOGUE))
        self.end_screen.forget_face.connect(self.forget_face)
        self.clip = ClipControl(self)          # "Record clip" beside "Take photo"
        self.sizes = SizeLine(self)            # ring and bangle sizes, "Add to notes"
        self.to_attract()

    # ---- layout and input ---------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout()
        super().resizeEvent(event)

    def _layout(self) -> None:
        arrange(self.box, self.panel, self.live_view, self.state, self.width(), self.height(),
                alone=not self.panel.isVisibleTo(self))          # attract: the mirror takes the window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            if self.state != State.ATTRACT:
                self.idle.start()
        return False

    def _show(self, state: State) -> None:
        if state == State.CATALOGUE and self.cloud is not None:
            self.cloud.back_to_live(self.attires.get(self.attire_id))
        self.state = state
        self.assist.show(state == State.CATALOGUE)
        widget = self.pages.get(state)
        self.panel.setVisible(widget is not None)
        if widget is not None:
            self.panel.setCurrentWidget(widget)
        self._layout()
        self.live_view.set_overlay("")
        self._offer_visit()
        self.tech_button.setVisible(self.technician is not None and state == State.ATTRACT)
        self.tech_button.raise_()

    @property
    def camera_lost(self) -> bool:
        return self.live_view.has_banner("camera")

    def _offer_visit(self) -> None:
        """No "Tap to start" while the camera is lost: there is nothing to try on. The banner
        says why; ⚙ stays reachable for the technician."""
        if self.state == State.ATTRACT:
            self.live_view.set_overlay("" if self.camera_lost else "Tap to start")

    # ---- the flow -----------------------------------------------------------------------------

    def _on_tap(self) -> None:
        if self.state == State.ATTRACT and not self.camera_lost:
            self.to_start()

    def to_attract(self) -> None:
        """Idle loop: a sample piece on whoever passes, nothing of the last customer left."""
        self.idle.stop()
        self.sharing.new_customer()
        self.countdown.stop()
        self.faces.pause()
        if self.cloud is not None:
            self.cloud.new_customer()
        self.selected, self.attire_id = [], "original"
        self.assist.reset()
        self.live_view.mirror = self.cfg.camera.mirror
        self.catalogue.set_selected(set())
        self.catalogue.set_attire("original")
        self.catalogue.show_badge(None)
        self.start_screen.reset()
        self.jewelers.new_customer()
        if self.stage is not None:
            self.stage.select(ATTRACT_PIECES)
            self.stage.set_attire(None)
        self._show(State.ATTRACT)

    def to_start(self) -> None:
        self.idle.start()
        if self.cfg.sellers and self.seller is None:
            self.seller_screen.reset()
            self._show(State.SELLER)
            return
        if not self.jewelers.ensure():
            return
        self.start_screen.reset()
        self.start_screen.show_seller(self.seller[1] if self.seller else None)
        self._show(State.START)

    @property
    def brand(self) -> Brand | None:
        return self.jewelers.brand

    @property
    def brands(self) -> Brands:
        return self.jewelers.brands

    @property
    def currency(self) -> str:
        return self.jewelers.currency

    @property
    def jeweler_name(self) -> str:
        return self.jewelers.name

    def catalog_changed(self, catalog: Catalog) -> None:
        """New or hidden pieces, a new vendor: offer what can be shown now."""
        self.catalog = catalog
        self.jewelers.catalog_changed(catalog)
        self.catalogue.reload(catalog)

    def sign_in(self, seller_id: str, name: str) -> None:
        """The seller stays signed in across visits until someone switches."""
        self.seller = (seller_id, name)
        ids = self.service.ids
        self.service.ids = DeviceIds(ids.store_id, seller_id, ids.device_id)
        log.info("seller %s signed in", seller_id)
        self.to_start()

    def to_forget(self) -> None:
        self.forget_screen.reset()
        self._show(State.FORGET)

    def forget_face(self) -> None:
        if self.service.visit is None:
            return
        try:
            said = self.faces.forget()
        except StoreError as e:
            self.end_screen.error.setText(f"The face record could not be deleted: {e}")
            return
        self.end_screen.face_forgotten(said)

    def to_technician(self) -> None:
        if self.technician is None:
            return
        self.technician.open()
        self.idle.start()
        self._show(State.TECHNICIAN)

    def begin(self, name: str, phone: str, email: str, consent: bool) -> None:
        self.sizes.reset()
        self.service.start(name=name, phone=phone, email=email, consent=consent)
        if self.stage is not None:
            self.stage.select([])
        if consent:
            self.faces.listen()
        greeting = f"Welcome, {name.split()[0]}!" if name else None
        self.catalogue.show_badge(greeting)
        self._show(State.CATALOGUE)

    def toggle_piece(self, pid: str) -> None:
        if pid in self.selected:
            self.selected.remove(pid)
        else:
            piece = self.catalog.get(pid)
            # One piece per category on the body: a new earring replaces the old one.
            new = {p.category for p in self.catalog.expand([pid])}
            self.selected = [other for other in self.selected
                             if not new & {p.category for p in self.catalog.expand([other])}] + [pid]
            self.service.select(PieceRef(piece.id, piece.name, piece.category, piece.price))
        self.catalogue.set_selected(set(self.selected))
        self.assist.wearing([self.catalog.get(p).category for p in self.selected])
        if self.stage is not None:
            self.stage.select(self.selected)

    def choose_attire(self, attire_id: str) -> None:
        attire = self.attires.get(attire_id)
        if attire is None:
            return
        self.attire_id = attire_id
        self.catalogue.set_attire(attire_id)
        if self.stage is not None:
            self.stage.set_attire(None if attire.is_original else attire)
        self.service.change_attire(attire.id, attire.name)

    def flip(self) -> None:
        """Mirror or true view (what others see); photos are always the true view."""
        self.live_view.mirror = not self.live_view.mirror
        self.live_view.update()

    def start_countdown(self, then: Callable[[], None] | None = None) -> None:
        self.countdown.start(then or self.take_photo)

    def take_photo(self) -> None:
        got = self.stage.capture() if self.stage is not None else None
        if got is None:
            self.catalogue.show_badge("No picture yet: the camera is not ready.")
            return
        jpeg, ms = got
        attire = self.attires.get(self.attire_id)
        self._deliver(jpeg, ms, attire.name if attire else "Original outfit",
                      "" if attire is None or attire.is_original else attire.name)

    def _deliver(self, jpeg: bytes, ms: float, attire_name: str, outfit: str, note: str = "") -> None:
        """A new photo of the visit: image.generated, kept, shown for review."""
        main = self.catalog.get(self.selected[-1]) if self.selected else None
        ref = PieceRef(main.id, main.name, main.category, main.price) if main else None
        if ref is not None:
            self.service.generated(ref, attire_name, ms)
        n = self.sharing.keep(jpeg, ref)
        names = " + ".join(self.catalog.get(p).name for p in self.selected) or "No jewelry"
        self.assist.photo_taken(jpeg, f"Photo {n} · {names}")
        log.info("photo %d of the visit made in %.0f ms", n, ms)     # not for the customer
        worn = [self.catalog.pieces[p].name for p in self.selected if p in self.catalog.pieces]
        self.review.show_photo(jpeg, worn, outfit, note)
        self._show(State.REVIEW)

    # ---- cloud outfits (VisitHooks) -----------------------------------------------------------

    def to_cloud(self) -> None:
        if self.cloud is not None:
            self.cloud.open()
            self._show(State.CLOUD)

    def leave_cloud(self) -> None:
        if self.cloud is not None:
            self.cloud.cancel()
        self._show(State.CATALOGUE)

    def raw_frame(self) -> object:
        return self.stage.last_raw if self.stage is not None else None

    def cloud_photo(self, outcome: OutfitOutcome, garment_id: str, garment_name: str) -> None:
        if self.service.visit is None:
            return
        self._deliver(outcome.jpeg, outcome.total_ms, f"{garment_name} (cloud)",
                      f"{garment_name}, cloud outfit", outcome.note)

    # ---- sharing ------------------------------------------------------------------------------

    def to_share(self, share: Share | None = None) -> None:
        """The share screen on `share` (a clip's), else on the last photo's, made on first use."""
        if self.service.visit is None:
            return
        try:
            share = share or self.sharing.photo_share()
        except (StoreError, OSError, ValueError) as e:
            log.error("could not prepare the photo for sharing: %s", e)
            self.review.info.setText(f"The photo could not be prepared for sharing: {e}")
            return
        if share is None:
            return
        self.sharing.open(share)
        self._show(State.SHARE)

    def close_share(self) -> None:
        self.sharing.close()
        self._show(State.CATALOGUE)

    def retake(self) -> None:
        self._show(State.CATALOGUE)
        self.start_countdown()

    def to_end(self) -> None:
        visit = self.service.visit
        tried = []
        if visit is not None:
            for pid, name in visit.tried.items():
                p = self.catalog.pieces.get(pid)
                tried.append((pid, name, p.price if p else None))
        self.end_screen.prepare(tried, face_kept=visit is not None and visit.consent is not None)
        self.end_screen.notes.setText(self.sizes.notes_text())
        self._show(State.END)

    def finish(self, sale: bool, amount: float, bought: list[str], notes: str) -> None:
        if self.service.visit is not None:
            self.service.end(sale_made=sale, sale_amount=amount, purchased=bought, notes=notes)
        self.to_attract()

    def on_idle(self) -> None:
        if self.service.visit is not None:
            self.service.end(sale_made=False, notes="ended after inactivity")
        log.info("inactivity: back to the attract screen, customer data cleared")
        self.to_attract()

    def shutdown(self) -> None:
        self.clip.shutdown()
        if self.cloud is not None:
            self.cloud.shutdown()
        self.faces.shutdown()
        if self.technician is not None:
            for sub in (self.technician.assets, self.technician.camera):
                if sub is not None:
                    sub.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

