"""Catalogue import from the devcloud's seed-002 endpoints into the local catalogue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk import cli
from kiosk.catalog import cache
from kiosk.store.db import Database
from sync import catalog_import
from sync.clients.commerce import CommerceClient, CommerceError
from sync.devcloud.commerce import SELLER_LOGIN
from tests.fakes.cloud import FakeClients
from tests.helpers.cloud import LiveCloud

pytestmark = pytest.mark.slow     # catalogue imports from the devcloud, photos prepared


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(tmp_path / "data")
    yield d
    d.close()


@pytest.fixture
def client(cloud: LiveCloud) -> Iterator[CommerceClient]:
    c = CommerceClient(cloud.url + "/commerce/api/", SELLER_LOGIN[0], lambda: SELLER_LOGIN[1])
    yield c
    c.close()


def change(cloud: LiveCloud, **what: list[int]) -> None:
    httpx.post(cloud.url + "/_devcloud/commerce", json=what, timeout=10).raise_for_status()


def media_gets(cloud: LiveCloud) -> int:
    return sum(1 for r in cloud.requests() if "/media/products/" in r["path"])


def test_import_fills_the_catalogue_then_a_second_run_transfers_nothing(
        cloud: LiveCloud, db: Database, client: CommerceClient) -> None:
    first = catalog_import.run(db, client, [7, 9])
    assert not first.errors and not first.skipped
    assert len(first.added) == 9 and first.downloads == 9
    catalog = cache.load(db.data_dir)
    imported = [p for p in catalog.listed() if p.jeweler_id.startswith("vendor-")]
    assert len(imported) == 9
    jhumka = next(p for p in imported if p.name == "Kemp Temple Jhumka")
    assert jhumka.category == "earring" and jhumka.price == 42500.0 and jhumka.jeweler_id == "vendor-7"
    # The width in the manifest is the whole cut-out's; the piece itself is the product's 24 mm.
    assert 24.0 <= jhumka.width_mm <= 24.0 * 1.15
    assert jhumka.sprite().shape[2] == 4
    assert {j.name for j in cache.jewelers(db.data_dir)} == {"Abharana Jewellers", "Meenakshi Gold House"}

    before = media_gets(cloud)
    second = catalog_import.run(db, client, [7, 9])
    assert second.unchanged == 9 and second.downloads == 0 and not second.added
    assert media_gets(cloud) == before


def test_removed_upstream_is_hidden_but_still_wearable_and_comes_back(
        cloud: LiveCloud, db: Database, client: CommerceClient) -> None:
    catalog_import.run(db, client, [7])
    row = db.read("SELECT id, remote_id, name FROM catalog_pieces ORDER BY remote_id LIMIT 1")[0]
    change(cloud, remove=[int(row["remote_id"])])
    report = catalog_import.run(db, client, [7])
    assert report.hidden == [row["name"]]
    catalog = cache.load(db.data_dir)
    assert row["id"] not in {p.id for p in catalog.listed()}
    assert catalog.get(row["id"]).hidden and catalog.expand([row["id"]])     # a visit can keep it on
    change(cloud, restore=[int(row["remote_id"])])
    back = catalog_import.run(db, client, [7])
    assert back.restored == [row["name"]] and back.downloads == 0
    assert row["id"] in {p.id for p in cache.load(db.data_dir).listed()}


def test_a_broken_photo_is_reported_and_the_rest_continue(
        cloud: LiveCloud, db: Database, client: CommerceClient) -> None:
    catalog_import.run(db, client, [7])
    rows = db.read("SELECT remote_id FROM catalog_pieces ORDER BY remote_id")
    bad, good = int(rows[0]["remote_id"]), int(rows[1]["remote_id"])
    change(cloud, broken_image=[bad], touch=[bad, good])      # both changed upstream
    report = catalog_import.run(db, client, [7])
    assert len(report.updated) == 1 and len(report.skipped) == 1
    assert "not a readable image" in report.skipped[0]
    price = db.read("SELECT price FROM catalog_pieces WHERE remote_id = ?", (str(good),))[0]["price"]
    assert price == float(next(p for p in client.vendor(7)[1] if p["id"] == good)["price"])


def test_drafts_need_the_jwt_and_an_expired_token_is_refreshed(
        cloud: LiveCloud, db: Database, client: CommerceClient) -> None:
    cloud.faults.update({"commerce_token_ttl_s": 1.0})
    first = catalog_import.run(db, client, [], include_drafts=True)
    assert first.added == ["Draft Kemp Jhumka"] and client.logins == 1
    time.sleep(1.2)                                           # the access token runs out
    assert [p["name"] for p in client.own_products("draft")] == ["Draft Kemp Jhumka"]
    assert client.refreshes == 1 and client.logins == 1


def test_errors_are_plain_and_an_outage_hides_nothing(cloud: LiveCloud, db: Database,
                                                      client: CommerceClient) -> None:
    wrong = CommerceClient(cloud.url + "/commerce/api/", SELLER_LOGIN[0], lambda: "wrong")
    with pytest.raises(CommerceError, match="refused: No active account found with the given credentials"):
        wrong.own_products()
    wrong.close()
    with pytest.raises(CommerceError, match="Vendor not found"):
        client.vendor(12345)
    catalog_import.run(db, client, [7])
    cloud.faults.update({"down": True})
    report = catalog_import.run(db, client, [7])
    assert report.errors and not report.hidden
    assert db.read("SELECT COUNT(*) FROM catalog_pieces WHERE hidden = 1")[0][0] == 0


def test_catalog_sync_command(cloud: LiveCloud, make_config: object, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config()                                      # type: ignore[operator]
    path.write_text(path.read_text() + f'\n[catalog]\ncommerce_url = "{cloud.url}/commerce/api/"\n'
                    "vendor_ids = [9]\n")
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 0
    out = capsys.readouterr().out
    assert "added, 0 updated" in out
    imported = {p.jeweler_id for p in cache.load(tmp_path / "data").listed() if p.jeweler_id[:7] == "vendor-"}
    assert imported == {"vendor-9"}
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 0
    assert "0 images downloaded" in capsys.readouterr().out


def test_the_sync_daemon_imports_on_its_schedule(cloud: LiveCloud, make_config: object,
                                                 tmp_path: Path) -> None:
    from tests.helpers.sync import spawn_daemon

    path = make_config(events_url=cloud.url, person_url=cloud.person_url)    # type: ignore[operator]
    path.write_text(path.read_text() + f'\n[catalog]\ncommerce_url = "{cloud.url}/commerce/api/"\n'
                    "vendor_ids = [7]\ninterval_min = 60\n")
    proc = spawn_daemon(path, tmp_path / "d.log")
    try:
        deadline = time.monotonic() + 30
        count = 0
        while time.monotonic() < deadline and count < 7:
            time.sleep(0.3)
            count = len([p for p in cache.load(tmp_path / "data").listed() if p.jeweler_id == "vendor-7"])
        assert count == 7, (tmp_path / "d.log").read_text()       # vendor 7 has 7 of the 9 samples
    finally:
        proc.terminate()
        assert proc.wait(15) == 0


def test_a_scheduled_import_that_cannot_reach_the_api_is_retried_within_a_minute(
        cloud: LiveCloud, make_config: object, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from kiosk import config
    from kiosk.store import EventStore
    from sync import daemon

    path = make_config(events_url=cloud.url, person_url=cloud.person_url)    # type: ignore[operator]
    path.write_text(path.read_text() + f'\n[catalog]\ncommerce_url = "{cloud.url}/commerce/api/"\n'
                    "vendor_ids = [7]\ninterval_min = 60\n")
    cfg = config.load(path)
    store = EventStore(cfg.store.data_dir)
    clients = FakeClients()             # the catalogue job is tested here, not the outbox's
    syncer = daemon.make_syncer(cfg, store, clients)
    d = daemon.Daemon(cfg, store, syncer)
    d.schedule_catalog()
    d.scheduler.start(paused=True)
    try:
        cloud.faults.update({"down": True})
        d._catalog_job()
        wait = (d.scheduler.get_job("catalog").next_run_time - datetime.now(UTC)).total_seconds()
        assert 0 < wait <= daemon.CATALOG_RETRY_S                 # not the 60-minute interval
        cloud.faults.update({"down": False})
        d._catalog_job()
        assert len(cache.load(tmp_path / "data").listed()) > len(cache.Catalog.load().listed())
    finally:
        d.scheduler.shutdown(wait=False)
        syncer.close()
        clients.close()
        store.close()
