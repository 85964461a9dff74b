"""Camera discovery (sysfs), the two-second test, and the technician's kept choice."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk import paths
from kiosk.capture import ImageSource, VideoFileSource, open_source
from kiosk.capture.devices import list_cameras, load_choice, save_choice, try_source


def _node(root: Path, name: str, index: str, label: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "index").write_text(index + "\n")
    (root / name / "name").write_text(label + "\n")


def test_only_the_picture_node_of_each_camera_is_listed(tmp_path: Path) -> None:
    _node(tmp_path, "video0", "0", "HD Pro Webcam C920")
    _node(tmp_path, "video1", "1", "HD Pro Webcam C920")          # metadata node
    _node(tmp_path, "video10", "0", "Arducam USB")
    _node(tmp_path, "video2", "0", "Integrated Camera")
    (tmp_path / "video3").mkdir()                                  # half-gone device
    got = [(c.device, c.name) for c in list_cameras(tmp_path)]
    assert got == [("/dev/video0", "HD Pro Webcam C920"), ("/dev/video2", "Integrated Camera"),
                   ("/dev/video10", "Arducam USB")]
    assert list_cameras(tmp_path / "absent") == []


@pytest.mark.slow
def test_a_working_source_reports_size_and_rate() -> None:
    got = try_source(VideoFileSource(paths.SAMPLE_VIDEO), seconds=1.0)
    assert got.ok, got.message
    assert got.message.startswith("1280x720 at ") and got.frame is not None
    fps = float(got.message.split(" at ")[1].split()[0])
    assert 20 < fps < 40


def test_a_missing_camera_says_so() -> None:
    got = try_source(open_source("camera", "/dev/video97"), seconds=0.5)
    assert not got.ok and "/dev/video97 is not present" in got.message and got.frame is None


def test_a_dark_picture_is_called_out(tmp_path: Path) -> None:
    dark = tmp_path / "dark.png"
    cv2.imwrite(str(dark), np.full((480, 640, 3), 12, np.uint8))
    got = try_source(ImageSource(dark, fps=30), seconds=0.5)
    assert not got.ok and "dark" in got.message and "640x480" in got.message


def test_the_choice_is_kept_and_cleared(tmp_path: Path) -> None:
    assert load_choice(tmp_path) is None
    save_choice(tmp_path, "/dev/video2")
    assert load_choice(tmp_path) == "/dev/video2"
    save_choice(tmp_path, None)
    assert load_choice(tmp_path) is None
    (tmp_path / "camera.json").write_text("{not json")
    assert load_choice(tmp_path) is None                 # ignored with a log line, not a crash
