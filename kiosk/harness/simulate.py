"""`kiosk simulate`: scripted, realistic customer visits recorded through the app's own visit
service (kiosk/session/visit.py), so they exercise every contract the app does:

- seed 000 events, exactly as the screens record them;
- seed 001 person records for the visits whose customer consents (``persons_rate``): face
  samples from the bundled faces (assets/simulate, made by make_faces.py from the labelled
  fixtures: photo, 128-d vector, estimates), matched against the local gallery like the app
  does (a returning face gets no new POST), entry time at the visit's start, a PUT with the
  exit time, name and phone when the visit ends;
- seed 003 share sends (``shares_rate`` of the composed photos): the branded photo is kept and
  queued for upload (shares.create) and sent by WhatsApp and/or email to the customer where
  the kiosk has those channels set up; the image.shared events come from the sends' outcomes,
  recorded by the sync daemon as in the app, never invented here.

It is the load generator for tests, soak runs and benchmarks, and a technician's smoke test.
Customers are fictional: phone numbers in Ofcom's range reserved for drama (+44 7700 900xxx,
never allocated) and addresses at example.com (RFC 2606), so a simulated send reaches nobody.
The pieces and outfits are the bundled catalogue (assets/jewelry, assets/attire).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths
from kiosk.catalog.money import money
from kiosk.config import KioskConfig
from kiosk.session.visit import SAMPLES_BEFORE_DECIDING, FaceSample, PieceRef, VisitService
from kiosk.store import DeviceIds, EventStore
from kiosk.store.kinds import Kind

FACES_FILE = paths.ASSETS_DIR / "simulate" / "faces.json"
NAMES = ["Priya Sharma", "Ananya Iyer", "Meera Nair", "Kavya Reddy", "Divya Menon", "Aisha Khan",
         "Sneha Patel", "Lakshmi Rao", "Nisha Gupta", "Riya Das", "Farah Ali", "Tanvi Joshi"]
NOTES = ["", "", "Prefers yellow gold", "Coming back with family on Sunday", "Wedding in March",
         "Asked about making charges", "Liked the temple collection"]


@dataclass(frozen=True)
class Face:
    identity: str
    jpeg: bytes
    sample: FaceSample


def catalogue_pieces() -> list[PieceRef]:
    """The bundled catalogue (assets/jewelry), as a customer would browse it."""
    from kiosk.catalog.pieces import Catalog

    return [PieceRef(p.id, p.name, p.category, None if p.price is None else float(p.price))
            for p in Catalog.load().pieces.values()]


def attire_choices() -> list[tuple[str, str]]:
    from kiosk.tryon.attire import load_attire

    return [(a.id, a.name) for a in load_attire().values() if not a.is_original]


def bundled_faces(path: Path = FACES_FILE) -> list[Face]:
    """The simulated customers' faces; ValueError if the bundled file is missing or damaged."""
    try:
        data = json.loads(path.read_text())
        faces = []
        for f in data["faces"]:
            jpeg = (path.parent / f["file"]).read_bytes()
            faces.append(Face(f["identity"], jpeg, FaceSample(
                vector=[float(x) for x in f["vector"]], quality=float(f["quality"]), jpeg=jpeg,
                age=f["age"], gender=f["gender"], emotion=f["emotion"], body_type=f["body_type"])))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"the simulated customers' faces ({path}) cannot be read: {e}") from None
    if not faces:
        raise ValueError(f"{path} lists no faces")
    return faces


@dataclass
class SimResult:
    sessions: int
    events: int
    seconds: float
    persons: int = 0          # new person records queued (POST)
    returning: int = 0        # consented visits of a face already on record (PUT only)
    shares: int = 0           # photos queued for upload
    sends: int = 0            # WhatsApp/email sends queued


@dataclass(frozen=True)
class Scenario:
    """What the simulated sessions draw from (loaded once per run)."""

    pieces: list[PieceRef]
    attires: list[tuple[str, str]]
    faces: list[Face]
    persons_rate: float
    shares_rate: float
    whatsapp: bool            # the kiosk can send on WhatsApp / by email (cfg.share)
    email: bool
    currency: str
    link_days: float
    message: str


def simulate_session(service: VisitService, rng: random.Random, sc: Scenario) -> SimResult:
    """One customer visit through the visit service; counts what it queued (events excluded)."""
    anonymous = rng.random() < 0.25
    name = "" if anonymous else rng.choice(NAMES)
    phone = "" if anonymous else f"+447700900{rng.randrange(1000):03d}"
    email = "" if anonymous or rng.random() < 0.5 else name.split()[0].lower() + "@example.com"
    face = rng.choice(sc.faces)
    consent = rng.random() < sc.persons_rate
    visit = service.start(name=name, phone=phone, email=email, consent=consent)
    # The visit took `duration` seconds up to now: its entry time and session.ended's
    # duration_seconds come from these two clocks.
    duration = rng.randint(180, 2400)
    visit.started_wall -= duration
    visit.started_mono -= duration
    out = SimResult(1, 0, 0.0)
    if visit.consent is not None:
        got = None
        for _ in range(SAMPLES_BEFORE_DECIDING):      # the face worker's first good samples
            got = service.offer_face(face.sample) or got
        if got is not None:
            out.returning, out.persons = (1, 0) if got.returning else (0, 1)
    tried = rng.sample(sc.pieces, min(len(sc.pieces), rng.randint(2, 6)))
    attire = ("original", "Original outfit")
    for piece in tried:
        service.select(piece)
        if rng.random() < 0.3:
            attire = rng.choice(sc.attires)
            service.change_attire(*attire)
        if rng.random() < 0.5:
            service.generated(piece, attire[1], rng.uniform(120, 420))
            if rng.random() < sc.shares_rate:
                _share(service, face, piece, phone, email, sc, out)
    sale = rng.random() < 0.35
    bought = rng.sample(tried, rng.randint(1, min(2, len(tried)))) if sale else []
    service.end(sale_made=sale, sale_amount=float(sum(p.price or 0.0 for p in bought)),
                purchased=[p.id for p in bought], notes=rng.choice(NOTES))
    return out


def _share(service: VisitService, face: Face, piece: PieceRef, phone: str, email: str, sc: Scenario,
           out: SimResult) -> None:
    """The seller opens the share screen for the photo (upload queued) and sends it where the
    customer gave a contact and the kiosk has the channel; otherwise the customer scans the QR."""
    from kiosk.share.brand import add_strip

    jeweler = service.jeweler[1]
    price = money(piece.price, sc.currency) if piece.price is not None else ""
    caption = " · ".join(x for x in (piece.name, price) if x)
    share = service.share_photo(add_strip(face.jpeg, jeweler, caption), piece, sc.link_days,
                                {"jeweler_name": jeweler, "currency": sc.currency})
    out.shares += 1
    message = sc.message.replace("{jeweler}", jeweler)
    for channel, ready, destination in (("whatsapp", sc.whatsapp, phone), ("email", sc.email, email)):
        if ready and destination:
            service.send_share(share, channel=channel, destination=destination, message=message)
            out.sends += 1


def _rows(store: EventStore, kind: str) -> int:
    return store.count_kind(kind)


def run(cfg: KioskConfig, sessions: int, seed: int | None, data_dir: Path | None = None, *,
        persons_rate: float = 0.4, shares_rate: float = 0.3) -> SimResult:
    """Record `sessions` visits. ``persons_rate``: share of visits whose customer consents to a
    person record (none when [privacy] face_enabled is off); ``shares_rate``: share of the
    composed photos the seller shares."""
    if not (0.0 <= persons_rate <= 1.0 and 0.0 <= shares_rate <= 1.0):
        raise ValueError("persons_rate and shares_rate are between 0 and 1")
    rng = random.Random(seed)
    ids = DeviceIds(cfg.device.store_id, cfg.device.seller_id, cfg.device.device_id)
    sh = cfg.share
    sc = Scenario(catalogue_pieces(), attire_choices(), bundled_faces(), persons_rate, shares_rate,
                  sh.whatsapp_ready, sh.email_ready, cfg.store.currency, sh.link_days, sh.message)
    store = EventStore(data_dir or cfg.store.data_dir)
    total = SimResult(0, 0, 0.0)
    t0 = time.perf_counter()
    try:
        before = _rows(store, Kind.EVENT)
        service = VisitService(store, ids, (cfg.jeweler.id, cfg.jeweler.name), cfg.privacy)
        for _ in range(sessions):
            one = simulate_session(service, rng, sc)
            total.sessions += 1
            total.persons += one.persons
            total.returning += one.returning
            total.shares += one.shares
            total.sends += one.sends
        total.events = _rows(store, Kind.EVENT) - before
    finally:
        store.close()
    total.seconds = time.perf_counter() - t0
    return total

