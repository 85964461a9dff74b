"""A clip shared like the photo: kept with its share, served on the store Wi-Fi with byte
ranges, uploaded as the `clip` part (devcloud) or clip.mp4 (S3), and counted in image.shared."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kiosk.clip.encoder import Clip
from kiosk.config import KioskConfig
from kiosk.share.lan import LanShareServer, byte_range
from kiosk.store import EventStore, StoreError, housekeeping, shares
from kiosk.store.outbox import Result
from kiosk.store.outcomes import Delivered
from sync.clients.images import ImageStoreClient
from tests.chromium import video_state
from tests.fakes.clock import FakeClock
from tests.fakes.s3 import FakeS3
from tests.helpers.cloud import LiveCloud
from tests.helpers.disks import Tmpfs
from tests.helpers.shares import JPEG, run, s3_fields, send, shared_events


def clip_share(store: EventStore, clip: Clip, tmp: Path) -> shares.Share:
    """A share of a copy of the clip (create moves the file in), on a session row."""
    sid = str(uuid.uuid4())
    with store.db.write() as conn:
        conn.execute("INSERT INTO sessions (id, started_at, seller_id, jeweler_id) VALUES (?, ?, 's', 'j')",
                     (sid, time.time()))
    copy = store.data_dir / f"{uuid.uuid4().hex}.mp4"
    shutil.copy(clip.path, copy)
    return shares.create(store, session_id=sid, jpeg=JPEG, link_days=7, clip=copy,
                         jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0),
                         upload={"jeweler_name": "Abharana", "currency": "INR"})


@pytest.fixture
def lan(serve: Callable[..., LanShareServer]) -> LanShareServer:
    return serve()


@pytest.mark.slow
def test_the_share_keeps_the_clip_beside_the_photo(store: EventStore, small_clip: Clip,
                                                   tmp_path: Path) -> None:
    share = clip_share(store, small_clip, tmp_path)
    assert share.clip == store.data_dir / "shares" / f"{share.token}.mp4"
    assert share.clip.read_bytes() == small_clip.path.read_bytes()
    again = shares.get(store, share.token)
    assert again is not None and again.clip == share.clip and again.clip_url is None
    [row] = store.db.read("SELECT payload, blob_path FROM outbox WHERE kind = 'image.upload'")
    assert json.loads(row["payload"])["clip_file"] == f"{share.token}.mp4"
    assert row["blob_path"] == f"shares/{share.token}.jpg"


def test_byte_ranges() -> None:
    assert byte_range("", 100) == (0, 100, False)
    assert byte_range("bytes=0-1", 100) == (0, 2, True)                 # what iOS asks first
    assert byte_range("bytes=10-", 100) == (10, 100, True)
    assert byte_range("bytes=90-500", 100) == (90, 100, True)
    assert byte_range("bytes=-30", 100) == (70, 100, True)
    assert byte_range("bytes=-300", 100) == (0, 100, True)
    assert byte_range("bytes=100-", 100) is None and byte_range("bytes=-0", 100) is None
    for ignored in ("bytes=0-1,5-6", "items=0-1", "bytes=5-2", "bytes=-", "nonsense"):
        assert byte_range(ignored, 100) == (0, 100, False), ignored


@pytest.mark.slow
def test_lan_serves_the_clip_whole_in_ranges_and_on_head(
        lan: LanShareServer, store: EventStore, small_clip: Clip, tmp_path: Path) -> None:
    share = clip_share(store, small_clip, tmp_path)
    data = small_clip.path.read_bytes()
    base = f"http://127.0.0.1:{lan.port}/s/{share.token}"
    page = httpx.get(base)
    assert f'<video src="/s/{share.token}/clip.mp4"' in page.text and "playsinline" in page.text
    whole = httpx.get(base + "/clip.mp4")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "video/mp4" and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "private, no-store"
    first = httpx.get(base + "/clip.mp4", headers={"Range": "bytes=0-1"})
    assert first.status_code == 206 and first.content == data[:2]
    assert first.headers["content-range"] == f"bytes 0-1/{len(data)}"
    assert first.headers["content-length"] == "2"
    tail = httpx.get(base + "/clip.mp4", headers={"Range": "bytes=1000-"})
    assert tail.status_code == 206 and tail.content == data[1000:]
    assert tail.headers["content-range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    past = httpx.get(base + "/clip.mp4", headers={"Range": f"bytes={len(data)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(data)}"
    head = httpx.head(base + "/clip.mp4", headers={"Range": "bytes=0-99"})
    assert head.status_code == 206 and head.content == b"" and head.headers["content-length"] == "100"
    head = httpx.head(base + "/clip.mp4")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))
    assert httpx.get(base + "/clip.mp4?x=1").status_code == 200
    # Served in pieces, the clip is the same file.
    got = b"".join(httpx.get(base + "/clip.mp4", headers={"Range": f"bytes={a}-{a + 4095}"}).content
                   for a in range(0, len(data), 4096))
    assert got == data


@pytest.mark.slow
def test_lan_photo_share_has_no_clip_and_a_clip_gone_locally_redirects(
        lan: LanShareServer, store: EventStore, small_clip: Clip, tmp_path: Path) -> None:
    photo_only = shares.create(store, session_id="s", jpeg=JPEG, link_days=7, upload={},
                               jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0))
    base = f"http://127.0.0.1:{lan.port}/s/"
    assert "<video" not in httpx.get(base + photo_only.token).text
    assert httpx.get(base + photo_only.token + "/clip.mp4").status_code == 404
    moved = clip_share(store, small_clip, tmp_path)
    cloud = f"https://cdn.example.com/s/{moved.token}/clip.mp4"
    with store.db.write() as conn:
        conn.execute("UPDATE shares SET clip_url = ? WHERE token = ?", (cloud, moved.token))
    lost = clip_share(store, small_clip, tmp_path)
    assert moved.clip is not None and lost.clip is not None
    moved.clip.unlink()
    lost.clip.unlink()
    r = httpx.get(base + moved.token + "/clip.mp4")
    assert r.status_code == 302 and r.headers["location"] == cloud
    assert "<video" in httpx.get(base + moved.token).text
    assert httpx.get(base + lost.token + "/clip.mp4").status_code == 404
    assert "<video" not in httpx.get(base + lost.token).text         # no blank player: the photo


@pytest.mark.slow
def test_the_lan_page_plays_the_clip_in_chromium(
        lan: LanShareServer, store: EventStore, small_clip: Clip, tmp_path: Path) -> None:
    share = clip_share(store, small_clip, tmp_path)
    state = video_state(f"http://127.0.0.1:{lan.port}/s/{share.token}")
    assert state["error"] == 0 and state["ready"] >= 2, state
    assert abs(state["duration"] - small_clip.duration_s) < 0.2
    assert (state["width"], state["height"]) == (small_clip.width, small_clip.height)


def test_the_upload_sends_the_clip_part_and_keeps_its_url(
        store: EventStore, small_clip: Clip, tmp_path: Path) -> None:
    share = clip_share(store, small_clip, tmp_path)
    seen: list[httpx.Request] = []

    def image_store(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        base = f"https://img.example.com/s/{share.token}"
        return httpx.Response(201, json={"image_url": base + "/photo.jpg", "page_url": base,
                                         "clip_url": base + "/clip.mp4"})

    client = ImageStoreClient("https://img.example.com", "key", transport=httpx.MockTransport(image_store))
    [job] = store.due_heads(10, 3600)
    out = client.upload(job.payload, job.blob, job.id)  # type: ignore[arg-type]
    client.close()
    assert isinstance(out, Delivered)
    body = seen[0].read()
    clip_bytes = small_clip.path.read_bytes()
    assert f'name="clip"; filename="{share.token}.mp4"\r\nContent-Type: video/mp4\r\n\r\n'.encode() in body
    assert clip_bytes in body and b'name="image"' in body
    assert b'name="clip_file"' not in body                 # the outbox's own field stays home
    store.complete([Result(job, out)])
    done = shares.get(store, share.token)
    assert done is not None and done.clip_url == f"https://img.example.com/s/{share.token}/clip.mp4"


def test_an_image_store_without_clip_url_still_delivers(store: EventStore, small_clip: Clip,
                                                        tmp_path: Path) -> None:
    share = clip_share(store, small_clip, tmp_path)

    def old_store(request: httpx.Request) -> httpx.Response:
        base = f"https://img.example.com/s/{share.token}"
        return httpx.Response(201, json={"image_url": base + "/photo.jpg", "page_url": base})

    client = ImageStoreClient("https://img.example.com", None, transport=httpx.MockTransport(old_store))
    [job] = store.due_heads(10, 3600)
    out = client.upload(job.payload, job.blob, job.id)  # type: ignore[arg-type]
    client.close()
    assert isinstance(out, Delivered) and "clip_url" not in json.loads(out.response or "{}")
    assert share.clip is not None
    share.clip.unlink()
    [again] = [shares.get(store, share.token)]
    assert again is not None
    out = client.upload(job.payload, job.blob, job.id)  # type: ignore[arg-type]
    assert not isinstance(out, Delivered) and "clip" in str(getattr(out, "error", ""))


@pytest.mark.slow
def test_s3_puts_the_clip_and_its_page_plays_it(
        s3: FakeS3, kiosk_config: Callable[..., KioskConfig], small_clip: Clip,
        tmp_path: Path) -> None:
    cfg = kiosk_config(**s3_fields(s3))
    store = EventStore(cfg.store.data_dir)
    share = clip_share(store, small_clip, tmp_path)
    run(cfg, store)
    done = shares.get(store, share.token)
    assert done is not None and done.clip_url is not None and done.page_url is not None
    key = f"kiosk-shares/{share.token}/clip.mp4"
    assert s3.objects[key][1]["content-type"] == "video/mp4"
    with httpx.Client(timeout=10) as http:
        assert http.get(done.clip_url).content == small_clip.path.read_bytes()
        assert done.clip_url.replace("&", "&amp;") in http.get(done.page_url).text
    store.close()


@pytest.mark.slow
def test_a_clip_sent_on_whatsapp_is_counted_in_image_shared(
        cloud: LiveCloud, share_config: Callable[..., KioskConfig], small_clip: Clip,
        tmp_path: Path) -> None:
    cfg = share_config()
    store = EventStore(cfg.store.data_dir)
    share = clip_share(store, small_clip, tmp_path)
    send(store, share)
    run(cfg, store)
    [ev] = shared_events(cloud)
    done = shares.get(store, share.token)
    assert done is not None
    # Seed 000's fields only; image_url is the shared picture (the clip's frame), as for a photo.
    assert set(ev) == {"channel", "destination", "jewelry_id", "jewelry_name", "jeweler_id", "jeweler_name",
                       "share_status", "message_sid", "image_url"}
    assert ev["share_status"] == "sent" and ev["image_url"] == done.image_url
    assert shares.sent_count(store, share.session_id) == 1
    store.close()


def test_housekeeping_keeps_a_clip_until_its_photo_goes_and_then_deletes_both(
        small_clip: Clip, tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path / "data", clock=clock)
    delivered, pending = clip_share(store, small_clip, tmp_path), clip_share(store, small_clip, tmp_path)
    assert delivered.clip is not None and pending.clip is not None
    old = clock.t - 2 * 86400
    os.utime(delivered.clip, (old, old))               # old enough to look like an orphan: it is not one
    os.utime(pending.clip, (old, old))
    jobs = [j for j in store.due_heads(100, 0) if j.stream == f"share:{delivered.token}"]
    store.complete([Result(j, Delivered('{"image_url": "https://c/p.jpg", "page_url": "https://c/p"}'))
                    for j in jobs])
    clock.t += 2 * 86400
    sweep = housekeeping.sweep(store, keep_images_days=14, keep_delivered_days=30)
    assert sweep.orphans_deleted == 0 and delivered.clip.exists() and pending.clip.exists()
    clock.t += 13 * 86400
    housekeeping.sweep(store, keep_images_days=14, keep_delivered_days=30)
    assert not delivered.image.exists() and not delivered.clip.exists()
    assert pending.image.exists() and pending.clip.exists(), "undelivered: the only copy"
    store.close()


def test_a_share_that_cannot_be_written_gives_the_clip_back(small_clip: Clip, tmp_path: Path) -> None:
    disk = Tmpfs(tmp_path / "mnt", size="64m")
    try:
        store = EventStore(disk.where / "data")
        clip = disk.where / "data" / "clips" / "c.mp4"
        clip.parent.mkdir()
        shutil.copy(small_clip.path, clip)
        disk.fill()
        with pytest.raises((OSError, StoreError)):
            shares.create(store, session_id="s", jpeg=JPEG + bytes(200_000), link_days=7, upload={},
                          jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0), clip=clip)
        assert clip.read_bytes() == small_clip.path.read_bytes()          # the seller can try again
        assert not list((disk.where / "data" / "shares").glob("*.mp4"))
        disk.unfill()
        share = shares.create(store, session_id="s", jpeg=JPEG, link_days=7, upload={},
                              jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0), clip=clip)
        assert share.clip is not None and share.clip.exists() and not clip.exists()
        store.close()
    finally:
        disk.unmount()
