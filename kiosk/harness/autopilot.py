"""A seller who never tires: drives real visits through the app's own screens, for `script/soak`.

Only enabled by ``KIOSK_AUTOPILOT=<visits per store hour>:<speed>`` (script/soak sets it),
which kiosk.cli reads to hand the window `wiring()`; never by the config, so a kiosk in a store
cannot start it by mistake. Each visit walks the same methods the seller's taps call (start
form, pieces, an outfit, a photo, a share by WhatsApp, the end screen with a sale or not),
paced in store time divided by ``speed``, so events, photos, shares and their uploads are
recorded exactly as in a store.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from kiosk.capture import FrameSource, SourceError
from kiosk.capture.base import Image
from kiosk.ui.states import State
from kiosk.ui.visit_screen import VisitScreen
from kiosk.ui.wiring import Wiring

if TYPE_CHECKING:
    from kiosk.ui.app import MainWindow

log = logging.getLogger(__name__)

ENV = "KIOSK_AUTOPILOT"
UNPLUG_ENV = "KIOSK_AUTOPILOT_UNPLUG"      # "AT_S:FOR_S" real seconds after start
NAMES = ["Priya Sharma", "Ananya Iyer", "Meera Nair", "Kavya Reddy", "Aisha Khan", "Tanvi Joshi", ""]


def from_env() -> tuple[float, float] | None:
    raw = os.environ.get(ENV, "")
    per_hour, _, speed = raw.partition(":")
    try:
        return (float(per_hour), float(speed or 1)) if raw else None
    except ValueError:
        log.error("%s=%r: want VISITS_PER_HOUR:SPEED, e.g. 8:20", ENV, raw)
        return None



def _on(v: VisitScreen, state: State) -> bool:
    """Read afresh: every step may move the visit (a type checker keeps the last comparison)."""
    return v.state == state

class Unpluggable:
    """The camera's cable, for the soak: while unplugged, reads and opens fail as a USB camera's
    do, and the capture thread's reconnect loop has to bring the picture back."""

    def __init__(self, inner: FrameSource) -> None:
        self.inner = inner
        self.name = inner.name
        self.nominal_fps = inner.nominal_fps
        self._until = 0.0
        self.unplugs = 0

    def unplug(self, seconds: float) -> None:
        log.warning("autopilot: camera unplugged for %.0f s", seconds)
        self.unplugs += 1
        self._until = time.monotonic() + seconds

    def _check(self) -> None:
        if time.monotonic() < self._until:
            raise SourceError(f"{self.name}: unplugged (soak test)")

    def open(self) -> None:
        self._check()
        self.inner.open()

    def read(self) -> Image:
        self._check()
        return self.inner.read()

    def close(self) -> None:
        self.inner.close()


def unplug_from_env() -> tuple[float, float] | None:
    at, _, dur = os.environ.get(UNPLUG_ENV, "").partition(":")
    try:
        return (float(at), float(dur)) if at else None
    except ValueError:
        return None


class Autopilot(QObject):
    def __init__(self, visit: VisitScreen, visits_per_hour: float, speed: float, seed: int = 7) -> None:
        super().__init__(visit)
        self.v = visit
        self.rng = random.Random(seed)
        self.gap_s = 3600.0 / max(visits_per_hour, 0.1) / speed     # real seconds between visits
        self.speed = speed
        self.visits = 0
        self._steps: Iterator[float] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        self._timer.start(int(self.rng.uniform(0.2, 1.0) * self.gap_s * 1000))

    def _step(self) -> None:
        if self._steps is None:
            self._steps = self._visit()
        try:
            store_s = next(self._steps)
        except StopIteration:
            self._steps = None
            self.visits += 1
            self._timer.start(int(self.rng.uniform(0.5, 1.5) * self.gap_s * 1000))
            return
        except Exception:       # a soak must report a broken step, not stop driving
            log.exception("autopilot: visit step failed")
            self._steps = None
            self.v.to_attract()
            self._timer.start(int(self.gap_s * 1000))
            return
        self._timer.start(max(50, int(store_s / self.speed * 1000)))

    def _visit(self) -> Iterator[float]:
        v, rng = self.v, self.rng
        v.to_start()
        if v.state == State.SELLER and v.cfg.sellers:
            s = v.cfg.sellers[0]
            v.sign_in(s.id, s.name)
        if v.state == State.JEWELER:
            v.jewelers.choose(rng.choice(v.brands.all).id)
        yield 20
        name = rng.choice(NAMES)
        form = v.start_screen          # typed and tapped like a seller, through its validation
        form.name.setText(name)
        form.phone.setText(f"98{rng.randrange(10**7, 10**8)}" if name else "")
        form.email.setText("")
        form.consent.setChecked(bool(name) and rng.random() < 0.5)
        form.start.click()
        if v.state != State.CATALOGUE:
            raise RuntimeError(f"the start form did not start the visit (screen {v.state})")
        yield 40
        pieces = [p.id for p in v.catalog.listed() if v.brand is None or v.brands.owner(p).id == v.brand.id]
        for pid in rng.sample(pieces, min(len(pieces), rng.randint(2, 5))):
            v.toggle_piece(pid)
            yield rng.uniform(30, 90)
        if rng.random() < 0.4:
            v.choose_attire(rng.choice([a for a in v.attires if a != "original"]))
            yield 30
        for _ in range(rng.randint(0, 2)):
            v.take_photo()
            yield 15
            if _on(v, State.REVIEW) and rng.random() < 0.6:
                v.to_share()
                yield 10
                phone_now = v.service.visit.customer_phone if v.service.visit else ""
                if phone_now:
                    v.sharing.send("whatsapp", phone_now)
                    yield 10
                v.close_share()
            else:
                v.close_share()         # back to the catalogue, as the review's Back does
            yield 20
        v.to_end()
        yield 30
        bought = list(v.service.visit.tried if v.service.visit else {})[:1]
        sale = bool(bought) and rng.random() < 0.35
        prices = [v.catalog.pieces[p].price or 0.0 for p in bought if p in v.catalog.pieces]
        amount = sum(prices) if sale else 0.0
        v.finish(sale, amount, bought if sale else [], "")


def wiring() -> Wiring:
    """The window's parts for a soak: the seller who drives visits once the window is up and,
    with KIOSK_AUTOPILOT_UNPLUG, the camera cable pulled that many seconds after the start.
    Without KIOSK_AUTOPILOT (or with a value it cannot read): the product's own."""
    pilot = from_env()
    if pilot is None:
        return Wiring()
    unplug = unplug_from_env()
    cables: list[Unpluggable] = []          # the newest is the camera running (a switch makes another)
    drivers: list[Autopilot] = []           # held here for the life of the window

    def wrap(source: FrameSource) -> FrameSource:
        cables.append(Unpluggable(source))
        return cables[-1]

    def started(win: MainWindow) -> None:
        if win.visit is None:
            return
        log.warning("%s is set: visits are driven automatically (soak test)", ENV)
        drivers.append(Autopilot(win.visit, *pilot))
        drivers[-1].start()
        if unplug is not None:
            at, seconds = unplug
            QTimer.singleShot(int(at * 1000), lambda: cables[-1].unplug(seconds) if cables else None)

    return Wiring(wrap_source=wrap if unplug is not None else None, on_started=started)
