"""Whose collection a visit is for, beside the visit (kiosk.ui.visit_screen): with several
jewelers' catalogues on one kiosk the seller picks one before the start form; the visit's events
carry that jeweler, and their pieces, colours, logo and currency take the screens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from kiosk.catalog.brands import Brand, Brands
from kiosk.catalog.pieces import Catalog
from kiosk.config import KioskConfig
from kiosk.session.visit import VisitService
from kiosk.ui.screens.catalogue import CatalogueScreen
from kiosk.ui.screens.end import EndScreen
from kiosk.ui.screens.jeweler import JewelerScreen, logo_pixmap
from kiosk.ui.screens.start import StartScreen
from kiosk.ui.theme import accent_rules


class _Visit(Protocol):
    """What the flow needs of the visit screen."""
    cfg: KioskConfig
    service: VisitService
    catalogue: CatalogueScreen
    start_screen: StartScreen
    end_screen: EndScreen

    def setStyleSheet(self, sheet: str) -> None: ...  # noqa: N802 (Qt's name)


class JewelerFlow:
    def __init__(self, visit: _Visit, catalog: Catalog, show: Callable[[], None],
                 chosen: Callable[[], None], cancelled: Callable[[], None]) -> None:
        self.visit, self.show = visit, show
        cfg = visit.cfg
        self.screen = JewelerScreen()
        self.brands = Brands.load(cfg.jeweler, Path(cfg.store.data_dir), catalog)
        self.brand: Brand | None = None
        self._chosen = chosen
        self.screen.chosen.connect(self.choose)
        self.screen.cancelled.connect(cancelled)

    def new_customer(self) -> None:
        self.brand = None
        self.visit.setStyleSheet("")

    def ensure(self) -> bool:
        """A jeweler for the visit: the only one, or False when the seller must pick (shown)."""
        if self.brand is None:
            if self.brands.several:
                self.to_choice()
                return False
            self.use(self.brands.all[0])
        return True

    def to_choice(self) -> None:
        self.screen.show_brands(self.brands.all)
        self.show()

    def choose(self, brand_id: str) -> None:
        brand = self.brands.get(brand_id)
        if brand is None:
            return
        self.use(brand)
        self._chosen()

    def use(self, brand: Brand) -> None:
        """The visit's jeweler: recorded on its events, their pieces and colours on screen."""
        v = self.visit
        self.brand = brand
        v.service.jeweler = (brand.id, brand.name)
        v.setStyleSheet(accent_rules(brand.accent) if brand.accent else "")
        v.catalogue.set_jeweler(brand.name, logo_pixmap(brand, 44), self.currency,
                                lambda p: self.brands.owner(p).id == brand.id)
        v.start_screen.show_jeweler(brand.name, self.brands.several)
        v.end_screen.set_currency(self.currency)

    @property
    def currency(self) -> str:
        return (self.brand.currency if self.brand else None) or self.visit.cfg.store.currency

    @property
    def name(self) -> str:
        return self.brand.name if self.brand else self.visit.cfg.jeweler.name

    def catalog_changed(self, catalog: Catalog) -> None:
        cfg = self.visit.cfg
        self.brands = Brands.load(cfg.jeweler, Path(cfg.store.data_dir), catalog)
