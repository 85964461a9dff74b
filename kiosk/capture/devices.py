"""Which cameras are plugged in, a quick test of one, and the technician's choice between them.

The choice is kept in the data directory (`camera.json`), not written into the config file:
the config stays the technician's text, and the screen's choice wins until it is cleared.
Precedence: `kiosk app --camera/--video/--image` > the screen's choice > `[camera] source`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.capture.base import FrameSource, Image, SourceError
from kiosk.store.files import write_file_durably

log = logging.getLogger(__name__)
SYSFS = Path("/sys/class/video4linux")
CHOICE_FILE = "camera.json"
DARK_MEAN = 45          # mean grey level under which the try-on tracks poorly


@dataclass(frozen=True)
class CameraInfo:
    device: str         # /dev/videoN
    name: str           # what the camera calls itself


def list_cameras(sysfs: Path = SYSFS) -> list[CameraInfo]:
    """V4L2 capture devices. A USB camera registers several nodes (video, metadata); only the
    first (`index` 0) gives pictures."""
    found = []
    for node in sorted(sysfs.glob("video*"), key=lambda p: (len(p.name), p.name)):
        try:
            index = (node / "index").read_text().strip()
            name = (node / "name").read_text().strip()
        except OSError:
            continue
        if index == "0":
            found.append(CameraInfo(f"/dev/{node.name}", name or node.name))
    return found


@dataclass(frozen=True)
class CameraTest:
    ok: bool
    message: str
    frame: Image | None = None


def try_source(source: FrameSource, seconds: float = 2.0) -> CameraTest:
    """Open, read frames for `seconds`, close: resolution, real frame rate, light level."""
    try:
        source.open()
    except SourceError as e:
        return CameraTest(False, f"Cannot open it: {e}")
    frames, last = 0, None
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            last = source.read()
            frames += 1
    except SourceError as e:
        if last is None:
            return CameraTest(False, f"It opened but gave no picture: {e}")
    finally:
        source.close()
    assert last is not None
    fps = frames / max(1e-6, time.monotonic() - start)
    h, w = last.shape[:2]
    light = float(np.mean(last))
    parts = [f"{w}x{h} at {fps:.1f} fps"]
    if light < DARK_MEAN:
        parts.append(f"the picture is dark (level {light:.0f} of 255): more light on the customer")
    if fps < 15:
        parts.append("the frame rate is low for a live mirror")
    return CameraTest(light >= DARK_MEAN and fps >= 15, " · ".join(parts), last)


def load_choice(data_dir: Path) -> str | None:
    try:
        value = json.loads((data_dir / CHOICE_FILE).read_text()).get("source")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError) as e:
        log.warning("ignoring the camera choice in %s: %s", data_dir / CHOICE_FILE, e)
        return None
    return str(value) if value else None


def save_choice(data_dir: Path, source: str | None) -> None:
    """None clears the choice (back to `[camera] source`)."""
    path = data_dir / CHOICE_FILE
    if source is None:
        path.unlink(missing_ok=True)
        return
    write_file_durably(path, json.dumps({"source": source, "chosen_at": time.time()}).encode())
