"""Person client against the devcloud's Django-style session + CSRF auth (seed 001)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.store.outcomes import Delivered, Rejected, Retry
from kiosk.store.persons import PersonFields
from sync.clients.persons import PersonClient
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud

VEC = [round(0.001 * i - 0.05, 6) for i in range(128)]
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    p = tmp_path / "p.jpg"
    p.write_bytes(JPEG)
    return p


def client(cloud: LiveCloud, password: str = PASSWORD) -> PersonClient:
    return PersonClient(cloud.person_url, EMAIL, lambda: password, 5.0)


FIELDS = PersonFields(age=25, gender="Female", emotion="Happy", body_type="Normal",
                      entry_time=datetime(2024, 12, 1, 10, 0, tzinfo=UTC)).wire()


def test_create_then_update_with_exact_wire_types(cloud: LiveCloud, photo: Path) -> None:
    pc = client(cloud)
    out = pc.create(FIELDS, VEC, photo, "k1")
    assert isinstance(out, Delivered) and out.response
    person = cloud.app.state.db.get_person(out.response)
    assert person["vector"] == VEC and person["age"] == 25 and person["gender"] == "Female"
    # Sent with milliseconds (.000Z), shown back as DRF renders it.
    assert person["entry_time"] == "2024-12-01T10:00:00Z" and person["exit_time"] is None
    assert (cloud.app.state.db.media / person["image"]).read_bytes() == JPEG
    upd = pc.update(out.response, {"full_name": "Jane Doe", "phone_number": "+6512345678",
                                   "exit_time": "2024-12-01T11:00:00Z"}, "k2")
    assert upd == Delivered(out.response)
    person = cloud.app.state.db.get_person(out.response)
    assert person["full_name"] == "Jane Doe" and person["exit_time"] == "2024-12-01T11:00:00Z"
    assert pc.logins == 1


def test_csrf_header_matches_cookie_on_unsafe_requests(photo: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        if req.url.path == "/api/auth/login/":
            return httpx.Response(200, json={"message": "Login successful"}, headers=[
                ("Set-Cookie", "sessionid=abc; Path=/; HttpOnly"), ("Set-Cookie", "csrftoken=tok1; Path=/")])
        return httpx.Response(201, json={"id": "p-1"})

    pc = PersonClient("https://person.test/api/", EMAIL, lambda: PASSWORD, 5.0,
                      transport=httpx.MockTransport(handler))
    assert pc.create(FIELDS, VEC, photo, "k") == Delivered("p-1")
    login, create = seen
    assert json.loads(login.content) == {"email": EMAIL, "password": PASSWORD}
    assert create.headers["X-CSRFToken"] == "tok1"
    assert create.headers["Referer"] == "https://person.test/api/"     # Django's HTTPS check
    assert "sessionid=abc" in create.headers["Cookie"]
    assert create.headers["Content-Type"].startswith("multipart/form-data")
    body = create.content.decode("latin-1")
    assert 'name="vector"' in body and json.dumps(VEC) in body and 'name="age"\r\n\r\n25' in body
    assert 'name="image"; filename="p.jpg"' in body and "Content-Type: image/jpeg" in body


def test_login_view_that_enforces_csrf_gets_the_cookie_first(photo: Path) -> None:
    calls: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(f"{req.method} {req.url.path} {req.headers.get('X-CSRFToken')}")
        if req.url.path == "/api/auth/login/":
            if req.method == "GET":
                return httpx.Response(200, headers={"Set-Cookie": "csrftoken=pre; Path=/"})
            if req.headers.get("X-CSRFToken") != "pre":
                return httpx.Response(403, json={"detail": "CSRF Failed: CSRF cookie not set."})
            return httpx.Response(200, json={}, headers=[("Set-Cookie", "sessionid=s; Path=/"),
                                                         ("Set-Cookie", "csrftoken=post; Path=/")])
        return httpx.Response(201, json={"id": "p-2"})

    pc = PersonClient("http://person.test/api/", EMAIL, lambda: PASSWORD, 5.0,
                      transport=httpx.MockTransport(handler))
    assert pc.create(FIELDS, VEC, photo, "k") == Delivered("p-2")
    assert calls == ["POST /api/auth/login/ None", "GET /api/auth/login/ None",
                     "POST /api/auth/login/ pre", "POST /api/client/person/ post"]


def test_expired_session_logs_in_again_and_retries_once(cloud: LiveCloud, photo: Path) -> None:
    pc = client(cloud)
    assert isinstance(pc.create(FIELDS, VEC, photo, "a"), Delivered)
    cloud.app.state.sessions.expire_all()
    assert isinstance(pc.create(FIELDS, VEC, photo, "b"), Delivered)
    assert pc.logins == 2 and cloud.counts()["persons"] == 2


def test_rotated_csrf_token_logs_in_again(cloud: LiveCloud, photo: Path) -> None:
    pc = client(cloud)
    out = pc.create(FIELDS, VEC, photo, "a")
    assert isinstance(out, Delivered)
    cloud.app.state.sessions.rotate_all_csrf()
    assert pc.update(out.response, {"emotion": "Neutral"}, "b") == Delivered(out.response)
    assert pc.logins == 2


def test_concurrent_403s_share_one_new_login(cloud: LiveCloud, photo: Path) -> None:
    pc = client(cloud)
    assert isinstance(pc.create(FIELDS, VEC, photo, "first"), Delivered)
    cloud.app.state.sessions.expire_all()
    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(lambda i: pc.create(FIELDS, VEC, photo, f"k{i}"), range(8)))
    assert all(isinstance(o, Delivered) for o in outs)
    assert pc.logins <= 3   # not one per request: the login endpoint allows 10 a minute


def test_wrong_password_is_retried_later_with_a_plain_message(cloud: LiveCloud, photo: Path) -> None:
    out = client(cloud, "nope").create(FIELDS, VEC, photo, "k")
    assert isinstance(out, Retry)
    assert "login refused" in out.error and "Invalid email or password" in out.error
    assert cloud.counts()["persons"] == 0


def test_invalid_data_is_a_dead_letter_with_the_field_named(cloud: LiveCloud, photo: Path) -> None:
    out = client(cloud).create({"age": "old"}, VEC, photo, "k")
    assert isinstance(out, Rejected)
    assert out.error == "HTTP 400: Invalid data provided (age: A valid integer is required.)"


def test_update_of_an_unknown_person_is_a_dead_letter(cloud: LiveCloud) -> None:
    out = client(cloud).update("00000000-0000-4000-8000-00000000dead", {"emotion": "Sad"}, "k")
    assert out == Rejected("HTTP 404: Person not found")
