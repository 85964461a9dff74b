"""The clip encoder: what phones need to play it inline, its size, its timing, its failures."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np
import pytest

from kiosk.capture.base import Image
from kiosk.clip.encoder import ClipEncoder, even_size
from kiosk.share.brand import draw_strip
from tests.clip.conftest import encode, sample_frames
from tests.helpers.disks import Tmpfs

MAX_BYTES = 4_000_000


def boxes(path: Path) -> list[str]:
    """The MP4's top-level boxes, in file order."""
    data, at, names = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size, name = struct.unpack(">I4s", data[at:at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8:at + 16])[0]
        names.append(name.decode("latin-1"))
        if size < 8:
            break
        at += size
    return names


def strip(w: int, h: int) -> Image:
    drawn = np.asarray(draw_strip(w, h, "Abharana", "Temple Gold Jhumka · ₹38,900"), np.uint8)
    return np.ascontiguousarray(drawn[:, :, ::-1])


@pytest.mark.slow
def test_five_seconds_at_720p_is_h264_main_faststart_under_4_mb(tmp_path: Path) -> None:
    enc = encode(tmp_path / "c.mp4", sample_frames(), 30, 5.0, strip=strip)
    clip = enc.clip
    assert clip is not None and enc.error is None
    assert clip.width == 1280 and clip.height == 720 + 60                   # the strip below the frame
    assert clip.path.stat().st_size <= MAX_BYTES
    names = boxes(clip.path)
    assert names[0] == "ftyp" and names.index("moov") < names.index("mdat")    # plays while loading
    assert not (tmp_path / "c.mp4.part").exists()
    with av.open(str(clip.path)) as box:
        s = box.streams.video[0]
        cc = s.codec_context
        assert (cc.name, cc.profile, cc.pix_fmt) == ("h264", "Main", "yuv420p")
        assert (cc.width, cc.height) == (1280, 780)
        assert s.frames == 150 and abs(float(s.average_rate or 0) - 30) < 0.5
        assert box.duration is not None and abs(box.duration / 1e6 - 5.0) < 0.1
        first = next(box.decode(s)).to_ndarray(format="bgr24")
    # The strip is the photo's: the same drawing, under every frame.
    assert np.abs(first[720:].astype(int) - strip(1280, 720).astype(int)).mean() < 8
    assert clip.poster.startswith(b"\xff\xd8")


@pytest.mark.slow
def test_the_worst_case_five_seconds_stay_under_4_mb(tmp_path: Path) -> None:
    """Noise does not compress: the rate cap is what keeps the size."""
    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 256, (720, 1280, 3), np.uint8) for _ in range(10)]
    enc = encode(tmp_path / "noise.mp4", frames, 30, 5.0, strip=strip)
    assert enc.clip is not None, enc.error
    assert enc.clip.path.stat().st_size <= MAX_BYTES


@pytest.mark.slow
def test_the_clip_runs_at_the_mirrors_rate_and_plays_in_real_time(tmp_path: Path) -> None:
    frames = sample_frames()[:40]
    enc = encode(tmp_path / "slow.mp4", frames, 12, 4.0)
    assert enc.clip is not None
    assert enc.clip.frames == 48 and abs(enc.clip.fps - 12) < 0.1 and abs(enc.clip.duration_s - 4.0) < 0.01
    with av.open(str(enc.clip.path)) as box:
        s = box.streams.video[0]
        assert abs(float(s.average_rate or 0) - 12) < 0.3
        assert box.duration is not None and abs(box.duration / 1e6 - 4.0) < 0.1


def test_odd_and_large_frames_give_even_dimensions(tmp_path: Path) -> None:
    assert even_size(1920, 1080) == (1280, 720)
    assert even_size(641, 361) == (640, 360)
    frames = [np.full((1081, 1921, 3), 90, np.uint8)] * 3
    enc = encode(tmp_path / "odd.mp4", frames, 30, 0.3)
    assert enc.clip is not None and (enc.clip.width, enc.clip.height) == (1280, 720)


def test_feeding_never_blocks_the_mirror(tmp_path: Path) -> None:
    enc = ClipEncoder(tmp_path / "x.mp4")            # not started: nothing drains the queue
    frame = np.zeros((72, 128, 3), np.uint8)
    taken = [enc.feed(frame, i / 30) for i in range(40)]
    assert taken.count(True) == enc.frames.maxsize and enc.dropped == 40 - enc.frames.maxsize


def test_a_broken_encoder_is_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    enc = encode(tmp_path / "bad.mp4", sample_frames()[:5], 30, 0.5, options={"profile": "nonsense"})
    assert enc.clip is None and enc.error == "the video encoder failed (invalid argument)"
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_said_plainly_and_loses_nothing_else(tmp_path: Path) -> None:
    disk = Tmpfs(tmp_path / "mnt", size="1m")
    try:
        kept = disk.where / "photo.jpg"
        kept.write_bytes(b"\xff\xd8" + bytes(1000))
        rng = np.random.default_rng(3)
        frames = [rng.integers(0, 256, (720, 1280, 3), np.uint8) for _ in range(5)]
        enc = encode(disk.where / "clips" / "c.mp4", frames, 30, 3.0)
        assert enc.clip is None and enc.error == "the disk is full"
        assert list((disk.where / "clips").iterdir()) == []              # the partial file is gone
        assert kept.read_bytes() == b"\xff\xd8" + bytes(1000)
        enc = encode(disk.where / "clips" / "small.mp4", [np.zeros((72, 128, 3), np.uint8)] * 3, 30, 0.2)
        assert enc.clip is not None                                       # room again: it works
    finally:
        disk.unmount()
