from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.capture import CameraSource, ImageSource, SourceError, VideoFileSource, open_source


@pytest.mark.slow
def test_sample_video_frames_have_the_right_size_and_pace(sample_video: Path) -> None:
    src = VideoFileSource(sample_video)
    src.open()
    try:
        assert src.nominal_fps == pytest.approx(29.97, abs=0.01)
        src.read()
        n, t0 = 45, time.monotonic()
        for _ in range(n):
            img = src.read()
            assert img.shape == (720, 1280, 3) and img.flags.c_contiguous
        elapsed = time.monotonic() - t0
    finally:
        src.close()
    # Paced like a camera: 45 frames at 29.97 fps take 1.5 s, never delivered as fast as decoded.
    assert 0.9 * n / 29.97 < elapsed < 1.6 * n / 29.97


@pytest.mark.slow
def test_video_loops_past_its_end(sample_video: Path) -> None:
    src = VideoFileSource(sample_video, fps=1000)  # fast pace: only looping is under test
    src.open()
    try:
        frames = [src.read() for _ in range(130)]  # the sample has 115 frames
    finally:
        src.close()
    assert len(frames) == 130
    assert (frames[0] == frames[115]).all()


def test_missing_and_corrupt_files_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        VideoFileSource(tmp_path / "none.mp4").open()
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    with pytest.raises(SourceError, match="cannot read image"):
        ImageSource(bad).open()
    bad_video = tmp_path / "bad.mp4"
    bad_video.write_bytes(b"\x00" * 1000)
    with pytest.raises(SourceError):
        src = VideoFileSource(bad_video)
        src.open()
        src.read()


def test_image_source_repeats_a_clean_copy(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    p = tmp_path / "still.png"
    cv2.imwrite(str(p), np.full((40, 60, 3), 7, np.uint8))
    src = ImageSource(p, fps=500)
    src.open()
    a = src.read()
    a[:] = 0  # a later stage drawing on its frame
    b = src.read()
    assert b.shape == (40, 60, 3) and int(b[0, 0, 0]) == 7


def test_absent_camera_device_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not present"):
        CameraSource("/dev/video-does-not-exist", 1280, 720, 30).open()


def test_open_source_picks_the_kind(sample_video: Path) -> None:
    assert isinstance(open_source("video", str(sample_video)), VideoFileSource)
    assert isinstance(open_source("image", "x.jpg"), ImageSource)
    cam = open_source("camera", "2")
    assert isinstance(cam, CameraSource) and cam.device == 2
