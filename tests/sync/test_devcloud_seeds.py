"""The devcloud checks seeds 000 and 001 as written: everything the seed allows is accepted,
what it forbids is refused with the seed's error shape. Cases quote the seed text."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud, start_cloud

ROOT = Path(__file__).resolve().parents[2]

# The seed's own examples (000_*-events-api.txt), one per event type.
SEED_PAYLOADS: dict[str, dict[str, Any]] = {
    "session.started": {"customer_name": "Jane Doe", "customer_phone": "+6512345678",
                        "customer_email": "jane@example.com", "jeweler_id": "abharana",
                        "jeweler_name": "Abharana"},
    "jewelry.selected": {"jewelry_id": "necklace_11", "jewelry_name": "Diamond Cascade Necklace",
                         "jewelry_category": "necklace", "price": 45000.00},
    "image.generated": {"jewelry_id": "necklace_11", "jewelry_name": "Diamond Cascade Necklace",
                        "attire_id": "saree_red_silk", "attire_name": "Red Silk Saree",
                        "generation_time_ms": 245},
    "image.shared": {"channel": "whatsapp", "destination": "+6512345678", "jewelry_id": "necklace_11",
                     "jewelry_name": "Diamond Cascade Necklace", "jeweler_id": "abharana",
                     "jeweler_name": "Abharana", "share_status": "sent", "message_sid": "SM1234567890abcdef",
                     "image_url": "https://storage.example.com/images/tryon_abc123.jpg"},
    "session.ended": {"duration_seconds": 1845, "items_tried": 8, "items_shared": 3, "sale_made": True,
                      "sale_amount": 125000.00, "purchased_items": ["necklace_11", "earring_05"],
                      "notes": "Customer preferred gold finish"},
    "attire.changed": {"attire_id": "saree_blue_silk", "attire_name": "Blue Silk Saree",
                       "is_original": False},
}
NO_SALE = {"duration_seconds": 60, "items_tried": 1, "items_shared": 0, "sale_made": False,
           "purchased_items": [], "notes": ""}


def event(kind: str, payload: dict[str, Any] | None = None, drop: tuple[str, ...] = (),
          **top: Any) -> dict[str, Any]:
    """The seed's curl example envelope around `kind`'s example payload, changed as asked."""
    p = copy.deepcopy(SEED_PAYLOADS[kind]) | (payload or {})
    for k in drop:
        p.pop(k)
    return {"event_type": kind, "session_id": "550e8400-e29b-41d4-a716-446655440000", "store_id": "store_1",
            "seller_id": "seller_1", "device_id": "ipad_1", "payload": p} | top


ACCEPTED = {
    **{f"the seed's {k} example": event(k) for k in SEED_PAYLOADS},
    "generation_time_ms 245.5 ('number')": event("image.generated", {"generation_time_ms": 245.5}),
    "price left out ('(optional)')": event("jewelry.selected", drop=("price",)),
    "price an integer ('number')": event("jewelry.selected", {"price": 45000}),
    "sale_amount left out without a sale ('(if sale made)')": event("session.ended", NO_SALE,
                                                                    drop=("sale_amount",)),
    "sale_amount 0 without a sale": event("session.ended", NO_SALE | {"sale_amount": 0}),
    "duration and counts as floats ('number')": event("session.ended", {"duration_seconds": 1845.0,
                                                                        "items_tried": 8.0}),
    "message_sid left out ('(if applicable)')": event("image.shared", drop=("message_sid",)),
    "channel email": event("image.shared", {"channel": "email", "destination": "jane@example.com"}),
    "channel airdrop": event("image.shared", {"channel": "airdrop", "destination": ""}),
    "channel other": event("image.shared", {"channel": "other", "destination": "counter QR"}),
    "share_status failed, nothing uploaded": event("image.shared", {"share_status": "failed",
                                                                    "message_sid": "", "image_url": ""}),
    "a failed email share to a bad address": event("image.shared", {
        "channel": "email", "destination": "not-an-email", "share_status": "failed"}),
    "an anonymous customer": event("session.started", {"customer_name": "", "customer_phone": "",
                                                       "customer_email": ""}),
    "session_id in capitals (UUID)": event("attire.changed",
                                           session_id="550E8400-E29B-41D4-A716-446655440000"),
    "is_original true": event("attire.changed", {"is_original": True}),
}
REFUSED = {
    "price as text": (event("jewelry.selected", {"price": "45000.00"}), "payload.price"),
    "price null (optional means left out)": (event("jewelry.selected", {"price": None}), "payload.price"),
    "a negative price": (event("jewelry.selected", {"price": -1}), "payload.price"),
    "generation_time_ms a boolean": (event("image.generated", {"generation_time_ms": True}),
                                     "payload.generation_time_ms"),
    "jewelry_name missing": (event("jewelry.selected", drop=("jewelry_name",)), "payload.jewelry_name"),
    "jewelry_id empty": (event("jewelry.selected", {"jewelry_id": ""}), "payload.jewelry_id"),
    "a field the seed does not list": (event("attire.changed", {"colour": "blue"}), "payload.colour"),
    "an unknown envelope field": (event("attire.changed", timestamp="2024-12-01T10:00:00Z"), "timestamp"),
    "device_id missing": ({k: v for k, v in event("attire.changed").items() if k != "device_id"},
                          "device_id"),
    "an event type the seed does not have": (event("attire.changed", event_type="cart.updated"),
                                             "event_type"),
    "session_id not a UUID": (event("attire.changed", session_id="not-a-uuid"), "Invalid session_id"),
    "session_id without hyphens": (event("attire.changed", session_id=uuid.UUID(int=5).hex),
                                   "Invalid session_id"),
    "session_id a number": (event("attire.changed", session_id=12), "Invalid session_id"),
    "channel sms": (event("image.shared", {"channel": "sms"}), "payload.channel"),
    "share_status delivered": (event("image.shared", {"share_status": "delivered"}), "payload.share_status"),
    "a WhatsApp share to an email address": (event("image.shared", {"destination": "jane@example.com"}),
                                             "payload.destination"),
    "a sent share without an image URL": (event("image.shared", {"image_url": ""}), "payload.image_url"),
    "a relative image_url": (event("image.shared", {"image_url": "images/tryon_abc123.jpg"}),
                             "payload.image_url"),
    "sale_made as text": (event("session.ended", {"sale_made": "true"}), "payload.sale_made"),
    "a sale without its amount": (event("session.ended", drop=("sale_amount",)), "payload.sale_amount"),
    "an amount without a sale": (event("session.ended", NO_SALE | {"sale_amount": 100.0}), "sale_amount"),
    "purchased_items not an array": (event("session.ended", {"purchased_items": "necklace_11"}),
                                     "payload.purchased_items"),
    "purchased_items of numbers": (event("session.ended", {"purchased_items": [11]}),
                                   "payload.purchased_items[0]"),
    "is_original as text": (event("attire.changed", {"is_original": "no"}), "payload.is_original"),
    "a customer phone that is not a phone": (event("session.started", {"customer_phone": "call me"}),
                                             "payload.customer_phone"),
    "payload an array": (event("attire.changed", payload=None) | {"payload": []}, "payload"),
}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCloud]:
    c = start_cloud(tmp_path_factory.mktemp("cloud"))
    yield c
    c.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_seed_000_accepts(cloud: LiveCloud, http: httpx.Client, body: dict[str, Any]) -> None:
    r = http.post(cloud.url + "/v1/events", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ok" and r.json()["event_id"]
    stored = cloud.events(body["session_id"])[-1]
    assert stored["payload"] == body["payload"] and stored["event_type"] == body["event_type"]


@pytest.mark.parametrize(("body", "named"), REFUSED.values(), ids=REFUSED.keys())
def test_seed_000_refuses_with_the_seed_error(cloud: LiveCloud, http: httpx.Client, body: dict[str, Any],
                                              named: str) -> None:
    before = cloud.counts()["events"]
    r = http.post(cloud.url + "/v1/events", json=body)
    assert r.status_code == 400 and set(r.json()) == {"status", "message"}, r.text
    assert r.json()["status"] == "error" and named in r.json()["message"]
    assert cloud.counts()["events"] == before


@pytest.mark.parametrize(("raw", "ctype", "status", "message"), [
    (b"{nope", "application/json", 400, "Invalid JSON body"),
    (json.dumps(event("image.generated")).replace("245", "NaN").encode(), "application/json", 400,
     "NaN is not a JSON number"),
    (b"[]", "application/json", 400, "JSON object"),
    (json.dumps(event("attire.changed")).encode(), "text/plain", 415, "application/json"),
], ids=["broken JSON", "NaN", "not an object", "not JSON"])
def test_seed_000_refuses_bodies(cloud: LiveCloud, http: httpx.Client, raw: bytes, ctype: str, status: int,
                                 message: str) -> None:
    r = http.post(cloud.url + "/v1/events", content=raw, headers={"Content-Type": ctype})
    assert r.status_code == status and r.json()["status"] == "error" and message in r.json()["message"]


# ---- seed 001 --------------------------------------------------------------------------------

VECTOR = json.dumps([round(0.01 * i - 0.6, 3) for i in range(128)])
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)
# The seed's "Create/Update Person with Vector Data" example.
SEED_PERSON = {"vector": VECTOR, "age": "25", "gender": "Female", "emotion": "Happy", "body_type": "Normal",
               "entry_time": "2024-12-01T10:00:00Z", "exit_time": "2024-12-01T11:00:00Z"}
CREATED = {
    "the seed's example": ({}, {"age": 25, "entry_time": "2024-12-01T10:00:00Z"}),
    "times with milliseconds, rendered as DRF does": (
        {"entry_time": "2024-12-01T10:00:00.123Z"}, {"entry_time": "2024-12-01T10:00:00.123000Z"}),
    "a time with an offset, rendered in UTC": ({"entry_time": "2024-12-01T15:30:00+05:30"},
                                               {"entry_time": "2024-12-01T10:00:00Z"}),
    "age 25.0 (DRF IntegerField)": ({"age": "25.0"}, {"age": 25}),
    "only the vector (every other field is optional)": (
        {k: None for k in SEED_PERSON if k != "vector"}, {"age": None, "gender": "", "entry_time": None}),
    "name and phone of the Person model": ({"full_name": "John Doe", "phone_number": "+998901234567"}, {}),
}
CREATE_REFUSED = {
    "a vector of 2 numbers": ({"vector": "[1, 2]"}, "vector"),
    "a vector with NaN": ({"vector": VECTOR.replace("-0.6", "NaN", 1)}, "vector"),
    "age 25.5": ({"age": "25.5"}, "age"),
    "a negative age": ({"age": "-1"}, "age"),
    "entry_time yesterday": ({"entry_time": "yesterday"}, "entry_time"),
    "a time without timezone": ({"exit_time": "2024-12-01T11:00:00"}, "exit_time"),
    "a field the Person model does not have": ({"colour": "red"}, "colour"),
    "a read-only field": ({"organization": str(uuid.uuid4())}, "organization"),
    "a phone number without country code": ({"phone_number": "12345"}, "phone_number"),
    "a gender of 51 characters": ({"gender": "x" * 51}, "gender"),
}


@contextmanager
def logged_in(cloud: LiveCloud) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        r = c.post(cloud.person_url + "auth/login/", json={"email": EMAIL, "password": PASSWORD})
        assert r.status_code == 200
        c.headers["X-CSRFToken"] = c.cookies["csrftoken"]
        yield c


def create(c: httpx.Client, cloud: LiveCloud, fields: dict[str, Any],
           image: bytes | None = JPEG) -> httpx.Response:
    data = {k: v for k, v in (SEED_PERSON | fields).items() if v is not None}
    if image is None:       # still multipart/form-data, as the seed says, just without a file
        return c.post(cloud.person_url + "client/person/", files={k: (None, v) for k, v in data.items()})
    return c.post(cloud.person_url + "client/person/", data=data,
                  files={"image": ("p.jpg", image, "image/jpeg")})


@pytest.mark.parametrize(("fields", "shown"), CREATED.values(), ids=CREATED.keys())
def test_seed_001_creates(cloud: LiveCloud, fields: dict[str, Any], shown: dict[str, Any]) -> None:
    with logged_in(cloud) as c:
        r = create(c, cloud, fields)
        assert r.status_code == 201, r.text
        body = r.json()
        assert set(body) == {"id", "vector", "image", "age", "gender", "emotion", "body_type", "entry_time",
                             "exit_time"}
        assert len(body["vector"]) == 128 and body["image"].startswith("people/")
        listed = next(p for p in c.get(cloud.person_url + "client/persons/",
                                       params={"page_size": 100}).json()["results"] if p["id"] == body["id"])
    for k, v in shown.items():
        assert listed[k] == v, k


def test_seed_001_create_without_image(cloud: LiveCloud) -> None:
    with logged_in(cloud) as c:
        r = create(c, cloud, {}, image=None)
    assert r.status_code == 201 and r.json()["image"] is None


@pytest.mark.parametrize(("fields", "named"), CREATE_REFUSED.values(), ids=CREATE_REFUSED.keys())
def test_seed_001_refuses_with_error_and_details(cloud: LiveCloud, fields: dict[str, Any],
                                                named: str) -> None:
    before = cloud.counts()["persons"]
    with logged_in(cloud) as c:
        r = create(c, cloud, fields)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "Invalid data provided" and list(r.json()["details"]) == [named]
    assert isinstance(r.json()["details"][named], list) and r.json()["details"][named][0]
    assert cloud.counts()["persons"] == before


def test_seed_001_refuses_what_is_not_an_image_or_not_multipart(cloud: LiveCloud) -> None:
    with logged_in(cloud) as c:
        r = create(c, cloud, {}, image=b"GIF89a not a photo")
        assert r.status_code == 400 and list(r.json()["details"]) == ["image"]
        r = c.post(cloud.person_url + "client/person/", json={"vector": json.loads(VECTOR)})
        assert r.status_code == 415 and "application/json" in r.json()["detail"]


@pytest.mark.parametrize(("body", "status", "shown"), [
    ({"full_name": "John Doe", "phone_number": "+998901234567", "age": 30, "gender": "Male",
      "emotion": "Neutral", "body_type": "Athletic"}, 200, {"full_name": "John Doe", "age": 30}),
    ({"exit_time": "2024-12-01T11:00:00.250Z"}, 200, {"exit_time": "2024-12-01T11:00:00.250000Z"}),
    ({"full_name": "", "phone_number": ""}, 200, {"full_name": "", "phone_number": ""}),
    ({"age": None}, 200, {"age": None}),
    ({"full_name": None}, 400, {"full_name": "This field may not be null."}),
    ({"phone_number": None}, 400, {"phone_number": "This field may not be null."}),
    ({"age": 30.5}, 400, {"age": "A valid integer is required."}),
    ({"image": "people/other.jpg"}, 400, {"image": "The submitted data was not a file"}),
    ({"id": str(uuid.uuid4())}, 400, {"id": "read-only"}),
], ids=["the seed's PUT example", "exit time", "blanked (a default DRF CharField takes '')",
        "age cleared (nullable)", "full_name null", "phone_number null", "age 30.5", "image as text",
        "id"])
def test_seed_001_put(cloud: LiveCloud, body: dict[str, Any], status: int, shown: dict[str, Any]) -> None:
    with logged_in(cloud) as c:
        pid = create(c, cloud, {"full_name": "Before", "phone_number": "+6512345678"}).json()["id"]
        r = c.put(cloud.person_url + f"client/person/{pid}/", json=body)
    assert r.status_code == status, r.text
    if status == 200:
        for k, v in shown.items():
            assert r.json()[k] == v
            assert cloud.app.state.db.get_person(pid)[k] == v
    else:
        assert r.json()["error"] == "Invalid data provided"
        for k, v in shown.items():
            assert v in r.json()["details"][k][0]
        assert cloud.app.state.db.get_person(pid)["full_name"] == "Before"


def test_seed_001_put_wants_json(cloud: LiveCloud) -> None:
    with logged_in(cloud) as c:
        pid = create(c, cloud, {}).json()["id"]
        r = c.put(cloud.person_url + f"client/person/{pid}/", data={"full_name": "X"})
        assert r.status_code == 415
        r = c.put(cloud.person_url + f"client/person/{uuid.uuid4()}/", json={"full_name": "X"})
        assert r.status_code == 404 and r.json() == {"error": "Person not found"}


@pytest.mark.slow
def test_the_devcloud_does_not_use_the_kiosk_event_models() -> None:
    code = "import sys, sync.devcloud.app; print('kiosk.store.events' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
