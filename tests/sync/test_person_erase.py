"""Forgetting a customer already in the person API (seed 001, Django REST framework): the PUT
that blanks them sends blanks, and placeholders a default DRF CharField accepts where blanks are
refused; an erase the server refuses either way is a dead letter the technician sees, never a
silent loss."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from kiosk import config
from kiosk.config import KioskConfig
from kiosk.session.contact import normalise_phone
from kiosk.store import EventStore
from kiosk.store.kinds import ERASE_BLANK, ERASE_PLACEHOLDER, Kind
from kiosk.store.persons import PersonUpdate
from sync import daemon
from sync import status as sync_status
from tests.helpers.sync import drain_until_empty

# A ModelSerializer's CharField for a model CharField(max_length=...) with Django's defaults.
MAX_LENGTH = {"full_name": 255, "phone_number": 20}


def drf_charfield_errors(value: Any, max_length: int) -> list[str]:
    """What DRF's CharField (allow_null=False, allow_blank=False, trim_whitespace=True) says."""
    if value is None:
        return ["This field may not be null."]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ["Not a valid string."]
    text = str(value).strip()
    if text == "":
        return ["This field may not be blank."]
    if len(text) > max_length:
        return [f"Ensure this field has no more than {max_length} characters."]
    return []


@dataclass
class StrictPersonApi:
    """Seed 001 as Django answers it: session login with csrftoken, DRF validation on PUT."""

    phone_validator: Callable[[str], bool] = lambda s: True
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    puts: list[dict[str, Any]] = field(default_factory=list)
    puts_by_person: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/auth/login/":
            return httpx.Response(200, json={"message": "Login successful", "user": {"id": "u1"}},
                                  headers=[("set-cookie", "csrftoken=tok; Path=/"),
                                           ("set-cookie", "sessionid=s1; Path=/; HttpOnly")])
        if request.method == "PUT" and path.startswith("/api/client/person/"):
            if "sessionid=s1" not in request.headers.get("cookie", "") or \
                    request.headers.get("x-csrftoken") != "tok":
                return httpx.Response(403, json={"detail": "CSRF Failed: CSRF token missing."})
            pid = path.removeprefix("/api/client/person/").strip("/")
            body = json.loads(request.content)
            self.puts.append(body)
            self.puts_by_person.setdefault(pid, []).append(body)
            errors = {k: drf_charfield_errors(v, MAX_LENGTH[k]) for k, v in body.items() if k in MAX_LENGTH}
            phone = body.get("phone_number")
            if isinstance(phone, str) and not errors.get("phone_number") and not self.phone_validator(phone):
                errors["phone_number"] = ["Enter a valid phone number."]
            errors = {k: v for k, v in errors.items() if v}
            if errors:
                return httpx.Response(400, json=errors)     # DRF's own shape: {field: [messages]}
            self.people.setdefault(pid, {}).update(body)
            return httpx.Response(200, json={"id": pid, **self.people[pid]})
        return httpx.Response(404, text="<html><h1>Not Found</h1></html>",
                              headers={"content-type": "text/html"})


def test_the_erase_values_pass_a_default_charfield_and_are_nobodys_details() -> None:
    for key, value in ERASE_PLACEHOLDER.items():
        assert drf_charfield_errors(value, MAX_LENGTH[key]) == [], key
    # What the kiosk sent before: both refused, so the customer's details stayed on the server.
    assert drf_charfield_errors(None, 20) and drf_charfield_errors("", 20)
    phone = ERASE_PLACEHOLDER["phone_number"]
    assert phone.startswith("+") and phone[1:].isdigit()            # shaped like seed 001's phones
    assert normalise_phone(phone, "+91") is None                     # but no country code starts with 0
    with pytest.raises(pydantic.ValidationError):
        PersonUpdate(phone_number=phone)                             # the kiosk never records it as one


@pytest.fixture
def strict_store(make_config: Callable[..., Path]) -> Iterator[tuple[KioskConfig, EventStore]]:
    path = make_config(events_url="https://events.example/", person_url="https://persons.example/api/")
    path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 0.5\n")
    cfg = config.load(path)
    store = EventStore(cfg.store.data_dir)
    yield cfg, store
    store.close()


def drain(cfg: KioskConfig, store: EventStore, api: StrictPersonApi) -> None:
    clients = daemon.Clients(cfg, transport=httpx.MockTransport(api))
    syncer = daemon.make_syncer(cfg, store, clients)
    try:
        drain_until_empty(store, syncer, 10)
    finally:
        syncer.close()
        clients.close()


def test_an_erase_is_accepted_by_a_strict_server_even_one_queued_with_nulls_by_an_older_release(
        strict_store: tuple[KioskConfig, EventStore]) -> None:
    cfg, store = strict_store
    api = StrictPersonApi()
    with store.db.write() as conn:
        store.queue_erase(conn, "local-1", "cloud-1")
        store.insert_row(conn, Kind.PERSON_ERASE, "person:local-2", None, None,
                         {"person_id": "cloud-2", "body": {"full_name": None, "phone_number": None}}, None)
    drain(cfg, store, api)
    assert store.count("dead") == 0 and store.count("pending") == 0
    assert api.people == {"cloud-1": ERASE_PLACEHOLDER, "cloud-2": ERASE_PLACEHOLDER}
    assert all(None not in put.values() for put in api.puts)
    # Per person: the two erases may interleave, each one's order is what matters.
    for pid in ("cloud-1", "cloud-2"):
        assert api.puts_by_person[pid] == [ERASE_BLANK, ERASE_PLACEHOLDER], "blank first: it carries nothing"


def test_a_refused_erase_is_a_dead_letter_the_technician_reads(
        strict_store: tuple[KioskConfig, EventStore], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, store = strict_store
    api = StrictPersonApi(phone_validator=lambda s: s[1:2] != "0")   # a server that checks numbers
    with store.db.write() as conn:
        store.queue_erase(conn, "local-1", "cloud-7")
    drain(cfg, store, api)
    assert store.count("dead") == 1 and api.people == {}
    [dead] = store.status().dead_letters
    assert dead["kind"] == Kind.PERSON_ERASE
    assert dead["error"].startswith("a forgotten customer could not be blanked on the person API: HTTP 400")
    assert "Enter a valid phone number" in dead["error"]
    assert sync_status.status(cfg, as_json=False) == 1
    out = capsys.readouterr().out
    assert "person.erase" in out and "a forgotten customer could not be blanked on the person API" in out
