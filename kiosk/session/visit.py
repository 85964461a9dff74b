"""The visit state machine: start → select/try → capture → share → end, as events.

Screens call this; it is the only place that records events and person records, through
the EventStore. When each event fires (ARCHITECTURE.md):
- start: session.started; a piece tapped (first time, and again after switching away):
  jewelry.selected; outfit changed, including back to the original: attire.changed;
  photo composed: image.generated; share finished: image.shared; end, timeout or crash
  recovery: session.ended.
Faces: only with the customer's consent (and `[privacy] face_enabled`). The best of the first
few good face samples is matched against the local gallery: a returning customer reuses their
person record (no new POST), a new one is recorded (POST). At the end a PUT carries the exit
time and any name/phone the customer gave. Without consent nothing biometric is kept.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.config import PrivacyConfig
from kiosk.face.gallery import Gallery
from kiosk.face.worker import FaceSample as FaceSample  # screens and the harness import it from here
from kiosk.store import DeviceIds, EventStore, sessions, shares
from kiosk.store.events import (
    AttireChanged,
    ImageGenerated,
    JewelrySelected,
    SessionEnded,
    SessionStarted,
)
from kiosk.store.outbox import Consent
from kiosk.store.persons import PersonFields, PersonUpdate
from kiosk.store.privacy import Forgotten, History, epoch, forget, gallery_rows, history
from kiosk.store.shares import Send, Share

log = logging.getLogger(__name__)

SAMPLES_BEFORE_DECIDING = 3


@dataclass(frozen=True)
class PieceRef:
    id: str
    name: str
    category: str
    price: float | None = None


@dataclass(frozen=True)
class Recognition:
    returning: bool
    person_id: str
    history: History | None = None


@dataclass
class Visit:
    id: str
    started_wall: float
    started_mono: float
    customer_name: str
    customer_phone: str
    customer_email: str
    consent: Consent | None
    tried: dict[str, str] = field(default_factory=dict)     # id -> name, in order
    current: str | None = None
    attire: str = "original"
    samples: list[FaceSample] = field(default_factory=list)
    person_id: str | None = None
    recognition: Recognition | None = None


class VisitService:
    def __init__(self, store: EventStore, ids: DeviceIds, jeweler: tuple[str, str], privacy: PrivacyConfig,
                 gallery: Gallery | None = None):
        self.store, self.ids, self.jeweler, self.privacy = store, ids, jeweler, privacy
        self._epoch = epoch(store)
        self.gallery = gallery if gallery is not None else self._load_gallery()
        self.visit: Visit | None = None
        # The data disk is nearly full (set by the app): no new face records, the one kind of
        # data the store can do without; visits, photos and events go on.
        self.low_disk = False

    def _load_gallery(self) -> Gallery:
        g = Gallery()
        if self.privacy.face_enabled:
            for local_id, vec in gallery_rows(self.store):
                g.add(local_id, vec)
        return g

    # ---- the visit --------------------------------------------------------------------------

    def start(self, *, name: str = "", phone: str = "", email: str = "", consent: bool = False) -> Visit:
        if self.visit is not None:
            self.end(sale_made=False, notes="closed when the next customer started")
        current = epoch(self.store)
        if current != self._epoch:          # someone was forgotten or expired meanwhile
            self._reload_gallery()
        sid = str(uuid.uuid4())
        now = time.time()
        given = consent and self.privacy.face_enabled
        c = Consent(now, self.privacy.consent_version, self.privacy.retention_days) if given else None
        ev = SessionStarted(customer_name=name, customer_phone=phone, customer_email=email,
                            jeweler_id=self.jeweler[0], jeweler_name=self.jeweler[1])
        sessions.insert(self.store, sid, started_at=now, seller_id=self.ids.seller_id,
                        jeweler_id=self.jeweler[0], name=name, phone=phone, email=email, consent=c)
        self.store.record(ev, session_id=sid, ids=self.ids)
        self.visit = Visit(sid, now, time.monotonic(), name, phone, email, c)
        return self.visit

    def _need(self) -> Visit:
        if self.visit is None:
            raise RuntimeError("no customer session: start one first")
        return self.visit

    def select(self, piece: PieceRef) -> bool:
        """Put a piece on; records jewelry.selected unless it is already the one on."""
        v = self._need()
        if v.current == piece.id:
            return False
        v.current = piece.id
        if piece.id not in v.tried:
            v.tried[piece.id] = piece.name
            # Kept for crash recovery and returning customers.
            sessions.save_tried(self.store, v.id, list(v.tried.items()))
        self.store.record(JewelrySelected(jewelry_id=piece.id, jewelry_name=piece.name,
                                          jewelry_category=piece.category, price=piece.price),
                          session_id=v.id, ids=self.ids)
        return True

    def change_attire(self, attire_id: str, attire_name: str) -> bool:
        v = self._need()
        if v.attire == attire_id:
            return False
        v.attire = attire_id
        self.store.record(AttireChanged(attire_id=attire_id, attire_name=attire_name,
                                        is_original=attire_id == "original"), session_id=v.id, ids=self.ids)
        return True

    def generated(self, piece: PieceRef, attire_name: str, generation_ms: float) -> None:
        v = self._need()
        ev = ImageGenerated(jewelry_id=piece.id, jewelry_name=piece.name, attire_id=v.attire,
                            attire_name=attire_name, generation_time_ms=int(round(generation_ms)))
        self.store.record(ev, session_id=v.id, ids=self.ids)

    # ---- sharing the photo ----------------------------------------------------------------

    def share_photo(self, jpeg: bytes, piece: PieceRef, link_days: float, upload: dict[str, Any],
                    clip: Path | None = None) -> Share:
        v = self._need()
        return shares.create(self.store, session_id=v.id, jpeg=jpeg, link_days=link_days, upload=upload,
                             jewelry=(piece.id, piece.name, piece.price), clip=clip)

    def send_share(self, share: Share, *, channel: str, destination: str, message: str) -> str:
        v = self._need()
        return shares.send(self.store, share, channel=channel, destination=destination,
                           name=v.customer_name, ids=self.ids, jeweler=self.jeweler, message=message)

    def retry_send(self, send_id: str) -> bool:
        return shares.retry(self.store, send_id)

    def share_status(self, token: str) -> tuple[Share, list[Send]] | None:
        """The share as the daemon has left it (page URL once uploaded) and its sends."""
        share = shares.get(self.store, token)
        return None if share is None else (share, shares.sends(self.store, token))

    def end(self, *, sale_made: bool, sale_amount: float = 0.0, purchased: list[str] | None = None,
            notes: str = "") -> None:
        v = self._need()
        if v.person_id is None and v.samples:
            self._decide_face(v)
        # Everything bought, tried or not (the seller may sell a piece straight from the tray):
        # seed 000's purchased_items has to agree with sale_amount. Each id once, in order.
        purchased = list(dict.fromkeys(p for p in (purchased or []) if p)) if sale_made else []
        duration = int(time.monotonic() - v.started_mono)
        ended = SessionEnded(duration_seconds=duration, items_tried=len(v.tried),
                             items_shared=shares.sent_count(self.store, v.id), sale_made=sale_made,
                             sale_amount=float(sale_amount) if sale_made else 0.0,
                             purchased_items=purchased, notes=notes)
        sessions.end(self.store, v.id, ended, self.ids, ended_at=time.time(), tried=list(v.tried.items()),
                     sale_made=sale_made, person_id=v.person_id)
        if v.person_id is not None:
            update = PersonUpdate(exit_time=datetime.now(UTC), full_name=v.customer_name or None,
                                  phone_number=v.customer_phone or None)
            self.store.update_person(v.person_id, update, v.consent)
        self.visit = None

    # ---- deletion on request -----------------------------------------------------------------

    def forget_current(self) -> Forgotten:
        """The customer in front of the kiosk withdraws consent: their face record goes now, no
        more samples are taken this visit and session end sends no person update."""
        v = self._need()
        out = forget(self.store, person=v.person_id) if v.person_id else Forgotten()
        v.person_id, v.recognition, v.consent = None, None, None
        v.samples.clear()
        self._reload_gallery()
        return out

    def forget_phone(self, phone: str) -> Forgotten:
        out = forget(self.store, phone=phone)
        if self.visit is not None and self.visit.person_id in out.local_ids:
            self.visit.person_id, self.visit.recognition, self.visit.consent = None, None, None
        self._reload_gallery()
        return out

    def _reload_gallery(self) -> None:
        self._epoch, self.gallery = epoch(self.store), self._load_gallery()

    # ---- faces (consented only) ---------------------------------------------------------------

    def offer_face(self, sample: FaceSample) -> Recognition | None:
        """A good face sample from the face worker; decides after a few samples."""
        v = self.visit
        if v is None or v.consent is None or not self.privacy.face_enabled or v.person_id is not None:
            return None             # no consent: the sample is dropped here, never stored
        v.samples.append(sample)
        if len(v.samples) < SAMPLES_BEFORE_DECIDING:
            return None
        return self._decide_face(v)

    def _decide_face(self, v: Visit) -> Recognition | None:
        best = max(v.samples, key=lambda s: s.quality)
        v.samples.clear()                       # the other samples are not kept
        assert v.consent is not None
        found = self.gallery.match(best.vector)
        if found is not None:
            v.person_id = found.person_id
            v.recognition = Recognition(True, found.person_id, history(self.store, found.person_id))
            return v.recognition
        if self.low_disk:
            return None
        entry = datetime.fromtimestamp(v.started_wall, UTC)
        fields = PersonFields(age=best.age, gender=best.gender, emotion=best.emotion,
                              body_type=best.body_type, entry_time=entry)
        v.person_id = self.store.record_person(session_id=v.id, vector=best.vector, jpeg=best.jpeg,
                                               fields=fields, consent=v.consent)
        self.gallery.add(v.person_id, best.vector)
        v.recognition = Recognition(False, v.person_id, None)
        return v.recognition

    def recover_abandoned(self) -> int:
        """Sessions left open by a crash or power cut get their session.ended now."""
        rows = sessions.open_visits(self.store)
        for r in rows:
            ended = SessionEnded(duration_seconds=max(0, int(time.time() - r.started_at)),
                                 items_tried=len(r.tried), items_shared=shares.sent_count(self.store, r.id),
                                 sale_made=False, sale_amount=0.0, purchased_items=[],
                                 notes="abandoned: the kiosk restarted during this session")
            sessions.end_abandoned(self.store, r.id, ended, self.ids, ended_at=time.time())
        return len(rows)
