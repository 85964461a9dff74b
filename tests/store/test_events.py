"""Seed 000 event models: exact envelope, exact types, refusal of bad events at record time."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from kiosk.store.events import (
    PAYLOADS,
    AttireChanged,
    Envelope,
    ImageGenerated,
    ImageShared,
    JewelrySelected,
    SessionEnded,
    SessionStarted,
    envelope,
)

SID = "550e8400-e29b-41d4-a716-446655440000"
IDS = dict(store_id="store_1", seller_id="seller_1", device_id="ipad_1")


def test_six_event_types_of_seed_000() -> None:
    assert set(PAYLOADS) == {"session.started", "jewelry.selected", "image.generated", "image.shared",
                             "session.ended", "attire.changed"}


def test_envelope_is_exactly_the_seed_shape() -> None:
    body = envelope(JewelrySelected(jewelry_id="necklace_11", jewelry_name="Diamond Cascade Necklace",
                                    jewelry_category="necklace", price=45000.0), session_id=SID, **IDS)
    assert body == {
        "event_type": "jewelry.selected", "session_id": SID, "store_id": "store_1",
        "seller_id": "seller_1", "device_id": "ipad_1",
        "payload": {"jewelry_id": "necklace_11", "jewelry_name": "Diamond Cascade Necklace",
                    "jewelry_category": "necklace", "price": 45000.0}}


def test_seed_examples_validate_on_the_wire() -> None:
    examples = {
        "session.started": {"customer_name": "Jane Doe", "customer_phone": "+6512345678",
                            "customer_email": "jane@example.com", "jeweler_id": "abharana",
                            "jeweler_name": "Abharana"},
        "image.generated": {"jewelry_id": "necklace_11", "jewelry_name": "Diamond Cascade Necklace",
                            "attire_id": "saree_red_silk", "attire_name": "Red Silk Saree",
                            "generation_time_ms": 245},
        "image.shared": {"channel": "whatsapp", "destination": "+6512345678", "jewelry_id": "necklace_11",
                         "jewelry_name": "Diamond Cascade Necklace", "jeweler_id": "abharana",
                         "jeweler_name": "Abharana", "share_status": "sent",
                         "message_sid": "SM1234567890abcdef",
                         "image_url": "https://storage.example.com/images/tryon_abc123.jpg"},
        "session.ended": {"duration_seconds": 1845, "items_tried": 8, "items_shared": 3, "sale_made": True,
                          "sale_amount": 125000.00, "purchased_items": ["necklace_11", "earring_05"],
                          "notes": "Customer preferred gold finish"},
        "attire.changed": {"attire_id": "saree_blue_silk", "attire_name": "Blue Silk Saree",
                           "is_original": False},
    }
    for kind, payload in examples.items():
        Envelope.model_validate({"event_type": kind, "session_id": SID, **IDS, "payload": payload})


@pytest.mark.parametrize("make", [
    lambda: JewelrySelected(jewelry_id="x", jewelry_name="X", jewelry_category="ring",
                            price="45000"),  # type: ignore[arg-type]
    lambda: ImageGenerated(jewelry_id="x", jewelry_name="X", attire_id="a", attire_name="A",
                           generation_time_ms=12.5),  # type: ignore[arg-type]
    lambda: ImageShared(channel="sms", destination="+6512345678", jewelry_id="x",  # type: ignore[arg-type]
                        jewelry_name="X", jeweler_id="j", jeweler_name="J", share_status="sent",
                        image_url="https://x/y.jpg"),
    lambda: SessionEnded(duration_seconds=10, items_tried=1, items_shared=0, sale_made=False,
                         sale_amount=500.0, purchased_items=[], notes=""),
    lambda: SessionStarted(customer_phone="12345", jeweler_id="j", jeweler_name="J"),
    lambda: AttireChanged(attire_id="a", attire_name="A", is_original="no"),  # type: ignore[arg-type]
    lambda: AttireChanged(attire_id="a", attire_name="A", is_original=False, extra=1),  # type: ignore[call-arg]
])
def test_bad_events_are_refused_when_recorded(make: object) -> None:
    with pytest.raises(ValidationError):
        make()  # type: ignore[operator]


def test_session_id_must_be_a_canonical_uuid() -> None:
    ev = AttireChanged(attire_id="a", attire_name="A", is_original=True)
    for bad in ("abc", SID.upper(), SID.replace("-", "")):
        with pytest.raises(ValueError, match="session_id must be a UUID"):
            envelope(ev, session_id=bad, **IDS)


def test_absent_customer_fields_are_empty_strings_and_price_is_omitted() -> None:
    started = SessionStarted(jeweler_id="abharana", jeweler_name="Abharana").wire()
    assert started == {"customer_name": "", "customer_phone": "", "customer_email": "",
                       "jeweler_id": "abharana", "jeweler_name": "Abharana"}
    sel = JewelrySelected(jewelry_id="x", jewelry_name="X", jewelry_category="earring").wire()
    assert "price" not in sel
    ended = SessionEnded(duration_seconds=5, items_tried=0, items_shared=0, sale_made=False,
                         sale_amount=0.0, purchased_items=[]).wire()
    assert ended["sale_amount"] == 0.0 and ended["notes"] == ""


def test_envelope_refuses_wrong_payload_for_type() -> None:
    with pytest.raises(ValidationError):
        Envelope.model_validate_json(json.dumps({
            "event_type": "attire.changed", "session_id": SID, "store_id": "s", "seller_id": "s",
            "device_id": "d", "payload": {"attire_id": "a", "attire_name": "A", "is_original": "false"}}),
            strict=True)
