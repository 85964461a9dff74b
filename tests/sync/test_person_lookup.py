"""Person records arrive once on a seed-001 server that ignores Idempotency-Key: after an
ambiguous outcome the kiosk looks the record up before posting again."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.store import EventStore
from kiosk.store.kinds import Kind
from kiosk.store.outbox import Consent
from kiosk.store.outcomes import Delivered, Retry
from kiosk.store.persons import PersonFields, PersonUpdate
from sync.clients.persons import PersonClient
from sync.drain import Syncer

VEC = [0.01 * i for i in range(128)]
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


class ForgetfulServer:
    """Seed 001 as a server that never heard of Idempotency-Key. `fail` decides, per POST,
    whether to answer 500 before storing ("before"), after storing ("after"), cut the
    connection after storing ("drop"), or answer normally (None)."""

    def __init__(self, fail: list[str | None], others: int = 0, list_fails: int = 0):
        self.fail = fail
        self.people: list[dict[str, Any]] = []
        self.posts = 0
        self.lists = 0
        self.list_fails = list_fails
        for i in range(others):
            self.people.append({"id": str(uuid.uuid4()), "age": 30, "gender": "Male", "body_type": "Normal",
                                "entry_time": f"2024-11-01T10:00:{i % 60:02d}.000000Z"})

    def __call__(self, req: httpx.Request) -> httpx.Response:
        path = req.url.path
        if path == "/api/auth/login/":
            return httpx.Response(200, json={"message": "Login successful", "user": {}},
                                  headers=[("Set-Cookie", "sessionid=s1; Path=/"),
                                           ("Set-Cookie", "csrftoken=c1; Path=/")])
        if path == "/api/client/person/" and req.method == "POST":
            self.posts += 1
            mode = self.fail.pop(0) if self.fail else None
            if mode == "before":
                return httpx.Response(500, json={"error": "Internal server error occurred"})
            form = dict(re.findall(rb'name="(\w+)"\r\n\r\n([^\r]*)\r\n', req.content))
            # DRF shows times in its own format: microseconds, Z.
            t = datetime.fromisoformat(form[b"entry_time"].decode().replace("Z", "+00:00"))
            rec = {"id": str(uuid.uuid4()), "entry_time": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                   "age": int(form[b"age"]) if b"age" in form else None,
                   "gender": form.get(b"gender", b"").decode() or None,
                   "body_type": form.get(b"body_type", b"").decode() or None}
            self.people.append(rec)
            if mode == "after":
                return httpx.Response(500, json={"error": "Internal server error occurred"})
            if mode == "drop":
                raise httpx.RemoteProtocolError("peer closed connection without sending a response",
                                                request=req)
            return httpx.Response(201, json=rec)
        if path == "/api/client/persons/":
            self.lists += 1
            if self.list_fails:
                self.list_fails -= 1
                return httpx.Response(503, json={"error": "busy"})
            page, size = int(req.url.params["page"]), int(req.url.params["page_size"])
            pages = max(1, -(-len(self.people) // size))
            if page > pages:
                return httpx.Response(404, json={"detail": "Invalid page."})
            rows = self.people[(page - 1) * size: page * size]
            return httpx.Response(200, json={
                "count": len(self.people), "total_pages": pages, "current_page": page, "page_size": size,
                "has_next": page < pages, "has_previous": page > 1,
                "next_page": page + 1 if page < pages else None,
                "previous_page": page - 1 if page > 1 else None, "results": rows})
        if req.method == "PUT" and path.startswith("/api/client/person/"):
            pid = path.split("/")[-2]
            for p in self.people:
                if p["id"] == pid:
                    p.update(json.loads(req.content))
                    return httpx.Response(200, json=p)
            return httpx.Response(404, json={"error": "Person not found"})
        return httpx.Response(404, html="<h1>Not Found</h1>")


def client(server: ForgetfulServer) -> PersonClient:
    return PersonClient("http://persons.test/api/", "kiosk@example.com", lambda: "pw",
                        transport=httpx.MockTransport(server))


FIELDS = PersonFields(age=27, gender="Female", body_type="Slim",
                      entry_time=datetime(2024, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)).wire()


@pytest.mark.parametrize("mode", ["after", "drop"])
def test_a_lost_answer_after_commit_is_adopted_not_posted_again(tmp_path: Path, mode: str) -> None:
    server = ForgetfulServer([mode])
    image = tmp_path / "p.jpg"
    image.write_bytes(JPEG)
    c = client(server)
    first = c.create(FIELDS, VEC, image, "k")
    assert isinstance(first, Retry) and first.ambiguous
    second = c.create(FIELDS, VEC, image, "k", after_ambiguous=True)
    assert second == Delivered(server.people[0]["id"], adopted=True)
    assert server.posts == 1 and len(server.people) == 1


def test_a_failure_before_commit_is_posted_again_once(tmp_path: Path) -> None:
    server = ForgetfulServer(["before"])
    image = tmp_path / "p.jpg"
    image.write_bytes(JPEG)
    c = client(server)
    assert isinstance(c.create(FIELDS, VEC, image, "k"), Retry)
    out = c.create(FIELDS, VEC, image, "k", after_ambiguous=True)
    assert isinstance(out, Delivered) and not out.adopted
    assert server.posts == 2 and len(server.people) == 1


def test_the_match_is_found_on_the_last_page_among_others(tmp_path: Path) -> None:
    server = ForgetfulServer(["after"], others=250)      # three pages of 100
    image = tmp_path / "p.jpg"
    image.write_bytes(JPEG)
    c = client(server)
    c.create(FIELDS, VEC, image, "k")
    out = c.create(FIELDS, VEC, image, "k", after_ambiguous=True)
    assert isinstance(out, Delivered) and out.adopted and out.response == server.people[-1]["id"]
    assert server.lists == 2, "the newest record is on the last page: read right after the first"
    # Same time, different estimates: another customer, not a match.
    other = FIELDS | {"gender": "Male"}
    out = c.create(other, VEC, image, "k2", after_ambiguous=True)
    assert isinstance(out, Delivered) and not out.adopted and len(server.people) == 252


def test_a_lookup_that_fails_posts_nothing(tmp_path: Path) -> None:
    server = ForgetfulServer(["after"], list_fails=1)
    image = tmp_path / "p.jpg"
    image.write_bytes(JPEG)
    c = client(server)
    c.create(FIELDS, VEC, image, "k")
    out = c.create(FIELDS, VEC, image, "k", after_ambiguous=True)
    assert isinstance(out, Retry) and server.posts == 1
    out = c.create(FIELDS, VEC, image, "k", after_ambiguous=True)
    assert isinstance(out, Delivered) and out.adopted and len(server.people) == 1


def test_through_the_outbox_the_person_arrives_once_and_updates_follow(tmp_path: Path) -> None:
    server = ForgetfulServer(["after", "drop"])
    store = EventStore(tmp_path / "data")
    consent = Consent(at=1.0, version="v1", retention_days=30)
    fields = PersonFields(age=31, gender="Female", body_type="Normal",
                          entry_time=datetime(2024, 12, 1, 10, 0, 5, 700000, tzinfo=UTC))
    local = store.record_person(session_id=str(uuid.uuid4()), vector=VEC, jpeg=JPEG, fields=fields,
                                consent=consent)
    store.update_person(local, PersonUpdate(full_name="Priya Sharma", phone_number="+919812345678"))
    c = client(server)

    def create(job: Any) -> Any:
        return c.create(job.payload, job.vector, job.blob, job.id, after_ambiguous=job.ambiguous)

    def update(job: Any) -> Any:
        return c.update(job.person_cloud_id, job.payload, job.id)

    syncer = Syncer(store, {Kind.PERSON_CREATE: create, Kind.PERSON_UPDATE: update},
                    retry_base_s=0.01, retry_max_s=0.05)
    try:
        for _ in range(5):
            store.make_all_due()
            syncer.drain()
    finally:
        syncer.close()
    assert len(server.people) == 1 and server.people[0]["full_name"] == "Priya Sharma"
    st = store.status()
    assert st.pending_total == 0 and st.dead == 0
    assert st.adopted == {"person.create": 1}
    assert store.db.read("SELECT cloud_id FROM persons")[0][0] == server.people[0]["id"]
    store.close()


def test_a_login_that_failed_on_a_5xx_is_tried_again_soon_a_refused_one_later(tmp_path: Path) -> None:
    import time

    from sync.clients import persons

    answers = [503, 400]

    def handler(req: httpx.Request) -> httpx.Response:
        code = answers.pop(0) if answers else 200
        return httpx.Response(code, json={"error": "busy" if code == 503 else "Invalid email or password"})

    image = tmp_path / "p.jpg"
    image.write_bytes(JPEG)
    c = PersonClient("http://persons.test/api/", "kiosk@example.com", lambda: "pw",
                     transport=httpx.MockTransport(handler))
    assert isinstance(c.create(FIELDS, VEC, image, "k"), Retry)
    assert c._refused_until - time.monotonic() <= persons.LOGIN_RETRY_S
    c._refused_until = 0.0
    assert isinstance(c.create(FIELDS, VEC, image, "k"), Retry)
    assert c._refused_until - time.monotonic() > persons.LOGIN_RETRY_S
