"""The kiosk's real clients against real Django + DRF (+ SimpleJWT) servers (tests/realservers/).

Seed 001 (persons, session auth) and seed 002 (catalogue, JWT) are Django REST framework
services. These servers are built from the frameworks themselves, configured as such a project
usually is: sessions that expire after a few seconds, CSRF enforced by DRF's
SessionAuthentication, ModelSerializers with default CharFields (null and "" refused), the
seed-001 pagination shape, 10 logins a minute, SimpleJWT access tokens of 3 s with rotating and
blacklisted refresh tokens, ImageFields listed as relative paths, APPEND_SLASH and DEBUG=False.
"""

from __future__ import annotations

import ast
import math
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk import config
from kiosk.catalog import cache
from kiosk.config import KioskConfig
from kiosk.store import DeviceIds, EventStore, privacy
from kiosk.store.db import Database
from kiosk.store.events import SessionStarted
from kiosk.store.outbox import Consent
from kiosk.store.outcomes import Delivered, Rejected, Retry
from kiosk.store.persons import PersonFields, PersonUpdate
from sync import catalog_import, daemon
from sync.clients.commerce import CommerceClient, CommerceError
from sync.clients.persons import PersonClient
from sync.devcloud.commerce import SELLER_LOGIN
from tests.helpers.sync import syncing  # the daemon's own parts, as `kiosk sync` builds them
from tests.realservers.server import EMAIL, PASSWORD, RealServers, start
from tests.realservers.settings import ACCESS_S, LOGINS_PER_MIN, SESSION_S

ROOT = Path(__file__).resolve().parents[2]
FACES = sorted((ROOT / "tests" / "fixtures" / "faces").glob("*/1.jpg"))
VISITS_START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
IDS = DeviceIds("store_1", "seller_1", "ipad_1")
# Django's static file view under ASGI (the media the servers serve) says it is not for production.
# Real Django servers started for the module: slow, as every end-to-end run here is.
pytestmark = [pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
              pytest.mark.slow]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServers]:
    s = start(tmp_path_factory.mktemp("django"))
    yield s
    s.stop()


@pytest.fixture
def real(servers: RealServers) -> RealServers:
    servers.reset()
    return servers


@pytest.fixture
def cfg(make_config: Callable[..., Path], real: RealServers) -> KioskConfig:
    """A kiosk config on the Django servers, with fast retries (as tests/sync/conftest.py's)."""
    path = make_config(events_url=real.persons_root, person_url=real.person_url)
    path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 1.0\n")
    return config.load(path)


@pytest.fixture
def store(cfg: KioskConfig) -> Iterator[EventStore]:
    s = EventStore(cfg.store.data_dir)
    yield s
    s.close()


def vector(i: int) -> list[float]:
    return [round(math.sin(i * 7 + k), 6) for k in range(128)]


def entry(i: int) -> datetime:
    return VISITS_START + timedelta(minutes=7 * i, milliseconds=125 * i)


def fields(i: int) -> PersonFields:
    return PersonFields(age=20 + i, gender=("Female", "Male")[i % 2], emotion="Happy", body_type="Normal",
                        entry_time=entry(i))


def visit(store: EventStore, i: int) -> str:
    """A consented customer's person record, as the app records it (a real face photo)."""
    return store.record_person(session_id=str(uuid.uuid4()), vector=vector(i),
                               jpeg=FACES[i % len(FACES)].read_bytes(), fields=fields(i),
                               consent=Consent(time.time(), "v1", 30))


def cloud_ids(store: EventStore) -> dict[str, str]:
    return {r["local_id"]: r["cloud_id"] for r in store.db.read("SELECT local_id, cloud_id FROM persons")}


def dead_letters(store: EventStore) -> list[str]:
    return [f"{r['kind']}: {r['last_error']}" for r in
            store.db.read("SELECT kind, last_error FROM outbox WHERE state = 'dead'")]


def by_id(real: RealServers) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in real.persons()}


# ---- seed 001: persons through the sync daemon -------------------------------------------------

def test_every_consented_person_arrives_once_through_expiring_sessions(
        real: RealServers, cfg: KioskConfig, store: EventStore) -> None:
    with syncing(cfg, store) as (clients, syncer):
        first = [visit(store, i) for i in range(6)]
        daemon.drain_once(store, syncer)
        assert len(real.persons()) == 6, dead_letters(store)
        time.sleep(SESSION_S + 0.5)             # every session cookie the kiosk holds has run out
        for i, local in enumerate(first):        # the visits end: name, phone, exit time
            store.update_person(local, PersonUpdate(full_name=f"Customer {i}", phone_number=f"+9198{i:08d}",
                                                    exit_time=entry(i) + timedelta(minutes=5)))
        later = [visit(store, i) for i in range(6, 12)]
        daemon.drain_once(store, syncer)
        logins = clients.persons.logins
    assert dead_letters(store) == [] and store.count("pending") == 0
    on_server, ids = by_id(real), cloud_ids(store)
    assert len(on_server) == 12 and set(ids.values()) == set(on_server)
    for i, local in enumerate(first + later):
        p = on_server[ids[local]]
        assert (p["age"], p["gender"], p["emotion"], p["body_type"]) == (20 + i, ("Female", "Male")[i % 2],
                                                                         "Happy", "Normal")
        assert p["vector"] == vector(i) and abs(p["entry_time"] - entry(i)) < timedelta(seconds=1)
        assert (real.media / p["image"]).read_bytes() == FACES[i % len(FACES)].read_bytes()
        if i < 6:
            assert (p["full_name"], p["phone_number"]) == (f"Customer {i}", f"+9198{i:08d}")
            assert abs(p["exit_time"] - entry(i) - timedelta(minutes=5)) < timedelta(seconds=1)
        else:
            assert p["full_name"] is None and p["exit_time"] is None
    hits = real.hits("persons")
    assert any(h.status == 403 for h in hits) and not any(h.status == 401 for h in hits)
    assert logins == 2          # one at the start, one after the sessions expired: not one per request


def test_a_person_saved_before_a_500_is_not_created_twice(
        real: RealServers, cfg: KioskConfig, store: EventStore) -> None:
    with syncing(cfg, store) as (_clients, syncer):
        for i in range(4):
            visit(store, i)
        real.fail_broadcasts(2)        # saved, then "person_joined" fails: 500 after the commit
        syncer.round()
        assert sum(h.status == 500 for h in real.hits("persons")) == 2
        time.sleep(SESSION_S + 0.5)    # the look-up, too, starts on an expired session
        daemon.drain_once(store, syncer)
    assert dead_letters(store) == [] and store.count("pending") == 0
    on_server, ids = by_id(real), cloud_ids(store)
    assert len(on_server) == 4, f"{len(on_server) - 4} duplicate person record(s) on the server"
    assert set(ids.values()) == set(on_server)


def test_forgetting_a_customer_blanks_them_on_the_server(
        real: RealServers, cfg: KioskConfig, store: EventStore) -> None:
    with syncing(cfg, store) as (_clients, syncer):
        local = visit(store, 0)
        store.update_person(local, PersonUpdate(full_name="Nila Rao", phone_number="+919866666666"))
        daemon.drain_once(store, syncer)
        cloud_id = cloud_ids(store)[local]
        assert by_id(real)[cloud_id]["phone_number"] == "+919866666666"
        assert privacy.forget(store, phone="+919866666666").cloud_ids == [cloud_id]
        daemon.drain_once(store, syncer)
    assert dead_letters(store) == [] and store.count("pending") == 0
    p = by_id(real)[cloud_id]
    assert p["full_name"] != "Nila Rao" and p["phone_number"] != "+919866666666"


# ---- what such a server really does ------------------------------------------------------------

def test_a_post_answered_by_append_slash_301_stays_pending_and_is_not_followed(
        real: RealServers, cfg: KioskConfig, store: EventStore) -> None:
    # Seed 000 says `POST /v1/events`; a Django project routes `v1/events/`, so CommonMiddleware
    # answers the kiosk's POST with a 301 (DEBUG=False; the body would be lost on the way).
    with syncing(cfg, store) as (_clients, syncer):
        for _ in range(3):
            started = SessionStarted(customer_name="Jane Doe", jeweler_id="abharana", jeweler_name="Abharana")
            store.record(started, session_id=str(uuid.uuid4()), ids=IDS)
        daemon.drain_once(store, syncer)
    assert {(h.method, h.path, h.status) for h in real.hits()} == {("POST", "/v1/events", 301)}
    assert real.events() == []
    assert dead_letters(store) == [] and store.count("pending") == 3
    assert all("/v1/events/" in r[0] for r in store.db.read("SELECT last_error FROM outbox"))


@pytest.fixture
def photo() -> Path:
    return FACES[0]


def person_client(real: RealServers, url: str | None = None) -> PersonClient:
    return PersonClient(url or real.person_url, EMAIL, lambda: PASSWORD, 5.0)


def test_an_ended_session_is_a_403_and_the_kiosk_logs_in_again(real: RealServers, photo: Path) -> None:
    pc = person_client(real)
    out = pc.create(fields(0).wire(), vector(0), photo, "k1")
    assert isinstance(out, Delivered) and out.response
    real.end_sessions()               # the cookie is still sent, the server no longer knows it
    seen = len(real.hits())
    assert pc.update(out.response, {"full_name": "Jane Doe"}, "k2") == Delivered(out.response)
    put = f"/api/client/person/{out.response}/"
    assert [(h.method, h.path, h.status) for h in real.hits()[seen:]] == [
        ("PUT", put, 403), ("POST", "/api/auth/login/", 200), ("PUT", put, 200)]
    assert pc.logins == 2 and by_id(real)[out.response]["full_name"] == "Jane Doe"
    pc.close()


def test_the_login_limit_is_a_pause_not_a_dead_letter(real: RealServers, photo: Path) -> None:
    login = {"email": EMAIL, "password": PASSWORD}
    with httpx.Client(timeout=5) as h:
        for _ in range(LOGINS_PER_MIN):
            assert h.post(real.person_url + "auth/login/", json=login).status_code == 200
        over = h.post(real.person_url + "auth/login/", json=login)
    assert over.status_code == 429 and 0 < int(over.headers["Retry-After"]) <= 60
    pc = person_client(real)
    out = pc.create(fields(0).wire(), vector(0), photo, "k1")
    assert isinstance(out, Retry) and out.throttled, out
    assert out.after_s is not None and 0 < out.after_s <= 60
    seen = len(real.hits())
    assert isinstance(pc.create(fields(0).wire(), vector(0), photo, "k1"), Retry)
    assert len(real.hits()) == seen            # the pause is kept: the limit is not hammered
    assert real.persons() == []
    pc.close()


def test_a_json_body_where_multipart_is_expected_is_415_and_the_kiosk_sends_multipart(
        real: RealServers, photo: Path) -> None:
    with httpx.Client(timeout=5) as h:
        assert h.post(real.person_url + "auth/login/", json={"email": EMAIL, "password": PASSWORD}).is_success
        r = h.post(real.person_url + "client/person/", json={"age": 30},
                   headers={"X-CSRFToken": h.cookies["csrftoken"]})
    assert r.status_code == 415 and "Unsupported media type" in r.json()["detail"]
    pc = person_client(real)
    out = pc.create(fields(3).wire(), vector(3), photo, "k1")
    pc.close()
    assert isinstance(out, Delivered)
    p = by_id(real)[str(out.response)]
    assert p["vector"] == vector(3) and p["age"] == 23 and p["image"].startswith("people/")
    served = httpx.get(f"{real.persons_root}/media/{p['image']}", timeout=5)
    assert served.status_code == 200 and served.content == photo.read_bytes()


def test_an_unknown_person_is_the_seed_404_as_a_dead_letter(real: RealServers) -> None:
    pc = person_client(real)
    out = pc.update(str(uuid.uuid4()), {"emotion": "Sad"}, "k")
    pc.close()
    assert out == Rejected("HTTP 404: Person not found")


def test_django_html_404_pages_become_a_readable_error(real: RealServers, photo: Path) -> None:
    # DEBUG=False: a URL no pattern matches is Django's HTML "Not Found" page, not DRF JSON.
    pc = person_client(real, real.persons_root + "/api/v2/")
    out = pc.create(fields(0).wire(), vector(0), photo, "k")
    pc.close()
    cc = CommerceClient(real.commerce_bg.url + "/api/v2/")
    with pytest.raises(CommerceError) as raised:
        cc.vendor(7)
    cc.close()
    for message in (out.error if isinstance(out, Retry | Rejected) else "", str(raised.value)):
        assert "404" in message and "Not Found" in message, message
        assert "<" not in message, message


# ---- seed 002: the catalogue import --------------------------------------------------------------

@pytest.fixture
def commerce(real: RealServers) -> Iterator[CommerceClient]:
    c = CommerceClient(real.commerce_url, SELLER_LOGIN[0], lambda: SELLER_LOGIN[1])
    yield c
    c.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(tmp_path / "data")
    yield d
    d.close()


def test_every_product_imports_with_relative_image_urls_and_an_expired_token(
        real: RealServers, commerce: CommerceClient, db: Database) -> None:
    listing = httpx.get(real.commerce_url + "products/public/list/", timeout=5).json()
    assert listing and all(im["image"].startswith("/media/products/") for p in listing for im in p["images"])
    assert commerce.own_products()                   # logged in; the import's draft fetch comes later
    time.sleep(ACCESS_S + 0.3)
    report = catalog_import.run(db, commerce, [7, 9], include_drafts=True)
    assert report.skipped == [] and report.errors == []
    imported = db.read("SELECT remote_id FROM catalog_pieces")
    assert sorted(int(r["remote_id"]) for r in imported) == real.product_ids
    assert len(report.added) == len(real.product_ids) and commerce.logins == 1 and commerce.refreshes == 1
    catalog = cache.load(db.data_dir)
    assert all(p.sprite().shape[2] == 4 for p in catalog.listed() if p.jeweler_id.startswith("vendor-"))
    assert all(j.logo_path is not None and j.logo_path.is_file() for j in cache.jewelers(db.data_dir))
    again = catalog_import.run(db, commerce, [7, 9], include_drafts=True)
    assert again.unchanged == len(real.product_ids) and again.downloads == 0


def test_a_rotated_refresh_token_is_the_one_used_next(real: RealServers, commerce: CommerceClient) -> None:
    drafts = commerce.own_products(status="draft")
    assert [p["id"] for p in drafts] == [900]
    for _ in range(2):
        time.sleep(ACCESS_S + 0.3)
        assert [p["id"] for p in commerce.own_products(status="draft")] == [900]
    refreshes = [h.status for h in real.hits("commerce") if h.path == "/api/auth/token/refresh/"]
    assert refreshes == [200, 200] and real.blacklisted() == 2
    assert commerce.logins == 1


def test_an_expired_access_token_is_401_even_on_a_public_endpoint(
        real: RealServers, commerce: CommerceClient) -> None:
    url = real.commerce_url + "products/public/list/"
    expired = httpx.get(url, headers={"Authorization": f"Bearer {real.expired_access_token()}"}, timeout=5)
    assert expired.status_code == 401 and expired.json()["code"] == "token_not_valid"
    assert httpx.get(url, timeout=5).status_code == 200
    # The kiosk's public reads carry no token, so a stale one can never break them.
    info, products = commerce.vendor(7)
    assert info["company_name"] == "Abharana Jewellers" and products
    assert not any(h.bearer for h in real.hits("commerce") if "/public/" in h.path and h.status == 200)


def test_the_product_never_imports_the_test_frameworks() -> None:
    banned = ("django", "rest_framework", "rest_framework_simplejwt", "tests")
    found = []
    for path in sorted([*(ROOT / "kiosk").rglob("*.py"), *(ROOT / "sync").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in banned]
    assert found == []
