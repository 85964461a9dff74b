"""Seed 004 client and per-visit sessions against the devcloud's widget API (stand-in generator)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import Garment
from kiosk.outfit.client import OutfitProgress, TryOnError, WidgetClient, WidgetSession
from kiosk.outfit.service import CloudOutfits
from sync.devcloud.tryon import LIVE_KEY, TEST_KEY
from tests.helpers.cloud import LiveCloud

PHOTO = (Path(__file__).parents[1] / "fixtures" / "photos" / "close_face.jpg").read_bytes()


def garment(cloud: LiveCloud, gid: str = "kanjivaram_green") -> Garment:
    return Garment(id=gid, name="Kanjivaram silk saree, green",
                   image=f"{cloud.url}/tryon-media/garments/{gid}.jpg", price=24000)  # type: ignore[arg-type]


@pytest.fixture
def fast(cloud: LiveCloud) -> LiveCloud:
    cloud.faults.update({"tryon_delay_s": 0.3, "tryon_rate_per_ip": 1000})
    return cloud


@pytest.fixture
def outfits(fast: LiveCloud) -> Iterator[CloudOutfits]:
    client = WidgetClient(fast.url, TEST_KEY)
    yield CloudOutfits(client, [garment(fast)], wait_s=30)
    client.close()


def run(o: CloudOutfits, gid: str = "kanjivaram_green") -> tuple[bytes, list[OutfitProgress]]:
    seen: list[OutfitProgress] = []
    return o.generate(gid, PHOTO, seen.append, threading.Event()), seen


def paths(cloud: LiveCloud) -> list[str]:
    return [r["path"] for r in cloud.requests() if "/widget/" in r["path"]]


@pytest.mark.slow
def test_happy_path_by_event_stream(outfits: CloudOutfits, fast: LiveCloud) -> None:
    fast.faults.update({"tryon_delay_s": 2.0})         # long enough for status events on the stream
    img, seen = run(outfits)
    out = cv2.imdecode(np.frombuffer(img, np.uint8), cv2.IMREAD_COLOR)
    src = cv2.imdecode(np.frombuffer(PHOTO, np.uint8), cv2.IMREAD_COLOR)
    assert out is not None and out.shape == src.shape and not np.array_equal(out, src)
    assert [p.status for p in seen][:3] == ["starting", "uploading", "processing"]
    assert any(p.percent and 0 < p.percent < 100 for p in seen)          # the stream's progress
    assert any(p.endswith("/poll") for p in paths(fast))
    assert not any(p.endswith("/result") for p in paths(fast))
    assert outfits.tries_left("kanjivaram_green") == 2


@pytest.mark.slow
def test_happy_path_by_polling_when_the_stream_is_refused(outfits: CloudOutfits, fast: LiveCloud) -> None:
    fast.faults.update({"tryon_sse": False})
    img, _ = run(outfits)
    assert cv2.imdecode(np.frombuffer(img, np.uint8), cv2.IMREAD_COLOR) is not None
    assert any(p.endswith("/result") for p in paths(fast))


@pytest.mark.slow
def test_a_fourth_try_is_refused_with_a_plain_message(outfits: CloudOutfits, fast: LiveCloud) -> None:
    for _ in range(3):
        run(outfits)
    assert outfits.tries_left("kanjivaram_green") == 0
    with pytest.raises(TryOnError) as e:
        run(outfits)
    assert e.value.code == "TRIES_USED" and "tried 3 times" in str(e.value)
    assert sum(p.endswith("/try-on") for p in paths(fast)) == 3           # not sent
    # the service refuses one too, if a kiosk forgot its count
    client = outfits.client
    sid = [p for p in paths(fast) if p.endswith("/try-on")][0].split("/")[4]
    with pytest.raises(TryOnError) as e:
        client.submit(WidgetSession(sid, time.time() + 600, 3, 0), PHOTO)
    assert e.value.code == "RATE_LIMIT_EXCEEDED"


@pytest.mark.slow
def test_an_expired_session_is_replaced(outfits: CloudOutfits, fast: LiveCloud) -> None:
    fast.faults.update({"tryon_session_ttl_s": 6})
    run(outfits)
    time.sleep(1.5)                # within 5 s of its end: the kiosk does not start an upload
    run(outfits)
    assert sum(p == "/api/widget/session" for p in paths(fast)) == 2
    fast.faults.update({"tryon_session_ttl_s": 0})
    s = outfits.client.create_session({"id": "x", "name": "x", "image": "http://x/x.jpg"})
    with pytest.raises(TryOnError) as e:
        outfits.client.submit(s, PHOTO)
    assert e.value.code == "SESSION_EXPIRED" and "expired" in str(e.value)


@pytest.mark.parametrize(("fault", "code", "words"), [
    ({"tryon_quota": True}, "QUOTA_EXCEEDED", "allowance is used up"),
    ({"tryon_suspended": True}, "MERCHANT_SUSPENDED", "suspended"),
    ({"tryon_fail": True}, "PROCESSING_FAILED", "could not make this outfit"),
    ({"down": True}, "UNREACHABLE", "cannot be reached"),
])
@pytest.mark.slow
def test_service_refusals_read_plainly(outfits: CloudOutfits, fast: LiveCloud, fault: dict[str, object],
                                       code: str, words: str) -> None:
    fast.faults.update(fault)
    with pytest.raises(TryOnError) as e:
        run(outfits)
    assert e.value.code == code and words in str(e.value)


def refusal(client: WidgetClient, call: str, *args: object) -> TryOnError:
    try:
        getattr(client, call)(*args)
    except TryOnError as e:
        return e
    finally:
        client.close()
    raise AssertionError(f"{call} was not refused")


def test_keys_origins_photos_and_no_service(fast: LiveCloud) -> None:
    product = {"id": "g", "name": "G", "image": f"{fast.url}/tryon-media/garments/banarasi_red.jpg"}
    e = refusal(WidgetClient(fast.url, "mk_test_wrong"), "create_session", product)
    assert e.code == "INVALID_MERCHANT_KEY" and "merchant key" in str(e)
    e = refusal(WidgetClient(fast.url, LIVE_KEY, "https://elsewhere.example"), "create_session", product)
    assert e.code == "DOMAIN_NOT_ALLOWED"
    live = WidgetClient(fast.url, LIVE_KEY, "https://kiosk.abharana.example")
    live.create_session(product)                      # a whitelisted origin may use the live key
    live.close()
    client = WidgetClient(fast.url, TEST_KEY)
    s = client.create_session(product)
    e = refusal(client, "submit", s, b"not a photo")
    assert e.code == "INVALID_USER_IMAGE" and "Stand facing the camera" in str(e)
    e = refusal(WidgetClient("http://127.0.0.1:9", TEST_KEY), "probe")
    assert e.code == "UNREACHABLE"
    WidgetClient(fast.url, TEST_KEY).probe()            # reachable, key accepted: no error


@pytest.mark.slow
def test_rate_limit_headers_are_kept_and_explained(fast: LiveCloud) -> None:
    fast.faults.update({"tryon_rate_per_ip": 3})
    client = WidgetClient(fast.url, TEST_KEY)
    client.probe()
    assert client.limit_remaining == 2 and client.limit_reset is not None and client.limit_reset > time.time()
    client.probe()
    client.probe()
    assert client.limit_remaining == 0
    before, t0 = len(fast.requests()), time.time()
    try:
        client.probe()
    except TryOnError as e:                 # none left: said, not sent
        assert e.code == "RATE_LIMIT_EXCEEDED" and "Try again in" in str(e)
        assert len(fast.requests()) == before
    else:                                   # the window was about to end: waited for it instead
        assert t0 % 60 > 49
    client.close()


@pytest.mark.slow
def test_webhooks_arrive_signed_once_each_even_when_retried(outfits: CloudOutfits, fast: LiveCloud) -> None:
    import httpx

    fast.faults.update({"tryon_webhook_fail_first": 1})     # the first delivery is refused: 1 s retry
    run(outfits)

    def got() -> dict[str, object]:
        return dict(httpx.get(f"{fast.url}/_devcloud/tryon-webhook").json())

    deadline = time.time() + 10
    while time.time() < deadline and len(got()["processed"]) < 3:       # type: ignore[arg-type]
        time.sleep(0.2)
    events = [e["event"] for e in got()["processed"]]                   # type: ignore[attr-defined]
    assert sorted(events) == ["session.created", "try-on.completed", "try-on.processing"]
    assert got()["refused"] == 1 and got()["rejected"] == []
