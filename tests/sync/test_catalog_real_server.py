"""Catalogue import against a seed-002 server that behaves like a real DRF + SimpleJWT one:
images listed as relative paths, access tokens that stop working after a few requests,
rotating (and blacklisted) refresh tokens; and every imported piece wearable by `kiosk tryon`
and checked by `kiosk assets check`."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import httpx
import pytest

from kiosk import cli
from kiosk.catalog import cache
from kiosk.store.db import Database
from sync import catalog_import
from sync.clients.commerce import CommerceClient, CommerceError
from sync.devcloud.commerce import SELLER_LOGIN
from tests.fakes.cloud import FakeCommerce
from tests.helpers.cloud import LiveCloud
from tests.helpers.photos import PHOTOS

SAMPLES = 9          # the devcloud's products over vendors 7 and 9 (one per bundled single piece)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(tmp_path / "data")
    yield d
    d.close()


def api(cloud: LiveCloud) -> str:
    return cloud.url + "/commerce/api/"


def commerce_state(cloud: LiveCloud) -> dict[str, object]:
    answer = httpx.get(cloud.url + "/_devcloud/commerce", timeout=10).json()
    assert isinstance(answer, dict)
    return answer


def catalog_config(make_config: Callable[..., Path], cloud: LiveCloud, extra: str = "") -> Path:
    path = make_config()
    path.write_text(path.read_text() + f'\n[catalog]\ncommerce_url = "{api(cloud)}"\nvendor_ids = [7, 9]\n'
                    + extra)
    return path


def imported(data_dir: Path) -> list[cache.Piece]:
    return [p for p in cache.load(data_dir).pieces.values() if p.jeweler_id.startswith("vendor-")]


@pytest.mark.parametrize("url,media,expected", [
    ("/media/x.png", None, "https://api.omnisell.com/media/x.png"),             # ImageField, no request
    ("media/x.png", None, "https://api.omnisell.com/api/media/x.png"),          # relative to the API root
    ("https://cdn.example/p/x.png", None, "https://cdn.example/p/x.png"),
    ("//cdn.example/p/x.png", None, "https://cdn.example/p/x.png"),
    ("products/x.png", "https://cdn.example/media/", "https://cdn.example/media/products/x.png"),
    ("/media/x.png", "https://cdn.example/media/", "https://cdn.example/media/x.png"),
    (" /media/x.png ", None, "https://api.omnisell.com/media/x.png"),
])
def test_image_urls_resolve_as_a_browser_would(url: str, media: str | None, expected: str) -> None:
    client = CommerceClient("https://api.omnisell.com/api/", media_url=media)
    try:
        assert client.resolve(url) == expected
    finally:
        client.close()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:image/png;base64,AAAA", "ftp://h/x.png",
                                 "javascript:alert(1)"])
def test_only_http_images_are_fetched(url: str) -> None:
    client = CommerceClient("https://api.omnisell.com/api/")
    try:
        with pytest.raises(CommerceError, match="not an http"):
            client.download(url)
    finally:
        client.close()


@pytest.mark.slow
def test_relative_paths_and_tokens_that_expire_every_few_requests_import_every_product(
        cloud: LiveCloud, db: Database) -> None:
    cloud.faults.update({"commerce_media": "relative", "commerce_token_uses": 1,
                         "commerce_rotate_refresh": True})
    listed = httpx.get(api(cloud) + "products/public/vendor/7/", timeout=10).json()
    assert listed["products"][0]["images"][0]["image"].startswith("/commerce/media/products/")
    assert listed["vendor"]["logo"] == "/commerce/media/logos/7.png"
    client = CommerceClient(api(cloud), SELLER_LOGIN[0], lambda: SELLER_LOGIN[1])
    try:
        report = catalog_import.run(db, client, [7, 9], include_drafts=True)
        assert not report.skipped and not report.errors and not report.failed, report.lines()
        assert len(report.added) == SAMPLES + 1 and report.downloads == SAMPLES + 1
        assert "Draft Kemp Jhumka" in report.added
        # Each access token serves one request: every later draft listing needs a refresh,
        # and each refresh uses the rotated token (the old one is blacklisted).
        for _ in range(4):
            assert [p["name"] for p in client.own_products("draft")] == ["Draft Kemp Jhumka"]
        assert client.logins == 1 and client.refreshes == 4
        assert commerce_state(cloud)["blacklisted_refresh_tried"] == 0
        again = catalog_import.run(db, client, [7, 9], include_drafts=True)
        assert again.unchanged == SAMPLES + 1 and again.downloads == 0 and not again.failed
    finally:
        client.close()
    assert len(imported(db.data_dir)) == SAMPLES + 1
    logos = {j.id: j.logo_path for j in cache.jewelers(db.data_dir)}
    assert logos["vendor-7"] is not None and logos["vendor-7"].is_file()    # the relative logo too


def test_a_rotated_refresh_token_is_kept_and_the_old_one_is_refused(cloud: LiveCloud) -> None:
    cloud.faults.update({"commerce_token_uses": 1, "commerce_rotate_refresh": True})
    client = CommerceClient(api(cloud), SELLER_LOGIN[0], lambda: SELLER_LOGIN[1])
    try:
        client.own_products()                                   # login; its token is now used up
        first_refresh = client._refresh
        client.own_products()                                   # 401, refresh (rotated), repeat
        assert client._refresh not in (None, first_refresh)
        again = httpx.post(api(cloud) + "auth/token/refresh/", json={"refresh": first_refresh}, timeout=10)
        assert again.status_code == 401                         # blacklisted after rotation
        client.own_products()
        assert client.logins == 1 and client.refreshes == 2
    finally:
        client.close()
    assert commerce_state(cloud)["blacklisted_refresh_tried"] == 1      # only the probe above


@pytest.mark.slow
def test_bare_storage_names_need_media_url_and_the_sync_exit_code_names_what_was_skipped(
        cloud: LiveCloud, make_config: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cloud.faults.update({"commerce_media": "name"})            # "products/101.jpg"
    path = catalog_config(make_config, cloud)
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 1
    captured = capsys.readouterr()
    skipped = [line for line in captured.out.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == SAMPLES and all("HTTP 404" in line for line in skipped), captured.out
    assert "Kemp Temple Jhumka" in captured.out and f"{SAMPLES} product(s) skipped" in captured.err
    assert imported(tmp_path / "data") == []

    path.write_text(path.read_text() + f'media_url = "{cloud.url}/commerce/media/"\n')
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 0
    assert f"{SAMPLES} added" in capsys.readouterr().out
    assert len(imported(tmp_path / "data")) == SAMPLES


@pytest.mark.slow
def test_one_broken_photo_fails_the_sync_naming_it_and_the_rest_arrive(
        cloud: LiveCloud, make_config: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cloud.faults.update({"commerce_media": "relative"})
    httpx.post(cloud.url + "/_devcloud/commerce", json={"broken_image": [101]}, timeout=10).raise_for_status()
    broken = httpx.get(api(cloud) + "products/public/101/", timeout=10).json()["name"]
    path = catalog_config(make_config, cloud)
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 1
    captured = capsys.readouterr()
    assert f"skipped: {broken}: " in captured.out and "not a readable image" in captured.out
    assert "1 product(s) skipped" in captured.err
    assert len(imported(tmp_path / "data")) == SAMPLES - 1


@pytest.mark.slow
def test_every_imported_piece_is_worn_by_kiosk_tryon_and_passes_assets_check(
        cloud: LiveCloud, make_config: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    cloud.faults.update({"commerce_media": "relative", "commerce_token_uses": 1})
    email, password = SELLER_LOGIN
    path = catalog_config(make_config, cloud,
                          f'include_drafts = true\nemail = "{email}"\npassword = "{password}"\n')
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 0
    pieces = imported(tmp_path / "data")
    assert len(pieces) == SAMPLES + 1
    # One piece per category per photo: the composite keeps one piece of each category.
    rounds: dict[str, list[str]] = defaultdict(list)
    for p in sorted(pieces, key=lambda p: p.id):
        rounds[p.category].append(p.id)
    batches = [[ids[i] for ids in rounds.values() if i < len(ids)]
               for i in range(max(len(ids) for ids in rounds.values()))]
    worn: set[str] = set()
    monkeypatch.setenv("KIOSK_CONFIG", str(path))           # found as every command finds its config
    capsys.readouterr()
    for n, batch in enumerate(batches):
        out = tmp_path / f"worn{n}.jpg"
        code = cli.main(["tryon", str(PHOTOS / "portrait_shoulders.jpg"), "--jewelry", ",".join(batch),
                         "--out", str(out), "--json"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        report = json.loads(captured.out)
        assert report["faces"] == 1 and out.stat().st_size > 0
        worn |= {pl["id"] for pl in report["pieces"] if pl["width_px"] > 0}
    assert worn == {p.id for p in pieces}

    assert cli.main(["assets", "check"]) == 0
    out = capsys.readouterr().out
    assert all(f"ok      {p.id} " in out for p in pieces) and "0 with problems" in out
    victim = pieces[0]
    (victim.folder / "manifest.json").unlink()
    assert cli.main(["assets", "check"]) == 1
    assert f"PROBLEM {victim.id}: in the catalogue database" in capsys.readouterr().out


@pytest.mark.slow
def test_tryon_without_the_config_knows_only_the_bundled_pieces(
        cloud: LiveCloud, make_config: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = catalog_config(make_config, cloud)
    assert cli.main(["--config", str(path), "catalog", "sync"]) == 0
    pid = imported(tmp_path / "data")[0].id
    other = make_config({str(tmp_path / "data"): str(tmp_path / "elsewhere")}, name="other.toml")
    capsys.readouterr()
    assert cli.main(["--config", str(other), "tryon", str(PHOTOS / "portrait_shoulders.jpg"), "--jewelry",
                     pid, "--out", str(tmp_path / "o.jpg")]) == 2
    assert f"unknown jewelry id {pid!r}" in capsys.readouterr().err


def product_photo() -> bytes:
    from kiosk import paths
    from kiosk.catalog.prepare import on_white

    rgba = cv2.imread(str(paths.ASSETS_DIR / "jewelry" / "jhumka_gold" / "piece.png"), cv2.IMREAD_UNCHANGED)
    ok, jpeg = cv2.imencode(".jpg", on_white(rgba))
    assert ok
    return jpeg.tobytes()


def test_a_vendors_non_jewelry_is_named_but_does_not_fail_the_import(db: Database) -> None:
    # What the import keeps is tested here; the client's reading of a vendor answer is
    # tested against the devcloud and the real servers.
    client = FakeCommerce(vendors={5: ({"id": 5, "company_name": "Kemp House"}, [
        {"id": 1, "name": "Gift box", "price": "100.00", "category": {"id": 9, "name": "Packaging"},
         "images": [{"image": "/media/products/box.jpg"}]},
        {"id": 2, "name": "Kemp Jhumka", "price": "42500.00", "attributes": {"width_mm": 24},
         "category": {"id": 1, "name": "Earrings", "slug": "earrings"},
         "images": [{"image": "/media/products/2.jpg", "is_primary": True}]}])},
        files={"https://shop.example/media/products/2.jpg": product_photo()})
    report = catalog_import.run(db, client, [5])  # type: ignore[arg-type]
    assert report.added == ["Kemp Jhumka"] and report.not_jewelry == ["Gift box (category 'Packaging')"]
    assert not report.skipped and not report.failed and report.downloads == 1    # the box: never fetched
    assert "not wearable jewelry, left out: Gift box (category 'Packaging')" in report.lines()
