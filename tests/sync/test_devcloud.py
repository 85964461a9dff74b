"""The devcloud: dedup, auth, pagination, HQ page and fault flags (the seed-by-seed accept/refuse
cases are in test_devcloud_seeds.py)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud

SID = str(uuid.uuid4())


def envelope(**payload_over: object) -> dict[str, object]:
    return {"event_type": "jewelry.selected", "session_id": SID, "store_id": "store_1",
            "seller_id": "seller_1", "device_id": "ipad_1",
            "payload": {"jewelry_id": "necklace_11", "jewelry_name": "Diamond Cascade Necklace",
                        "jewelry_category": "necklace", "price": 45000.0} | payload_over}


def test_event_accepted_with_event_id_and_deduplicated_by_key(cloud: LiveCloud, http: httpx.Client) -> None:
    url = cloud.url + "/v1/events"
    r1 = http.post(url, json=envelope(), headers={"Idempotency-Key": "abc"})
    r2 = http.post(url, json=envelope(), headers={"Idempotency-Key": "abc"})
    assert r1.status_code == 200 and r1.json()["status"] == "ok" and r1.json()["event_id"].startswith("evt_")
    assert r2.json() == r1.json()
    assert cloud.counts()["events"] == 1 and cloud.counts()["event_repeats"] == 1


def test_bad_events_get_the_seed_error_shape(cloud: LiveCloud, http: httpx.Client) -> None:
    url = cloud.url + "/v1/events"
    cases = [envelope(price="45000"), envelope() | {"session_id": "not-a-uuid"},
             envelope() | {"event_type": "cart.updated"}, envelope() | {"extra": 1}]
    for body in cases:
        r = http.post(url, json=body)
        assert r.status_code == 400, body
        assert r.json()["status"] == "error" and r.json()["message"]
    r = http.post(url, content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json() == {"status": "error", "message": "Invalid JSON body"}
    assert cloud.counts()["events"] == 0


def login(http: httpx.Client, cloud: LiveCloud) -> str:
    r = http.post(cloud.person_url + "auth/login/", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 200 and r.json()["message"] == "Login successful"
    assert set(r.json()["user"]) == {"id", "email", "first_name", "last_name", "is_verified"}
    return str(http.cookies["csrftoken"])


def test_person_api_needs_session_and_csrf(cloud: LiveCloud, http: httpx.Client) -> None:
    url = cloud.person_url + "client/person/"
    form = {"vector": str([0.5] * 128), "age": "30"}
    r = http.post(url, data=form)
    assert r.status_code == 403 and r.json() == {"detail": "Authentication credentials were not provided."}
    token = login(http, cloud)
    r = http.post(url, data=form, files={"image": ("a.jpg", b"\xff\xd8xx", "image/jpeg")})
    assert r.status_code == 403 and r.json()["detail"] == "CSRF Failed: CSRF token missing."
    r = http.post(url, data=form, headers={"X-CSRFToken": "forged"},
                  files={"image": ("a.jpg", b"\xff\xd8xx", "image/jpeg")})
    assert r.status_code == 403 and "incorrect" in r.json()["detail"]
    r = http.post(url, data=form, headers={"X-CSRFToken": token},
                  files={"image": ("a.jpg", b"\xff\xd8xx", "image/jpeg")})
    assert r.status_code == 201
    assert set(r.json()) == {"id", "vector", "image", "age", "gender", "emotion", "body_type",
                             "entry_time", "exit_time"}
    assert r.json()["age"] == 30 and r.json()["image"].startswith("people/")
    assert http.get(cloud.url + "/media/" + r.json()["image"]).content == b"\xff\xd8xx"


def test_person_field_errors_use_error_and_details(cloud: LiveCloud, http: httpx.Client) -> None:
    token = login(http, cloud)
    r = http.post(cloud.person_url + "client/person/", headers={"X-CSRFToken": token},
                  data={"vector": "[1, 2]", "entry_time": "yesterday", "colour": "red"},
                  files={"image": ("a.jpg", b"\xff\xd8", "image/jpeg")})
    assert r.status_code == 400
    assert r.json()["error"] == "Invalid data provided"
    assert set(r.json()["details"]) == {"vector", "entry_time", "colour"}


def test_persons_list_has_the_seed_pagination_shape(cloud: LiveCloud, http: httpx.Client) -> None:
    token = login(http, cloud)
    for _ in range(3):
        http.post(cloud.person_url + "client/person/", headers={"X-CSRFToken": token},
                  data={"vector": str([0.0] * 128)}, files={"image": ("a.jpg", b"\xff\xd8", "image/jpeg")})
    r = http.get(cloud.person_url + "client/persons/", params={"page": 2, "page_size": 2})
    body = r.json()
    assert {k: body[k] for k in body if k != "results"} == {
        "count": 3, "total_pages": 2, "current_page": 2, "page_size": 2, "has_next": False,
        "has_previous": True, "next_page": None, "previous_page": 1}
    assert len(body["results"]) == 1 and "vector" not in body["results"][0]
    pid = body["results"][0]["id"]
    detail = http.get(cloud.person_url + f"client/person/{pid}/detail/").json()
    assert detail["id"] == pid and detail["carts"] == []


@pytest.mark.slow
def test_hq_page_lists_sessions_and_funnel(cloud: LiveCloud, http: httpx.Client) -> None:
    url = cloud.url + "/v1/events"
    http.post(url, json={**envelope(), "event_type": "session.started",
                         "payload": {"customer_name": "Jane <b>Doe</b>", "customer_phone": "",
                                     "customer_email": "", "jeweler_id": "abharana",
                                     "jeweler_name": "Abharana"}})
    http.post(url, json=envelope())
    http.post(url, json={**envelope(), "event_type": "session.ended",
                         "payload": {"duration_seconds": 60, "items_tried": 1, "items_shared": 0,
                                     "sale_made": True, "sale_amount": 45000.0,
                                     "purchased_items": ["necklace_11"], "notes": ""}})
    page = http.get(cloud.url + "/").text
    assert "Jane &lt;b&gt;Doe&lt;/b&gt;" in page          # escaped, never raw HTML
    assert "Diamond Cascade Necklace" in page and "sale 45,000 (currency not known)" in page
    assert "<td class=n>1</td><td class=n>0</td><td class=n>0</td><td class=n>1</td>" in page


def test_fault_flags(cloud: LiveCloud, http: httpx.Client) -> None:
    url = cloud.url + "/v1/events"
    cloud.faults.update({"fail_rate": 1.0})
    r = http.post(url, json=envelope())
    assert r.status_code == 500 and r.json()["status"] == "error"
    cloud.faults.update({"fail_rate": 0.0, "drop_rate": 1.0})
    try:
        http.post(url, json=envelope(), headers={"Idempotency-Key": "dropped"})
        raise AssertionError("the answer should have been cut off")
    except httpx.RemoteProtocolError:
        pass
    assert cloud.counts()["events"] == 1       # processed, answer lost
    cloud.faults.update({"drop_rate": 0.0, "rate_limit": 2})
    codes = [http.post(url, json=envelope()).status_code for _ in range(5)]
    assert 429 in codes
    r = next(r for r in (http.post(url, json=envelope()) for _ in range(5)) if r.status_code == 429)
    assert int(r.headers["Retry-After"]) >= 1
    cloud.faults.update({"rate_limit": 0, "slow_ms": 300})
    t0 = time.monotonic()
    http.post(url, json=envelope())
    assert time.monotonic() - t0 >= 0.3
    assert http.get(cloud.url + "/_devcloud/faults").json()["slow_ms"] == 300


def test_ignore_idempotency_stores_every_post_and_counts_the_duplicates(cloud: LiveCloud,
                                                                         http: httpx.Client) -> None:
    r = http.post(cloud.url + "/_devcloud/faults", json={"ignore_idempotency": True})
    assert r.status_code == 200 and r.json()["ignore_idempotency"] is True
    url = cloud.url + "/v1/events"
    first = http.post(url, json=envelope(), headers={"Idempotency-Key": "same"}).json()
    second = http.post(url, json=envelope(), headers={"Idempotency-Key": "same"}).json()
    http.post(url, json=envelope(price=1.0), headers={"Idempotency-Key": "other"})
    assert first["event_id"] != second["event_id"]
    token = login(http, cloud)
    form = {"vector": str([0.5] * 128), "age": "30"}
    photo = {"image": ("a.jpg", b"\xff\xd8xx", "image/jpeg")}
    ids = {http.post(cloud.person_url + "client/person/", data=form, files=photo,
                     headers={"X-CSRFToken": token, "Idempotency-Key": "p1"}).json()["id"] for _ in range(2)}
    assert len(ids) == 2
    stats = http.get(cloud.url + "/_devcloud/stats").json()
    assert stats["events"] == 3 and stats["event_duplicates"] == 1 and stats["event_repeats"] == 0
    assert stats["persons"] == 2 and stats["person_duplicates"] == 1
    assert [e["key_seen"] for e in cloud.events()] == ["same", "same", "other"]
    assert {e["idempotency_key"] for e in cloud.events()} == {None}


def test_duplicates_without_a_key_are_counted_by_content(cloud: LiveCloud, http: httpx.Client) -> None:
    for body in (envelope(), envelope(), envelope(price=2.0)):
        http.post(cloud.url + "/v1/events", json=body)
    assert cloud.counts()["event_duplicates"] == 1


def test_captive_portal_answers_302_with_html_then_lets_traffic_through(cloud: LiveCloud,
                                                                        http: httpx.Client) -> None:
    cloud.faults.update({"captive_portal": 3})
    answers = [http.post(cloud.url + "/v1/events", json=envelope()) for _ in range(4)]
    assert [r.status_code for r in answers] == [302, 302, 302, 200]
    portal = answers[0]
    assert portal.headers["location"] == cloud.url + "/portal/login"
    assert portal.headers["content-type"].startswith("text/html") and "<form" in portal.text
    assert cloud.counts()["events"] == 1                 # the portal never passed them on
    page = http.get(portal.headers["location"])
    assert page.status_code == 200 and "Wi-Fi" in page.text
    assert http.get(cloud.url + "/_devcloud/stats").json()["faults"]["captive_portal_302"] == 3


def test_commit_then_500_keeps_the_work_and_answers_a_seed_error(cloud: LiveCloud,
                                                                 http: httpx.Client) -> None:
    cloud.faults.update({"commit_fail_rate": 1.0})
    r = http.post(cloud.url + "/v1/events", json=envelope())
    assert r.status_code == 500
    assert r.json() == {"status": "error", "message": "Internal server error occurred"}
    # The login "fails" too (its session exists on the server, the kiosk never got the cookie).
    r = http.post(cloud.person_url + "auth/login/", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 500 and r.json() == {"error": "Internal server error occurred"}
    assert cloud.counts()["events"] == 1
    assert http.get(cloud.url + "/_devcloud/stats").json()["faults"]["commit_then_500"] == 2


def test_fault_switches_want_real_booleans(cloud: LiveCloud, http: httpx.Client) -> None:
    r = http.post(cloud.url + "/_devcloud/faults", json={"ignore_idempotency": "false"})
    assert r.status_code == 400 and "true or false" in r.json()["error"]
    assert cloud.faults.ignore_idempotency is False
