"""The visit service: events per step, consent-gated face records, returning customers,
retention and forgetting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import PrivacyConfig
from kiosk.session.visit import PieceRef, VisitService
from kiosk.store import DeviceIds, EventStore
from kiosk.store.outbox import ERASE_BODY
from kiosk.store.privacy import expire, forget
from tests.helpers.faces import JPEG, face

IDS = DeviceIds("store_1", "seller_1", "ipad_1")
JHUMKA = PieceRef("jhumka_gold", "Temple Gold Jhumka", "earring", 38900.0)
CHOKER = PieceRef("choker_gold", "Kundan Gold Choker", "necklace", 145000.0)


def events(store: EventStore) -> list[dict[str, object]]:
    return [json.loads(r["payload"]) for r in store.db.read("SELECT payload FROM outbox WHERE kind = 'event'"
                                                            " ORDER BY seq")]


def kinds(store: EventStore) -> list[str]:
    return [r[0] for r in store.db.read("SELECT kind FROM outbox ORDER BY seq")]


@pytest.fixture
def store(tmp_path: Path) -> EventStore:
    return EventStore(tmp_path)


def service(store: EventStore, **privacy: object) -> VisitService:
    return VisitService(store, IDS, ("abharana", "Abharana"), PrivacyConfig(**privacy))  # type: ignore[arg-type]


def test_a_visit_records_each_step_once(store: EventStore) -> None:
    svc = service(store)
    v = svc.start(name="Priya", phone="+919812345678", email="priya@example.com")
    assert svc.select(JHUMKA) and not svc.select(JHUMKA)      # tapping the piece that is on: nothing
    assert svc.select(CHOKER) and svc.select(JHUMKA)          # switching back counts again
    assert svc.change_attire("saree_red_silk", "Red Silk Saree")
    svc.generated(JHUMKA, "Red Silk Saree", 12.6)
    share = svc.share_photo(JPEG, JHUMKA, 7, {"jeweler_name": "Abharana"})
    svc.send_share(share, channel="whatsapp", destination="+919812345678", message="{link}")
    svc.change_attire("original", "Original outfit")
    svc.end(sale_made=True, sale_amount=38900.0, purchased=["jhumka_gold"], notes="gold")
    evs = events(store)
    assert [e["event_type"] for e in evs] == [
        "session.started", "jewelry.selected", "jewelry.selected", "jewelry.selected", "attire.changed",
        "image.generated", "attire.changed", "session.ended"]    # image.shared: once it was sent
    assert {e["session_id"] for e in evs} == {v.id}
    gen = evs[5]["payload"]
    assert gen == {"jewelry_id": "jhumka_gold", "jewelry_name": "Temple Gold Jhumka",  # type: ignore[comparison-overlap]
                   "attire_id": "saree_red_silk", "attire_name": "Red Silk Saree", "generation_time_ms": 13}
    assert evs[6]["payload"]["is_original"] is True  # type: ignore[index]
    end = evs[-1]["payload"]
    assert end["items_tried"] == 2 and end["items_shared"] == 1  # queued counts  # type: ignore[index]
    assert end["purchased_items"] == ["jhumka_gold"] and end["sale_amount"] == 38900.0  # type: ignore[index]
    assert "person.create" not in kinds(store)                # no consent asked, no face kept


def test_purchased_items_lists_everything_bought_tried_or_not(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Meera")
    svc.select(JHUMKA)
    # The matching haar was bought straight from the tray, never tried on.
    svc.end(sale_made=True, sale_amount=38900.0 + 245000.0,
            purchased=["jhumka_gold", "haar_long", "jhumka_gold"])
    svc.start(name="Asha")
    svc.select(CHOKER)
    svc.end(sale_made=False, purchased=["choker_gold"])       # no sale: nothing was bought
    ended = [e["payload"] for e in events(store) if e["event_type"] == "session.ended"]
    assert ended[0]["purchased_items"] == ["jhumka_gold", "haar_long"]  # type: ignore[index]
    assert ended[0]["items_tried"] == 1 and ended[0]["sale_amount"] == 283900.0  # type: ignore[index]
    assert ended[1]["purchased_items"] == [] and ended[1]["sale_made"] is False  # type: ignore[index]


def test_without_consent_no_face_data_is_kept_or_sent(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Anon", consent=False)
    for i in range(5):
        assert svc.offer_face(face(1, 0.5 + i / 10)) is None
    svc.end(sale_made=False)
    assert kinds(store) == ["event", "event"]
    assert store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 0
    assert not (store.data_dir / "persons").exists() or not any((store.data_dir / "persons").iterdir())


def test_face_features_can_be_disabled_by_the_store(store: EventStore) -> None:
    svc = service(store, face_enabled=False)
    svc.start(consent=True)
    for _ in range(3):
        assert svc.offer_face(face(1)) is None
    svc.end(sale_made=False)
    assert "person.create" not in kinds(store)


def test_consented_visit_records_the_best_face_then_updates_at_the_end(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Meera Nair", phone="+919800000001", consent=True)
    assert svc.offer_face(face(7, 0.4)) is None and svc.offer_face(face(7, 0.9)) is None
    rec = svc.offer_face(face(7, 0.6))
    assert rec is not None and not rec.returning
    row = store.db.read("SELECT vector, consent_version, expires_at, consented_at FROM persons")[0]
    kept = np.frombuffer(row["vector"], "<f8")
    assert np.allclose(kept, face(7, 0.9).vector)             # the best sample, not the last
    assert row["consent_version"] == "v1"
    assert row["expires_at"] - row["consented_at"] == pytest.approx(30 * 86400)
    svc.end(sale_made=False)
    assert kinds(store).count("person.create") == 1 and kinds(store).count("person.update") == 1
    upd = json.loads(store.db.read("SELECT payload FROM outbox WHERE kind = 'person.update'")[0][0])
    assert upd["full_name"] == "Meera Nair" and upd["phone_number"] == "+919800000001" and "exit_time" in upd


def test_returning_customer_is_recognised_and_reuses_the_person(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Meera Nair", phone="+919800000001", consent=True)
    svc.select(JHUMKA)
    svc.select(CHOKER)
    for q in (0.5, 0.6, 0.7):
        first = svc.offer_face(face(7, q, jitter=0.005))
    svc.end(sale_made=False)
    assert first is not None and not first.returning
    later = service(store)                                     # a new day: gallery loaded from disk
    later.start(consent=True)
    rec = None
    for q in (0.5, 0.6, 0.7):
        rec = later.offer_face(face(7, q, jitter=0.02))
    assert rec is not None and rec.returning and rec.person_id == first.person_id
    assert rec.history is not None and rec.history.full_name == "Meera Nair"
    assert rec.history.phone == "+919800000001"
    assert rec.history.tried == ["Temple Gold Jhumka", "Kundan Gold Choker"]
    later.end(sale_made=False)
    assert kinds(store).count("person.create") == 1 and kinds(store).count("person.update") == 2
    # A stranger is not taken for her.
    other = service(store)
    other.start(consent=True)
    for q in (0.5, 0.6, 0.7):
        rec = other.offer_face(face(99, q))
    assert rec is not None and not rec.returning


def test_retention_deletes_expired_faces_and_their_unsent_rows(tmp_path: Path) -> None:
    clock = [1_800_000_000.0]
    store = EventStore(tmp_path, clock=lambda: clock[0])
    svc = service(store)
    svc.start(consent=True)
    for q in (0.5, 0.6, 0.7):
        svc.offer_face(face(3, q))
    photo = store.db.read("SELECT image_path FROM persons")[0][0]
    assert (tmp_path / photo).exists()
    clock[0] += 29 * 86400
    assert expire(store).local_ids == []
    clock[0] += 2 * 86400
    gone = expire(store)
    assert len(gone.local_ids) == 1 and gone.unsent_dropped == 1
    assert store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 0 and not (tmp_path / photo).exists()
    assert "person.create" not in kinds(store)


def test_forget_by_phone_or_id(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Kavya", phone="+919811111111", consent=True)
    for q in (0.5, 0.6, 0.7):
        rec = svc.offer_face(face(5, q))
    svc.end(sale_made=False)
    assert rec is not None
    svc_before = service(store)
    out = forget(store, phone="+919811111111")
    assert out.local_ids == [rec.person_id] and out.unsent_dropped == 2
    assert store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 0
    assert store.db.read("SELECT customer_name FROM sessions")[0][0] == ""
    assert service(store).gallery.match(face(5).vector) is None
    svc_before.start(consent=True)                              # a running app notices too
    assert svc_before.gallery.match(face(5).vector) is None
    with pytest.raises(ValueError):
        forget(store)


def test_abandoned_sessions_are_ended_after_a_restart(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Left")
    svc.select(JHUMKA)
    again = service(store)                                      # the app restarted
    assert again.recover_abandoned() == 1
    end = events(store)[-1]
    assert end["event_type"] == "session.ended" and "abandoned" in end["payload"]["notes"]  # type: ignore[index]
    assert end["payload"]["items_tried"] == 1  # type: ignore[index]
    assert again.recover_abandoned() == 0


def test_privacy_cli_forgets_by_phone(make_config: object, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk import config
    from kiosk.cli import main

    path = make_config()  # type: ignore[operator]
    cfg = config.load(path)
    store = EventStore(cfg.store.data_dir)
    svc = service(store)
    svc.start(name="Riya", phone="+919822222222", consent=True)
    for q in (0.5, 0.6, 0.7):
        svc.offer_face(face(11, q))
    svc.end(sale_made=False)
    store.close()
    assert main(["--config", str(path), "privacy", "forget", "--phone", "+919822222222"]) == 0
    assert "deleted 1 person record(s)" in capsys.readouterr().out
    assert main(["--config", str(path), "privacy", "forget"]) == 2
    assert main(["--config", str(path), "privacy", "expire"]) == 0
    assert "0 expired" in capsys.readouterr().out


def test_customer_withdraws_consent_during_the_visit(store: EventStore) -> None:
    svc = service(store)
    svc.start(name="Meera", phone="+919833333333", consent=True)
    for q in (0.5, 0.6, 0.7):
        rec = svc.offer_face(face(21, q))
    assert rec is not None and store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 1
    out = svc.forget_current()
    assert out.local_ids == [rec.person_id] and out.unsent_dropped == 1 and not out.cloud_ids
    assert svc.offer_face(face(21, 0.9)) is None               # no more samples this visit
    svc.end(sale_made=False)
    assert store.db.read("SELECT COUNT(*) FROM persons")[0][0] == 0
    assert "person.create" not in kinds(store) and "person.update" not in kinds(store)
    assert svc.gallery.match(face(21).vector) is None
    assert not list((store.data_dir / "persons").glob("*.jpg"))


def test_forgetting_a_person_the_cloud_has_queues_a_blanking_update(store: EventStore) -> None:
    from kiosk.store.outbox import Result
    from kiosk.store.outcomes import Delivered

    svc = service(store)
    svc.start(name="Tara", phone="+919844444444", consent=True)
    for q in (0.5, 0.6, 0.7):
        svc.offer_face(face(31, q))
    svc.end(sale_made=False)
    # The daemon delivered the create; then the customer asks to be forgotten.
    create = next(j for j in store.due_heads(50, 3600) if j.kind == "person.create")
    store.complete([Result(create, Delivered("cloud-31"))])
    out = svc.forget_phone("+919844444444")
    assert out.cloud_ids == ["cloud-31"]
    erase = [j for j in store.due_heads(50, 3600) if j.kind == "person.erase"]
    assert [j.payload for j in erase] == [{"person_id": "cloud-31", "body": ERASE_BODY}]


def test_a_create_delivered_after_the_person_was_forgotten_is_blanked_too(store: EventStore) -> None:
    from kiosk.store.outbox import Result
    from kiosk.store.outcomes import Delivered

    svc = service(store)
    svc.start(name="Isha", phone="+919855555555", consent=True)
    for q in (0.5, 0.6, 0.7):
        svc.offer_face(face(41, q))
    in_flight = next(j for j in store.due_heads(50, 3600) if j.kind == "person.create")
    svc.forget_current()                       # while the daemon's POST is on the wire
    store.complete([Result(in_flight, Delivered("cloud-41"))])
    erase = [j.payload for j in store.due_heads(50, 3600) if j.kind == "person.erase"]
    assert erase == [{"person_id": "cloud-41", "body": ERASE_BODY}]


def test_low_disk_keeps_no_new_face_but_still_recognises(store: EventStore) -> None:
    svc = service(store)
    svc.start(consent=True)
    for q in (0.5, 0.6, 0.7):
        first = svc.offer_face(face(7, q, jitter=0.005))
    svc.end(sale_made=False)
    assert first is not None
    svc.low_disk = True
    svc.start(consent=True)                 # a new customer while the disk is nearly full
    for q in (0.5, 0.6, 0.7):
        assert svc.offer_face(face(42, q)) is None
    svc.end(sale_made=True, sale_amount=100.0)
    assert kinds(store).count("person.create") == 1       # only the first customer's
    ended = [e for e in events(store) if e["event_type"] == "session.ended"]
    assert len(ended) == 2                                 # the visit itself is recorded as usual
    svc.start(consent=True)                 # the known customer is still welcomed back
    rec = None
    for q in (0.5, 0.6, 0.7):
        rec = svc.offer_face(face(7, q, jitter=0.02))
    assert rec is not None and rec.returning
