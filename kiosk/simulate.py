"""`kiosk simulate`: scripted, realistic customer sessions recorded through the EventStore.

It is the load generator for tests, soak runs and benchmarks, and a technician's smoke test
after an install: the events go through exactly the same validation and outbox as the app's.
The pieces and outfits are the bundled catalogue (assets/jewelry, assets/attire); image URLs of simulated
shares point under /media/simulated/ so nobody mistakes them for customer photos.

Person records (seed 001) need real face vectors; they are added once the face pipeline
exists (issue 6). Until then simulate records events only.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore
from kiosk.store.events import (
    AttireChanged,
    ImageGenerated,
    ImageShared,
    JewelrySelected,
    Payload,
    SessionEnded,
    SessionStarted,
)


@dataclass(frozen=True)
class Piece:
    id: str
    name: str
    category: str
    price: float


def catalogue_pieces() -> list[Piece]:
    """The bundled catalogue (assets/jewelry), as a customer would browse it."""
    from kiosk.tryon.assets import Catalog

    return [Piece(p.id, p.name, p.category, float(p.price or 0.0))
            for p in Catalog.load().pieces.values()]


def attire_choices() -> list[tuple[str, str]]:
    from kiosk.tryon.attire import load_attire

    return [(a.id, a.name) for a in load_attire().values() if not a.is_original]



NAMES = ["Priya Sharma", "Ananya Iyer", "Meera Nair", "Kavya Reddy", "Divya Menon", "Aisha Khan",
         "Sneha Patel", "Lakshmi Rao", "Nisha Gupta", "Riya Das", "Farah Ali", "Tanvi Joshi"]
NOTES = ["", "", "Prefers yellow gold", "Coming back with family on Sunday", "Wedding in March",
         "Asked about making charges", "Liked the temple collection"]


@dataclass
class SimResult:
    sessions: int
    events: int
    seconds: float


def simulate_session(store: EventStore, ids: DeviceIds, jeweler: tuple[str, str], rng: random.Random,
                     image_base: str, pieces: list[Piece], attires: list[tuple[str, str]]) -> int:
    """Record one customer visit; returns how many events it wrote."""
    sid = str(uuid.uuid4())
    events: list[Payload] = []
    anonymous = rng.random() < 0.25
    name = "" if anonymous else rng.choice(NAMES)
    phone = "" if anonymous else f"+9198{rng.randrange(10**7, 10**8)}"
    email = "" if anonymous or rng.random() < 0.5 else name.split()[0].lower() + "@example.com"
    events.append(SessionStarted(customer_name=name, customer_phone=phone, customer_email=email,
                                 jeweler_id=jeweler[0], jeweler_name=jeweler[1]))
    tried = rng.sample(pieces, min(len(pieces), rng.randint(2, 6)))
    attire = ("original", "Original outfit")
    shared = 0
    for piece in tried:
        events.append(JewelrySelected(jewelry_id=piece.id, jewelry_name=piece.name,
                                      jewelry_category=piece.category, price=piece.price))
        if rng.random() < 0.3:
            attire = rng.choice(attires)
            events.append(AttireChanged(attire_id=attire[0], attire_name=attire[1], is_original=False))
        if rng.random() < 0.5:
            events.append(ImageGenerated(jewelry_id=piece.id, jewelry_name=piece.name, attire_id=attire[0],
                                         attire_name=attire[1], generation_time_ms=rng.randint(120, 420)))
            if rng.random() < 0.5:
                ok = rng.random() < 0.92
                shared += ok
                events.append(ImageShared(
                    channel="whatsapp" if phone else "other", destination=phone,
                    jewelry_id=piece.id, jewelry_name=piece.name, jeweler_id=jeweler[0],
                    jeweler_name=jeweler[1], share_status="sent" if ok else "failed",
                    message_sid=f"SM{uuid.uuid4().hex}" if ok and phone else "",
                    image_url=f"{image_base}/media/simulated/{uuid.uuid4().hex}.jpg"))
    sale = rng.random() < 0.35
    bought = rng.sample(tried, rng.randint(1, min(2, len(tried)))) if sale else []
    events.append(SessionEnded(
        duration_seconds=rng.randint(180, 2400), items_tried=len(tried), items_shared=shared,
        sale_made=sale, sale_amount=float(sum(p.price for p in bought)),
        purchased_items=[p.id for p in bought], notes=rng.choice(NOTES)))
    for ev in events:
        store.record(ev, session_id=sid, ids=ids)
    return len(events)


def run(cfg: KioskConfig, sessions: int, seed: int | None, data_dir: Path | None = None) -> SimResult:
    rng = random.Random(seed)
    ids = DeviceIds(cfg.device.store_id, cfg.device.seller_id, cfg.device.device_id)
    store = EventStore(data_dir or cfg.store.data_dir)
    pieces, attires = catalogue_pieces(), attire_choices()
    t0 = time.perf_counter()
    n = 0
    try:
        for _ in range(sessions):
            n += simulate_session(store, ids, (cfg.jeweler.id, cfg.jeweler.name), rng,
                                  str(cfg.cloud.events_url).rstrip("/"), pieces, attires)
    finally:
        store.close()
    return SimResult(sessions, n, time.perf_counter() - t0)
